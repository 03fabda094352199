/**
 * Proof of stake's state rules: what the stake, unstake and evidence txs do
 * to the state, and what happens at the end of each epoch. Pure over a
 * StateOverlay, like the transfer rules in ledger/state.ts, so a proposer's
 * template, a validator's check of a proposal and every node's import agree.
 *
 * - **stake** moves `amount` from the sender's balance to its bonded stake
 *   and records its public key (the account's key is its validator key).
 * - **unstake** moves `amount` of bonded stake to an unbonding entry,
 *   released at the first epoch end at or after `unbondingBlocks` later;
 *   until then it can still be slashed.
 * - **evidence** carries two conflicting votes of one validator. It is
 *   checked against the set of the votes' height (their signatures, that
 *   they conflict, that the signer was in that set), must be younger than
 *   the unbonding period (older evidence could reach stake that has left),
 *   and is refused against a validator already tombstoned (a double-sign
 *   is punished once). It burns `slashDoubleSignBps` of the offender's
 *   bonded stake and of the unbonding begun at or after the infraction, and
 *   jails it for good. The sender pays the fee; nothing else.
 * - **epoch end** (the last block of an epoch) releases matured unbonding to
 *   balances, then chooses the next epoch's set from the stake table
 *   (epoch.ts chooseValidators), which the caller records.
 */

import { VerifyError } from '../../ledger/errors.js'
import type { AccountStake } from '../../ledger/stake.js'
import { ABS_UNBONDING_ENTRIES_MAX, isEmptyStake } from '../../ledger/stake.js'
import type { Account, StakingRules, StateOverlay } from '../../ledger/state.js'
import type { Tx } from '../../ledger/tx.js'
import { TX_KIND } from '../../ledger/tx-kind.js'
import { equalBytes, U64_MAX } from '../../util/bytes.js'
import { type DuplicateVoteEvidence, decodeEvidence, verifyEvidence } from '../bft/evidence.js'
import type { Validator, ValidatorSetView } from '../bft/validators.js'
import { chooseValidators, type StakeCandidate, type ValidatorSelectionRules } from './epoch.js'
import { slashForDoubleSign } from './slashing.js'
import { beginUnbonding, isJailed, JAILED_FOREVER, matureUnbonding } from './stake-record.js'

export interface StakingParams {
  chainId: string
  epochLength: number
  unbondingBlocks: number
  slashDoubleSignBps: number
  selection: ValidatorSelectionRules
}

export class PosStateRules implements StakingRules {
  constructor(
    private readonly params: StakingParams,
    /** The validator set that signed `height` (evidence is checked against it). */
    private readonly setAt: (height: number) => ValidatorSetView,
  ) {}

  applyStakingTx(state: StateOverlay, tx: Tx, sender: Account, height: number): void {
    const { kind } = tx.fields
    if (kind === TX_KIND.stake) this.stake(state, tx, sender)
    else if (kind === TX_KIND.unstake) this.unstake(state, tx, sender, height)
    else if (kind === TX_KIND.evidence) this.evidence(state, tx, sender, height)
    else throw new VerifyError('TX_KIND_UNSUPPORTED', `tx kind ${kind} is not a staking kind`)
  }

  extraAddresses(tx: Tx): Uint8Array[] {
    if (tx.fields.kind !== TX_KIND.evidence) return []
    try {
      return [decodeEvidence(tx.fields.payload).voteA.validator]
    } catch {
      return [] // refused when applied
    }
  }

  /** True when the block at `height` ends an epoch: its state chooses the next epoch's set. */
  isEpochEnd(height: number): boolean {
    return (height + 1) % this.params.epochLength === 0
  }

  /**
   * The end of the epoch whose last block is at `height`: releases the
   * matured unbonding of every staker in `stakers` (every account with a
   * stake, as the state holds them after the block's txs), and returns the
   * validators chosen for the next epoch (empty when none qualifies: the
   * current set then goes on).
   */
  endEpoch(state: StateOverlay, stakers: readonly Uint8Array[], height: number): Validator[] {
    const candidates: StakeCandidate[] = []
    for (const address of stakers) {
      const account = state.get(address)
      if (!account.stake) continue
      const matured = matureUnbonding(account.stake, height)
      // A release that would take the balance past u64 waits (a supply that large is a genesis's folly, not a crash).
      const release = matured.released > 0n && account.balance + matured.released <= U64_MAX
      const stake: AccountStake = release ? { ...matured.record, publicKey: account.stake.publicKey } : account.stake
      if (release) {
        state.set(address, { ...account, balance: account.balance + matured.released, stake: keptStake(stake) })
      }
      candidates.push({
        address,
        publicKey: stake.publicKey,
        stake: stake.bonded,
        jailed: isJailed(stake, height + 1),
      })
    }
    return chooseValidators(candidates, this.params.selection)
  }

