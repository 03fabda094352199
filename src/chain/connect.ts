/**
 * Connecting and disconnecting one block against staged (uncommitted) state.
 * Both only add ops to the caller's batch; nothing is written here.
 */
import type { EpochStaking, FinalityRules } from '../consensus/engine.js'
import type { Block } from '../ledger/block.js'
import { readAccountBytes } from '../ledger/codec/account-bytes.js'
import { VerifyError } from '../ledger/errors.js'
import { type Genesis, subsidyAt } from '../ledger/genesis.js'
import {
  type Account,
  accountToBytes,
  applyBlockTxs,
  type DirtyAccount,
  type StakingRules,
  StateOverlay,
} from '../ledger/state.js'
import type { Tx } from '../ledger/tx.js'
import { type BatchOp, type KvStore, prefixRange } from '../storage/kv.js'
import { equalBytes, toHex } from '../util/bytes.js'
import type { AccountCache, StagedAccounts } from './account-cache.js'
import { StoreCorruptError } from './errors.js'
import { encodeEntry, type HeaderEntry } from './header-index.js'
import { layout } from './layout.js'
import { storedUndo } from './stored.js'
import type { AccountChange, StateTrie } from './trie.js'
import { encodeUndo, type UndoEntry } from './undo.js'

export type { StagedAccounts }

export interface StateContext {
  trie: StateTrie
  accounts: AccountCache
  genesis: Genesis
  /** Proof of stake: the staking rules, and the store whose staker index an epoch end reads. */
  staking?: { rules: EpochStaking; store: KvStore }
  /** Proof of stake: the rule of each header's `validatorsHash`. */
  finality?: FinalityRules
}

/** Every account holding a stake at the head, from the staker index (in address order). */
export async function readStakers(store: KvStore): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const [key] of store.entries(prefixRange(layout.stakerPrefix))) out.push(key.slice(1))
  return out
}

/**
 * The state transition of a block at `height` beyond its txs' own rules, for
 * proof of stake: the staking context of its txs, and at an epoch end the
 * accounts the end reads. Undefined without staking.
 */
export async function stakingStep(
  ctx: StateContext,
  height: number,
): Promise<{ rules: EpochStaking; stakers: Uint8Array[]; epochEnd: boolean } | undefined> {
  if (!ctx.staking) return undefined
  const { rules, store } = ctx.staking
  const epochEnd = rules.isEpochEnd(height)
  return { rules, epochEnd, stakers: epochEnd ? await readStakers(store) : [] }
}

/**
 * Ends the epoch whose last block (at `height`) `overlay` holds the txs of:
 * every staker of the index, and every account the block made one.
 */
export function endEpoch(
  rules: EpochStaking,
  overlay: StateOverlay,
  indexed: Uint8Array[],
  height: number,
): Uint8Array {
  const seen = new Set(indexed.map((a) => toHex(a)))
  const stakers = [...indexed]
  for (const { address, hex, account } of overlay.changes()) {
    if (account.stake && !seen.has(hex)) stakers.push(address)
  }
  return rules.endEpoch(overlay, stakers, height)
}

/** Every address a block's state transition reads (with `staking`, the ones its staking txs name too). */
export function touchedAddresses(txs: readonly Tx[], miner: Uint8Array, staking?: StakingRules): Uint8Array[] {
  const out = [miner]
  for (const tx of txs) {
    out.push(tx.sender, tx.fields.recipient)
    if (staking && tx.fields.kind !== 0) out.push(...staking.extraAddresses(tx))
  }
  return out
}

/** The accounts a block reads, by address hex (undefined = none), and the encoding each was read from. */
export interface LoadedAccounts {
  accounts: Map<string, Account | undefined>
  /** The stored encoding of each loaded account that exists: the undo record holds these very bytes. */
  bytes: Map<string, Uint8Array>
}

/**
 * The accounts at `addresses` as the staged state sees them, loaded so the
 * synchronous state transition can read them.
 */
export async function loadAccounts(
  accounts: AccountCache,
  staged: StagedAccounts,
  addresses: readonly Uint8Array[],
): Promise<LoadedAccounts> {
  const view = new Map<string, Account | undefined>()
  const bytes = new Map<string, Uint8Array>()
  const fetch: Uint8Array[] = []
  const fetchHex: string[] = []
  for (const address of addresses) {
    const hex = toHex(address)
    if (view.has(hex)) continue
    const s = staged.get(hex)
    if (s) {
      view.set(hex, s.account)
      if (s.account && s.bytes) bytes.set(hex, s.bytes)
    } else {
      view.set(hex, undefined)
      fetch.push(address)
      fetchHex.push(hex)
    }
  }
  const found = await accounts.getMany(fetch)
  for (let i = 0; i < found.length; i++) {
    const hit = found[i]
    const hex = fetchHex[i] as string
    view.set(hex, hit?.account)
    if (hit) bytes.set(hex, hit.bytes)
  }
  return { accounts: view, bytes }
}

/**
 * Applies `block` (child of `entry.parent`) to the staged state: checks the
 * reward and the state root. Returns the record of the validator set it
 * chose when it ends an epoch (proof of stake), for the caller to hand to the
 * engine once the batch is stored.
 */
