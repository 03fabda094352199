/**
 * The BFT fuzzer's scenarios: one seed, one scenario, always the same.
 *
 * A scenario is a validator set (4–10 validators, powers 1–10, keys drawn
 * from a fixed pool so that identical votes recur across seeds and the
 * signature memo pays off), f Byzantine validators (3f < n by count and
 * less than ⅓ of the power), each with one fault, and a partially synchronous
 * network: random delays, drops before the global stabilisation time (GST)
 * and, optionally, a partition of the honest validators healed at GST.
 */
import type { TimeoutConfig } from '../../consensus/bft/timeouts.js'
import { DEFAULT_TIMEOUTS } from '../../consensus/bft/timeouts.js'
import { type Rng, seededRng } from '../../util/rng.js'

/**
 * `equivocate`: beside each vote it casts, a conflicting one (another block or
 * nil), sent to everyone or split between two halves of the network; as
 * proposer, sometimes a second proposal. `silent`: sends nothing (runs no
 * machine). `late`: every message leaves `lateMs` after it was made.
 */
export type BftFault = { kind: 'equivocate' } | { kind: 'silent' } | { kind: 'late'; lateMs: number }

export interface BftFuzzValidator {
  /** Index in the key pool (fuzzKey). */
  readonly key: number
  readonly power: number
  readonly fault?: BftFault
}

export interface BftFuzzScenario {
  readonly seed: number
  /** In scenario order; the validator set sorts them its own way. */
  readonly validators: readonly BftFuzzValidator[]
  /** Heights every honest validator must decide. */
  readonly heights: number
  /** Each message takes delayMinMs … delayMaxMs once the network is stable. */
  readonly delayMinMs: number
  readonly delayMaxMs: number
  /** Before GST a message may take up to this long instead. */
  readonly preGstDelayMaxMs: number
  /** Drop probability of each message sent before GST. */
  readonly dropRate: number
  /** Global stabilisation time, virtual ms from the start. */
  readonly gstMs: number
  /** From `fromMs` until GST, no message crosses between the two groups (scenario indices of honest validators). */
  readonly partition?: { readonly fromMs: number; readonly groups: readonly [readonly number[], readonly number[]] }
  /** Pause after a decision before the next height starts (the node applying the block). */
  readonly commitPauseMs: number
  readonly timeouts: TimeoutConfig
}

/** Validators in the key pool the scenarios draw from. */
export const KEY_POOL = 12

/** Heights a scenario runs, at most. */
export const HEIGHTS_MAX = 5

const between = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1)

/** The scenario of `seed`. */
export function fuzzScenario(seed: number): BftFuzzScenario {
  const rng = seededRng(seed ^ 0xbf7f022)
  const n = between(rng, 4, 10)
  const keys = pick(
    rng,
    Array.from({ length: KEY_POOL }, (_, i) => i),
    n,
  )
  const powers = keys.map(() => between(rng, 1, 10))
  const fMax = Math.floor((n - 1) / 3)
  // a quarter of the seeds have no fault at all, the others up to the most the count allows
  const f = rng.next() < 0.25 ? 0 : between(rng, 1, fMax)
  const byzantine = pick(
    rng,
    Array.from({ length: n }, (_, i) => i),
    f,
  )
  // less than ⅓ of the power: the heaviest Byzantine validator gives up power until it holds
  const total = (): number => powers.reduce((a, b) => a + b, 0)
  const byzPower = (): number => byzantine.reduce((a, i) => a + (powers[i] as number), 0)
  while (byzPower() * 3 >= total()) {
    const heaviest = byzantine.reduce((a, i) => ((powers[i] as number) > (powers[a] as number) ? i : a))
    powers[heaviest] = (powers[heaviest] as number) - 1
  }
  const faults = new Map<number, BftFault>()
  for (const i of byzantine) {
    const roll = rng.next()
    faults.set(
      i,
      roll < 0.5
        ? { kind: 'equivocate' }
        : roll < 0.75
          ? { kind: 'silent' }
          : { kind: 'late', lateMs: between(rng, 1000, 6000) },
    )
  }
  const validators = keys.map((key, i) => {
    const fault = faults.get(i)
    return fault ? { key, power: powers[i] as number, fault } : { key, power: powers[i] as number }
  })

  const calm = rng.next() < 0.2
  const gstMs = calm ? 0 : between(rng, 1, 40) * 1000
  const dropRate = calm ? 0 : between(rng, 0, 20) / 100
  const delayMinMs = between(rng, 1, 20)
  const delayMaxMs = between(rng, 50, 300)
  const preGstDelayMaxMs = rng.next() < 0.5 ? delayMaxMs : between(rng, delayMaxMs, 3000)
  let partition: BftFuzzScenario['partition']
  const honest = validators.map((_, i) => i).filter((i) => !faults.has(i))
  if (!calm && honest.length >= 2 && rng.next() < 0.35) {
    const shuffled = pick(rng, honest, honest.length)
    const cut = between(rng, 1, honest.length - 1)
    partition = {
      fromMs: rng.int(gstMs),
      groups: [shuffled.slice(0, cut).sort((a, b) => a - b), shuffled.slice(cut).sort((a, b) => a - b)],
    }
  }
  return {
    seed,
    validators,
    heights: between(rng, 3, HEIGHTS_MAX),
    delayMinMs,
    delayMaxMs,
    preGstDelayMaxMs,
    dropRate,
    gstMs,
    ...(partition ? { partition } : {}),
    commitPauseMs: between(rng, 0, 1000),
    timeouts: DEFAULT_TIMEOUTS,
  }
}

/** `k` distinct items of `items`, in a random order (a partial Fisher–Yates shuffle). */
function pick<T>(rng: Rng, items: readonly T[], k: number): T[] {
  const a = [...items]
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(a.length - i)
    const t = a[i] as T
    a[i] = a[j] as T
    a[j] = t
  }
  return a.slice(0, k)
}

/** One line describing a scenario, for failure reports. */
export function describeScenario(s: BftFuzzScenario): string {
  const vals = s.validators
    .map(
      (v, i) => `${i}:p${v.power}${v.fault ? `:${v.fault.kind}${v.fault.kind === 'late' ? v.fault.lateMs : ''}` : ''}`,
    )
    .join(' ')
  const part = s.partition ? ` partition@${s.partition.fromMs}ms ${JSON.stringify(s.partition.groups)}` : ''
  return (
    `n=${s.validators.length} [${vals}] heights=${s.heights} gst=${s.gstMs}ms drop=${s.dropRate} ` +
    `delay=${s.delayMinMs}-${s.delayMaxMs}ms (pre-GST ≤${s.preGstDelayMaxMs}ms) pause=${s.commitPauseMs}ms${part}`
  )
}
