/**
 * How long each step of a round waits before giving up on the network.
 *
 * A step's timeout grows with the round, so that rounds eventually last long
 * enough for a slow network, but only up to a cap:
 *
 *     timeoutMs(step, round) = min(baseMs + round · deltaMs, maxMs)
 *
 * Unbounded growth (`base + round·delta`) makes a run of n offline proposers
 * cost Σ_{r<n} (base + r·delta) = n·base + n(n−1)/2·delta: quadratic in n, the
 * stall reported in cometbft #3102. With the cap it costs at most n·maxMs.
 */
export interface TimeoutSchedule {
  readonly baseMs: number
  readonly deltaMs: number
  readonly maxMs: number
}

export type TimeoutStep = 'propose' | 'prevote' | 'precommit'

export type TimeoutConfig = Readonly<Record<TimeoutStep, TimeoutSchedule>>

export const DEFAULT_TIMEOUTS: TimeoutConfig = {
  propose: { baseMs: 3000, deltaMs: 500, maxMs: 10_000 },
  prevote: { baseMs: 1000, deltaMs: 500, maxMs: 5000 },
  precommit: { baseMs: 1000, deltaMs: 500, maxMs: 5000 },
}

export function timeoutMs(schedule: TimeoutSchedule, round: number): number {
  return Math.min(schedule.baseMs + round * schedule.deltaMs, schedule.maxMs)
}