export async function connectBlock(
  ctx: StateContext,
  entry: HeaderEntry,
  block: Block,
  staged: StagedAccounts,
  ops: BatchOp[],
): Promise<Uint8Array | undefined> {
  const header = block.header.fields
  const staking = await stakingStep(ctx, entry.height)
  const touched = touchedAddresses(block.txs, header.miner, staking?.rules.rules)
  if (staking) touched.push(...staking.stakers)
  const loaded = await loadAccounts(ctx.accounts, staged, touched)
  const overlay = new StateOverlay((hex) => loaded.accounts.get(hex))
  const subsidy = subsidyAt(entry.height, ctx.genesis.params)
  const stakingTxs = staking && { rules: staking.rules.rules, height: entry.height }
  applyBlockTxs(overlay, block.txs, header.miner, header.reward, subsidy, stakingTxs)
  let epochRecord: Uint8Array | undefined
  if (staking?.epochEnd) {
    epochRecord = endEpoch(staking.rules, overlay, staking.stakers, entry.height)
    ops.push({ type: 'put', key: layout.epoch(entry.height), value: epochRecord })
  }
  if (ctx.finality) {
    const expected = ctx.finality.nextValidatorsHash(entry.height, epochRecord)
    if (!equalBytes(header.validatorsHash ?? new Uint8Array(0), expected)) {
      throw new VerifyError(
        'BLOCK_BAD_VALIDATORS_HASH',
        `validatorsHash is not ${toHex(expected)}, the hash of the set that signs height ${entry.height + 1}`,
      )
    }
  }
  // Each changed account is encoded once: the trie's leaf and the flat index hold the same bytes.
  const dirty = overlay.changes()
  const changes: AccountChange[] = new Array(dirty.length)
  const undo: UndoEntry[] = new Array(dirty.length)
  for (let i = 0; i < dirty.length; i++) {
    const { address, hex, account, before } = dirty[i] as DirtyAccount
    changes[i] = { address, hex, account, bytes: accountToBytes(account) }
    undo[i] = { address, before, beforeBytes: loaded.bytes.get(hex) }
  }
  const parentRoot = (entry.parent as HeaderEntry).header.fields.stateRoot
  const root = await ctx.trie.update(parentRoot, changes)
  if (!equalBytes(root, header.stateRoot)) {
    throw new VerifyError('BLOCK_BAD_STATE_ROOT', `state root ${toHex(header.stateRoot)} != computed ${toHex(root)}`)
  }
  for (const c of changes) staged.set(c.hex as string, { address: c.address, account: c.account, bytes: c.bytes })
  // Under proof of stake every block is final (no reorg ever disconnects one), so no undo record is kept.
  if (!staking) ops.push({ type: 'put', key: layout.undo(block.hash), value: encodeUndo(undo) })
  ops.push({ type: 'put', key: layout.height(entry.height), value: block.hash })
  ops.push({ type: 'put', key: layout.header(block.hash), value: encodeEntry({ ...entry, status: 'valid' }) })
  const txs = block.txs
  for (let i = 0; i < txs.length; i++) {
    ops.push({ type: 'put', key: layout.txLocation((txs[i] as Tx).hash), value: txLocationValue(block.hash, i) })
  }
  return epochRecord
}

/** A tx location's value: blockHash(32) | index(4, BE). */
function txLocationValue(blockHash: Uint8Array, index: number): Uint8Array {
  const value = new Uint8Array(36)
  value.set(blockHash, 0)
  value[32] = index >>> 24
  value[33] = (index >>> 16) & 0xff
  value[34] = (index >>> 8) & 0xff
  value[35] = index & 0xff
  return value
}

/** Rolls `block` (the staged tip) back to its parent's state. */
export async function disconnectBlock(
  store: KvStore,
  block: Block,
  staged: StagedAccounts,
  ops: BatchOp[],
): Promise<void> {
  const undoBytes = await store.get(layout.undo(block.hash))
  if (!undoBytes)
    throw new StoreCorruptError(layout.undo(block.hash), `undo record of main-chain block ${block.id} is missing`)
  for (const { address, beforeBytes } of storedUndo(block.hash, undoBytes).entries()) {
    // The record holds the account's encoding: the flat index gets those very bytes back.
    const account = beforeBytes ? readAccountBytes(beforeBytes) : undefined
    staged.set(toHex(address), { address, account, bytes: beforeBytes })
  }
  ops.push({ type: 'del', key: layout.undo(block.hash) })
  ops.push({ type: 'del', key: layout.height(block.height) })
  for (const tx of block.txs) ops.push({ type: 'del', key: layout.txLocation(tx.hash) })
}

/**
 * The flat account index's writes for the staged accounts (a deleted account
 * is removed); fills in each missing encoding. With `stakers`, the staker
 * index follows each account too.
 */
export function accountOps(staged: StagedAccounts, ops: BatchOp[], stakers = false): void {
  for (const entry of staged.values()) {
    const { address, account } = entry
    if (account) {
      entry.bytes ??= accountToBytes(account)
      ops.push({ type: 'put', key: layout.account(address), value: entry.bytes })
    } else ops.push({ type: 'del', key: layout.account(address) })
    if (stakers) {
      if (account?.stake) ops.push({ type: 'put', key: layout.staker(address), value: NO_BYTES })
      else ops.push({ type: 'del', key: layout.staker(address) })
    }
  }
}

const NO_BYTES = new Uint8Array(0)
