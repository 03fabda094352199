/**
 * Slashing rules, pure: how much of a validator's stake an infraction burns,
 * and the jail that comes with it.
 *
 * A fraction is in basis points (1/10,000) and every burn rounds down, per
 * bonded balance and per unbonding entry, so a slash never burns more than
 * the stake it is taken from, and what is burned plus what is kept is
 * exactly what there was.
 */
import { SlashingError } from './errors.js'
import { checkHeight, checkRecord, JAILED_FOREVER, jailUntil, type StakeRecord } from './stake-record.js'

export const BASIS_POINTS = 10_000

export interface SlashResult {
  readonly record: StakeRecord
  /** Stake destroyed, bonded and unbonding together. */
  readonly burned: bigint
}

/**
 * Signing two blocks at one height and round burns `fractionBps` of the
 * bonded stake and of every unbonding entry begun at or after the
 * infraction height: that stake was still backing the votes when the
 * validator signed twice, and leaving cannot be an escape from the penalty.
 * Entries begun before the infraction had stopped backing votes and are not
 * touched. The validator is jailed until `jailedUntil` (by default for good).
 *
 * The caller matures unbonding (matureUnbonding) before slashing, so every
 * entry still in the record is still held and can be burned.
 */
export function slashForDoubleSign(
  record: StakeRecord,
  infractionHeight: number,
  fractionBps: number,
  jailedUntil: number = JAILED_FOREVER,
): SlashResult {
  checkRecord(record)
  checkHeight(infractionHeight)
  const fraction = checkFraction(fractionBps)
  const bondedBurned = burnOf(record.bonded, fraction)
  let burned = bondedBurned
  const unbonding = record.unbonding.map((entry) => {
    if (entry.startHeight < infractionHeight) return entry
    const cut = burnOf(entry.amount, fraction)
    burned += cut
    return { ...entry, amount: entry.amount - cut }
  })
  const slashed = { ...record, bonded: record.bonded - bondedBurned, unbonding }
  return { record: jailUntil(slashed, jailedUntil), burned }
}

/**
 * Missing too many commits (DowntimeTracker) burns `fractionBps` of the
 * bonded stake only (the infraction is the present, so no unbonding entry
 * began after it) and jails until `jailedUntil`, after which the validator
 * may be chosen again.
 */
export function slashForDowntime(record: StakeRecord, fractionBps: number, jailedUntil: number): SlashResult {
  checkRecord(record)
  const burned = burnOf(record.bonded, checkFraction(fractionBps))
  return { record: jailUntil({ ...record, bonded: record.bonded - burned }, jailedUntil), burned }
}

/** ⌊amount · fraction / 10,000⌋: never more than `amount`, for 0 ≤ fraction ≤ 10,000. */
function burnOf(amount: bigint, fraction: bigint): bigint {
  return (amount * fraction) / BigInt(BASIS_POINTS)
}

function checkFraction(fractionBps: number): bigint {
  if (!Number.isSafeInteger(fractionBps) || fractionBps < 0 || fractionBps > BASIS_POINTS) {
    throw new SlashingError('BAD_FRACTION', `a fraction is 0 … ${BASIS_POINTS} basis points, got ${fractionBps}`)
  }
  return BigInt(fractionBps)
}
