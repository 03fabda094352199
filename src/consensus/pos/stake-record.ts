/**
 * One validator's stake as the slashing and unbonding rules see it: what is
 * bonded (votes and can be slashed), what is unbonding (no longer votes, can
 * still be slashed for what it did while bonded, released at a height), and
 * until when it is jailed. Records are immutable; every rule returns a new one.
 */
import { SlashingError } from './errors.js'

export interface UnbondingEntry {
  readonly amount: bigint
  /** Height at which the unbonding began: the stake stopped backing votes after it. */
  readonly startHeight: number
  /** First height at which the amount is released to the owner. */
  readonly releaseHeight: number
}

export interface StakeRecord {
  readonly bonded: bigint
  readonly unbonding: readonly UnbondingEntry[]
  /** Jailed (cannot be chosen for a set) at heights below this one; absent: never jailed. */
  readonly jailedUntil?: number
}

/** Jailed for good: a validator that signed twice is tombstoned, as in Cosmos. */
export const JAILED_FOREVER = Number.MAX_SAFE_INTEGER

/** Bonded plus every unbonding entry. */
export function totalStake(record: StakeRecord): bigint {
  let total = record.bonded
  for (const entry of record.unbonding) total += entry.amount
  return total
}

export function isJailed(record: StakeRecord, height: number): boolean {
  return record.jailedUntil !== undefined && height < record.jailedUntil
}

/** The record jailed until at least `until` (a longer jail already served is kept). */
export function jailUntil(record: StakeRecord, until: number): StakeRecord {
  checkHeight(until)
  const jailedUntil = record.jailedUntil === undefined ? until : Math.max(record.jailedUntil, until)
  return { ...record, jailedUntil }
}

/**
 * Moves `amount` of bonded stake to an unbonding entry begun at `height`,
 * released after `unbondingPeriod` heights.
 */
export function beginUnbonding(
  record: StakeRecord,
  amount: bigint,
  height: number,
  unbondingPeriod: number,
): StakeRecord {
  checkRecord(record)
  checkHeight(height)
  if (!Number.isSafeInteger(unbondingPeriod) || unbondingPeriod < 0) {
    throw new SlashingError('BAD_HEIGHT', `an unbonding period is an integer ≥ 0, got ${unbondingPeriod}`)
  }
  if (amount <= 0n || amount > record.bonded) {
    throw new SlashingError('BAD_AMOUNT', `cannot unbond ${amount} of ${record.bonded} bonded`)
  }
  const entry: UnbondingEntry = { amount, startHeight: height, releaseHeight: height + unbondingPeriod }
  return { ...record, bonded: record.bonded - amount, unbonding: [...record.unbonding, entry] }
}

/** Releases the unbonding entries whose releaseHeight ≤ height; returns the record and the amount released. */
export function matureUnbonding(record: StakeRecord, height: number): { record: StakeRecord; released: bigint } {
  checkRecord(record)
  checkHeight(height)
  let released = 0n
  const unbonding: UnbondingEntry[] = []
  for (const entry of record.unbonding) {
    if (entry.releaseHeight <= height) released += entry.amount
    else unbonding.push(entry)
  }
  return { record: { ...record, unbonding }, released }
}

/** Throws a SlashingError unless every amount is ≥ 0 and every height a safe integer ≥ 0. */
export function checkRecord(record: StakeRecord): void {
  if (record.bonded < 0n) throw new SlashingError('BAD_AMOUNT', `negative bonded stake ${record.bonded}`)
  for (const entry of record.unbonding) {
    if (entry.amount < 0n) throw new SlashingError('BAD_AMOUNT', `negative unbonding amount ${entry.amount}`)
    checkHeight(entry.startHeight)
    checkHeight(entry.releaseHeight)
  }
  if (record.jailedUntil !== undefined) checkHeight(record.jailedUntil)
}

export function checkHeight(height: number): void {
  if (!Number.isSafeInteger(height) || height < 0) {
    throw new SlashingError('BAD_HEIGHT', `a height is an integer ≥ 0, got ${height}`)
  }
}
