/**
 * Epochs: which validator set signs which heights, and how an epoch's set is
 * chosen from the stake table.
 *
 * Heights run from 0 (genesis). Epoch e covers heights [e·L, (e+1)·L) for an
 * epoch length L. The genesis set signs epoch 0. The set of epoch e ≥ 1 is
 * chosen from the stake table of the state at the end of epoch e − 1, that
 * is after the block at height e·L − 1 is applied: BFT finality makes that
 * state final as soon as the block is committed, so every validator agrees on
 * the next set before it must vote with it, and no block of epoch e can change
 * the set that is signing it. Within an epoch the set only steps its
 * proposer priorities (ValidatorSet.next()).
 *
 * Voting power is stake divided by `powerReduction` (stake below it carries
 * no vote), like Cosmos' power reduction, rather than stake itself: balances
 * are u64 base units, so a hundred large stakes could add up to 2^71, while
 * the set's total power is capped at 2^60 (validator-set.ts) so that
 * priorities fit an int64 in any implementation that must agree with us. If
 * an epoch's stake is so large that the quotients still pass the cap, the
 * divisor is doubled until they fit: proportions are kept to within one unit
 * of power each, and a wealthy epoch can never halt the chain on the cap.
 */
import { compareBytes, toHex } from '../../util/bytes.js'
import type { Validator } from '../bft/validators.js'
import { EpochError } from './errors.js'
import { TOTAL_VOTING_POWER_MAX, type ValidatorSet } from './validator-set.js'

/** One row of the stake table at the end of an epoch. */
export interface StakeCandidate {
  readonly address: Uint8Array
  readonly publicKey: Uint8Array
  /** Bonded stake, base units (unbonding stake does not count). */
  readonly stake: bigint
  /** Jailed at the end of the epoch: not eligible, whatever its stake. */
  readonly jailed: boolean
}

export interface ValidatorSelectionRules {
  /** At most this many validators per epoch: the top ones by stake. */
  readonly validatorsMax: number
  /** A candidate needs at least this much bonded stake. */
  readonly stakeMin: bigint
  /** Stake per unit of voting power, ≥ 1. */
  readonly powerReduction: bigint
}

export function epochOf(height: number, epochLength: number): number {
  checkEpochLength(epochLength)
  checkHeight(height)
  return Math.floor(height / epochLength)
}

export function firstHeightOf(epoch: number, epochLength: number): number {
  checkEpochLength(epochLength)
  if (!Number.isSafeInteger(epoch) || epoch < 0 || !Number.isSafeInteger(epoch * epochLength)) {
    throw new EpochError('BAD_EPOCH', `an epoch is an integer ≥ 0 whose first height is safe, got ${epoch}`)
  }
  return epoch * epochLength
}

/** True at the first height of an epoch after genesis: where the set changes. */
export function isEpochStart(height: number, epochLength: number): boolean {
  return height > 0 && epochOf(height, epochLength) * epochLength === height
}

/**
 * The height whose resulting state's stake table chooses the set of `epoch`
 * (≥ 1): the last height of the epoch before it.
 */
export function selectionHeightOf(epoch: number, epochLength: number): number {
  if (epoch < 1) throw new EpochError('BAD_EPOCH', 'epoch 0 is signed by the genesis set, chosen by no state')
  return firstHeightOf(epoch, epochLength) - 1
}

/**
 * The validators of an epoch, in no particular order (the set orders them):
 * the eligible candidates (not jailed, stake ≥ stakeMin), the top
 * validatorsMax by stake (ties: the lower address), powered as explained
 * above; any whose power rounds to zero is left out. Empty when nobody
 * qualifies.
 */
export function chooseValidators(candidates: readonly StakeCandidate[], rules: ValidatorSelectionRules): Validator[] {
  checkRules(rules)
  checkDistinct(candidates)
  const chosen = candidates
    .filter((c) => !c.jailed && c.stake >= rules.stakeMin)
    .sort(byStakeThenAddress)
    .slice(0, rules.validatorsMax)
  const divisor = powerDivisor(
    chosen.map((c) => c.stake),
    rules.powerReduction,
  )
  return chosen.flatMap((c) => {
    const power = c.stake / divisor
    return power > 0n ? [{ address: c.address, publicKey: c.publicKey, power }] : []
  })
}

/**
 * The smallest divisor powerReduction · 2^k under which these stakes' powers
 * add up to at most TOTAL_VOTING_POWER_MAX.
 */
export function powerDivisor(stakes: readonly bigint[], powerReduction: bigint): bigint {
  let divisor = powerReduction
  for (;;) {
    let total = 0n
    for (const stake of stakes) total += stake / divisor
    if (total <= TOTAL_VOTING_POWER_MAX) return divisor
    divisor *= 2n
  }
}

/**
 * The set that signs `height` (≥ 1), given the set of height − 1. Within an
 * epoch, and at an epoch start where no candidate qualifies (the previous
 * set continues rather than the chain halting), it is the previous set one
 * step on. At an epoch start it is that set changed to the validators chosen
 * from `candidates`, the stake table after height − 1 (selectionHeightOf),
 * so that those who stay keep their proposer priority.
 */
export function validatorSetForHeight(
  height: number,
  previous: ValidatorSet,
  candidates: readonly StakeCandidate[],
  epochLength: number,
  rules: ValidatorSelectionRules,
): ValidatorSet {
  if (height < 1) throw new EpochError('BAD_HEIGHT', 'height 0 is signed by the genesis set')
  const stepped = previous.next()
  if (!isEpochStart(height, epochLength)) return stepped
  const chosen = chooseValidators(candidates, rules)
  return chosen.length === 0 ? stepped : stepped.withChanges(chosen)
}

function byStakeThenAddress(a: StakeCandidate, b: StakeCandidate): number {
  if (a.stake !== b.stake) return a.stake > b.stake ? -1 : 1
  return compareBytes(a.address, b.address)
}

function checkEpochLength(epochLength: number): void {
  if (!Number.isSafeInteger(epochLength) || epochLength < 1) {
    throw new EpochError('BAD_EPOCH_LENGTH', `an epoch length is an integer ≥ 1, got ${epochLength}`)
  }
}

function checkHeight(height: number): void {
  if (!Number.isSafeInteger(height) || height < 0) {
    throw new EpochError('BAD_HEIGHT', `a height is an integer ≥ 0, got ${height}`)
  }
}

function checkRules(rules: ValidatorSelectionRules): void {
  if (!Number.isSafeInteger(rules.validatorsMax) || rules.validatorsMax < 1) {
    throw new EpochError('BAD_RULES', `validatorsMax is an integer ≥ 1, got ${rules.validatorsMax}`)
  }
  if (rules.stakeMin < 0n) throw new EpochError('BAD_RULES', `stakeMin is ≥ 0, got ${rules.stakeMin}`)
  if (rules.powerReduction < 1n) {
    throw new EpochError('BAD_RULES', `powerReduction is ≥ 1, got ${rules.powerReduction}`)
  }
}

/** A stake table lists each address once; anything else is our own bug, not a tie to break. */
function checkDistinct(candidates: readonly StakeCandidate[]): void {
  const seen = new Set<string>()
  for (const c of candidates) {
    if (c.stake < 0n) throw new EpochError('BAD_CANDIDATE', `negative stake ${c.stake}`)
    const key = toHex(c.address)
    if (seen.has(key)) throw new EpochError('BAD_CANDIDATE', `candidate ${key} appears twice`)
    seen.add(key)
  }
}
