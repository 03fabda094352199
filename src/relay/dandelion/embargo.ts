/**
 * The embargo: Dandelion++'s fail-safe. Every node that takes a tx into its
 * stem pool starts a timer for it; if the tx has not come back to it in
 * gossip (fluffed by some later hop) when the timer fires, the node fluffs
 * it itself. So a stem dropped by a dead or malicious hop still reaches the
 * network.
 *
 * The wait is an exponential draw (inverse transform of one uniform draw),
 * never a Poisson count: Monero's bug #9295 drew a Poisson variate and made
 * the embargo average ~39 s instead of ~7 s. With independent exponential
 * timers of mean T on each of k stem hops, each one δ long, the chance that
 * one fires before the tx is fluffed is about k(k-1)δ / 2T (the paper's
 * analysis); the stem's length is geometric with mean 1/q (10 hops), so
 * E[k(k-1)] = 2(1-q)/q² = 180 and T must be thousands of hops long:
 * EMBARGO_MEAN_MS is chosen so the simulator's healthy 200-node network sees
 * ≤ 1% of txs embargoed (bench relay-dandelion).
 * Each draw is capped at EMBARGO_MEAN_FACTOR_MAX means, so a stem tx always
 * leaves the stem pool in bounded time.
 */
import type { Rng } from '../../util/rng.js'
import { exponential } from '../../util/rng.js'
import type { Timers } from '../../util/timers.js'

/** Embargo budget per expected stem hop. */
export const EMBARGO_MS_PER_STEM_HOP = 60_000
/** The stem's expected length at the default 10% fluff probability: 1 / 0.1 hops. */
export const EXPECTED_STEM_HOPS = 10
/**
 * Mean embargo per stem tx and node (config dandelion.embargo_mean_ms): 10
 * minutes. The simulator's 200-node WAN (bench relay-dandelion) sees 0.5% of
 * txs embargoed at this mean, 1.8% at 5 minutes, 7% at 1 minute. It costs
 * only when a hop takes a tx and drops it (a refusing or unreachable hop is
 * passed by at once): the tx is then gossiped by the first of the upstream
 * nodes' timers to fire.
 */
export const EMBARGO_MEAN_MS = EMBARGO_MS_PER_STEM_HOP * EXPECTED_STEM_HOPS
/** The longest embargo, in means: e^-8 ≈ 0.03% of draws are cut to it. */
export const EMBARGO_MEAN_FACTOR_MAX = 8
/** The shortest embargo: a timer of 0 ms would fire before the next hop could answer. */
export const EMBARGO_MS_MIN = 1

/** One embargo wait, exponential with mean `meanMs`, within [EMBARGO_MS_MIN, EMBARGO_MEAN_FACTOR_MAX · meanMs]. */
export function drawEmbargoMs(rng: Rng, meanMs: number): number {
  if (!(meanMs > 0)) throw new RangeError(`embargo mean must be > 0 ms: ${meanMs}`)
  const ms = exponential(rng, meanMs)
  return Math.max(EMBARGO_MS_MIN, Math.min(Math.round(ms), EMBARGO_MEAN_FACTOR_MAX * meanMs))
}

/** One timer per stem tx id; the owner bounds how many ids there are (the stem pool's cap). */
export class EmbargoTimers {
  private readonly pending = new Map<string, unknown>()

  constructor(
    private readonly timers: Timers,
    private readonly rng: Rng,
    readonly meanMs: number,
    private readonly onFire: (id: string) => void,
  ) {
    if (!(meanMs > 0)) throw new RangeError(`embargo mean must be > 0 ms: ${meanMs}`)
  }

  get size(): number {
    return this.pending.size
  }

  has(id: string): boolean {
    return this.pending.has(id)
  }

  /** Starts the embargo of `id` (a second start keeps the first timer); returns its wait in ms, or undefined if one runs. */
  start(id: string): number | undefined {
    if (this.pending.has(id)) return undefined
    const waitMs = drawEmbargoMs(this.rng, this.meanMs)
    const handle = this.timers.setTimeout(() => {
      this.pending.delete(id)
      this.onFire(id)
    }, waitMs)
    this.pending.set(id, handle)
    return waitMs
  }

  /** The tx was fluffed or seen in gossip: its embargo ends without firing. */
  cancel(id: string): void {
    const handle = this.pending.get(id)
    if (handle === undefined) return
    this.timers.clearTimeout(handle)
    this.pending.delete(id)
  }

  cancelAll(): void {
    for (const handle of this.pending.values()) this.timers.clearTimeout(handle)
    this.pending.clear()
  }
}
