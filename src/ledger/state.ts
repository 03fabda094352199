/**
 * The account state transition. Pure and synchronous: the caller preloads
 * every account a block touches into a `StateOverlay`, applies the block here,
 * then commits the overlay's dirty accounts (chain/state.ts writes them to the
 * trie and the flat account index).
 */
import { toHex, U64_MAX } from '../util/bytes.js'
import { writeAccount } from './codec/account-encode.js'
import { decodeAccount } from './codec/codec.js'
import { BlockTxError, VerifyError } from './errors.js'
import type { AccountStake } from './stake.js'
import type { Tx } from './tx.js'

export interface Account {
  balance: bigint
  nonce: bigint
  /** Proof of stake only: what the account has bonded, is unbonding, and its jail. */
  stake?: AccountStake
}

export const EMPTY_ACCOUNT: Readonly<Account> = Object.freeze({ balance: 0n, nonce: 0n })

export const accountToBytes = (a: Account): Uint8Array => writeAccount(a.balance, a.nonce, a.stake)
/** Strict: DecodeError for anything but the canonical encoding. */
export const accountFromBytes = (b: Uint8Array): Account => decodeAccount(b)

/**
 * The state rules of the tx kinds beyond transfer (stake, unstake, evidence):
 * proof of stake's (consensus/pos/staking.ts). A chain without them accepts
 * transfers only.
 */
export interface StakingRules {
  /**
   * Applies `tx` (not a transfer) in the block at `height`, sender's nonce and
   * fee included; every check before any write. Throws VerifyError.
   */
  applyStakingTx(state: StateOverlay, tx: Tx, sender: Account, height: number): void
  /** The accounts `tx` reads beyond its sender and recipient (the offender that evidence names). */
  extraAddresses(tx: Tx): Uint8Array[]
}

/** What a block's state transition needs beyond its txs, for kinds other than transfer. */
export interface StakingContext {
  rules: StakingRules
  height: number
}

export interface DirtyAccount {
  address: Uint8Array
  /** The address as lower-case hex: the overlay's key, kept for the maps the commit fills. */
  hex: string
  account: Account
  /** The account before this overlay touched it (undefined = did not exist). */
  before: Account | undefined
}

/** Accounts read from a base (the head state), changed in memory. */
export class StateOverlay {
  private readonly dirty = new Map<string, DirtyAccount>()

  /** `base` returns the committed account, or undefined if it does not exist. */
  constructor(private readonly base: (addressHex: string) => Account | undefined) {}

  get(address: Uint8Array, addressHex = toHex(address)): Account {
    return this.dirty.get(addressHex)?.account ?? this.base(addressHex) ?? EMPTY_ACCOUNT
  }

  set(address: Uint8Array, account: Account, addressHex = toHex(address)): void {
    const entry = this.dirty.get(addressHex)
    if (entry) entry.account = account
    else this.dirty.set(addressHex, { address, hex: addressHex, account, before: this.base(addressHex) })
  }

  changes(): DirtyAccount[] {
    return [...this.dirty.values()]
  }
}

/** Nonce and balance rules for one tx against the sender's account. */
export function checkTxAgainstAccount(tx: Tx, account: Account): void {
  const { nonce } = tx.fields
  if (nonce < account.nonce) {
    throw new VerifyError('TX_NONCE_TOO_LOW', `nonce ${nonce} < account nonce ${account.nonce}`)
  }
  if (nonce > account.nonce) {
    throw new VerifyError('TX_NONCE_TOO_HIGH', `nonce ${nonce} > account nonce ${account.nonce}`)
  }
  if (account.balance < tx.cost) {
    throw new VerifyError('TX_INSUFFICIENT_BALANCE', `balance ${account.balance} < amount + fee ${tx.cost}`)
  }
}

/** Applies one tx; returns its fee. Throws VerifyError, and leaves the overlay untouched when it does. */
export function applyTx(state: StateOverlay, tx: Tx, staking?: StakingContext): bigint {
  const sender = tx.sender
  const senderHex = tx.senderHex
  const account = state.get(sender, senderHex)
  checkTxAgainstAccount(tx, account)
  if (tx.fields.kind !== 0) {
    if (!staking) throw new VerifyError('TX_KIND_UNSUPPORTED', `tx kind ${tx.fields.kind} needs proof of stake`)
    staking.rules.applyStakingTx(state, tx, account, staking.height)
    return tx.fields.fee
  }
  const { recipient, amount } = tx.fields
  const recipientHex = toHex(recipient)
  // Check the credit before any write, so a failing tx leaves the overlay untouched.
  if (recipientHex !== senderHex && state.get(recipient, recipientHex).balance + amount > U64_MAX) {
    throw new VerifyError('TX_AMOUNT_OVERFLOW', 'recipient balance would exceed u64')
  }
  state.set(sender, { ...account, balance: account.balance - tx.cost, nonce: account.nonce + 1n }, senderHex)
  const to = state.get(recipient, recipientHex)
  state.set(recipient, { ...to, balance: to.balance + amount }, recipientHex)
  return tx.fields.fee
}

/**
 * Applies a block's transactions in order, then pays the miner. `reward` is
 * what the header claims; it must equal subsidy + fees exactly.
 */
export function applyBlockTxs(
  state: StateOverlay,
  txs: readonly Tx[],
  miner: Uint8Array,
  reward: bigint,
  subsidy: bigint,
  staking?: StakingContext,
): void {
  let fees = 0n
  for (let i = 0; i < txs.length; i++) {
    try {
      fees += applyTx(state, txs[i] as Tx, staking)
    } catch (err) {
      if (err instanceof VerifyError) throw new BlockTxError(i, err)
      throw err
    }
  }
  if (reward !== subsidy + fees) {
    throw new VerifyError('BLOCK_BAD_REWARD', `reward ${reward} != subsidy ${subsidy} + fees ${fees}`)
  }
  if (reward > 0n) {
    const account = state.get(miner)
    if (account.balance + reward > U64_MAX) throw new VerifyError('BLOCK_BAD_REWARD', 'miner balance would exceed u64')
    state.set(miner, { ...account, balance: account.balance + reward })
  }
}