  private stake(state: StateOverlay, tx: Tx, sender: Account): void {
    const { amount, senderPubKey } = tx.fields
    const before = sender.stake
    if (before?.jailedUntil === JAILED_FOREVER) {
      throw new VerifyError('TX_VALIDATOR_TOMBSTONED', 'this validator signed twice and can never be chosen again')
    }
    const bonded = (before?.bonded ?? 0n) + amount
    if (bonded > U64_MAX) throw new VerifyError('TX_AMOUNT_OVERFLOW', 'bonded stake would exceed u64')
    const stake: AccountStake = { ...(before ?? { unbonding: [] }), publicKey: senderPubKey, bonded }
    state.set(tx.sender, { balance: sender.balance - tx.cost, nonce: sender.nonce + 1n, stake }, tx.senderHex)
  }

  private unstake(state: StateOverlay, tx: Tx, sender: Account, height: number): void {
    const { amount } = tx.fields
    const before = sender.stake
    if (!before || before.bonded < amount) {
      throw new VerifyError('TX_INSUFFICIENT_STAKE', `bonded ${before?.bonded ?? 0n} < unstaked ${amount}`)
    }
    if (before.unbonding.length >= ABS_UNBONDING_ENTRIES_MAX) {
      throw new VerifyError('TX_UNBONDING_FULL', `already ${before.unbonding.length} unbonding entries`)
    }
    const record = beginUnbonding(before, amount, height, this.params.unbondingBlocks)
    const stake: AccountStake = { ...record, publicKey: before.publicKey }
    state.set(tx.sender, { balance: sender.balance - tx.cost, nonce: sender.nonce + 1n, stake }, tx.senderHex)
  }

  private evidence(state: StateOverlay, tx: Tx, sender: Account, height: number): void {
    const ev = evidenceOf(tx.fields.payload)
    const infraction = Number(ev.voteA.height)
    if (infraction >= height) {
      throw new VerifyError('EVIDENCE_FROM_FUTURE', `evidence of height ${infraction} in the block at ${height}`)
    }
    if (height - infraction > this.params.unbondingBlocks) {
      throw new VerifyError(
        'EVIDENCE_TOO_OLD',
        `evidence of height ${infraction} is older than the unbonding period at ${height}`,
      )
    }
    const set = this.setAt(infraction)
    const offender = set.validator(verifyEvidence(ev, set, this.params.chainId)).address
    const paid: Account = { ...sender, balance: sender.balance - tx.cost, nonce: sender.nonce + 1n }
    // The offender may be the sender itself: then it is slashed as it is after paying the fee.
    const self = equalBytes(offender, tx.sender)
    const account = self ? paid : state.get(offender)
    const stake = account.stake
    if (!stake) throw new VerifyError('EVIDENCE_UNKNOWN_VALIDATOR', 'the offender holds no stake record')
    if (stake.jailedUntil === JAILED_FOREVER) {
      throw new VerifyError('EVIDENCE_DUPLICATE', 'this validator was already slashed for signing twice')
    }
    const { record } = slashForDoubleSign(stake, infraction, this.params.slashDoubleSignBps)
    // Every check is done: now the writes.
    if (!self) state.set(tx.sender, paid, tx.senderHex)
    state.set(offender, { ...account, stake: { ...record, publicKey: stake.publicKey } })
  }
}

/** The stake as the account keeps it: none when it holds nothing and remembers no jail. */
function keptStake(stake: AccountStake): AccountStake | undefined {
  return isEmptyStake(stake) ? undefined : stake
}

/** The strict decode of an evidence tx's payload; anything else is TX_BAD_PAYLOAD (the tx's fault, rejected). */
function evidenceOf(payload: Uint8Array): DuplicateVoteEvidence {
  try {
    return decodeEvidence(payload)
  } catch (err) {
    if (err instanceof VerifyError) throw new VerifyError('TX_BAD_PAYLOAD', `evidence does not decode: ${err.message}`)
    throw err
  }
}
