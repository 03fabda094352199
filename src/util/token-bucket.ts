/**
 * Token buckets: the one rate-limit primitive of every quota (sync serving,
 * status, gossip, the RPC server). A bucket holds up to `capacity` tokens and
 * refills at `ratePerSec`; a take succeeds only when enough tokens are there,
 * and otherwise says how long until they will be. Time comes from a Clock, so
 * the simulator and tests drive it.
 */
import type { Clock } from './clock.js'

export interface BucketRate {
  /** Most tokens held at once: the largest burst. */
  capacity: number
  /** Tokens added per second. */
  ratePerSec: number
}

export class TokenBucket {
  private tokens: number
  private atMs: number

  constructor(
    private readonly rate: BucketRate,
    private readonly clock: Clock,
  ) {
    checkRate(rate)
    this.tokens = rate.capacity
    this.atMs = clock.nowMs()
  }

  /** Tokens available now (fractional). */
  available(): number {
    this.refill()
    return this.tokens
  }

  /** Takes `n` tokens if there are that many; else takes none and returns false. */
  tryTake(n = 1): boolean {
    this.refill()
    if (this.tokens < n) return false
    this.tokens -= n
    return true
  }

  /**
   * Takes `n` tokens even when that leaves the bucket in debt (for costs known
   * only afterwards, such as bytes sent); later takes wait until it is repaid.
   */
  charge(n: number): void {
    this.refill()
    this.tokens -= n
  }

  /** Ms until `n` tokens are there (0 if they are now); Infinity if `n` exceeds the capacity. */
  waitMs(n = 1): number {
    this.refill()
    if (this.tokens >= n) return 0
    if (n > this.rate.capacity || this.rate.ratePerSec === 0) return Number.POSITIVE_INFINITY
    return Math.ceil(((n - this.tokens) * 1000) / this.rate.ratePerSec)
  }

  /** True when the bucket is full again: an idle bucket can be dropped and made anew. */
  isFull(): boolean {
    this.refill()
    return this.tokens >= this.rate.capacity
  }

  private refill(): void {
    const now = this.clock.nowMs()
    const elapsed = now - this.atMs
    if (elapsed <= 0) return
    this.atMs = now
    this.tokens = Math.min(this.rate.capacity, this.tokens + (elapsed * this.rate.ratePerSec) / 1000)
  }
}

/**
 * One bucket per key (a peer, a client address), made on first use. At most
 * `keysMax` are held: when full, buckets that have refilled completely are
 * dropped (they hold no state a new one would not), and failing that the
 * oldest key goes, so a flood of new keys cannot grow memory.
 */
export class KeyedBuckets<K> {
  private readonly buckets = new Map<K, TokenBucket>()

  constructor(
    private readonly rate: BucketRate,
    private readonly clock: Clock,
    private readonly keysMax = 10_000,
  ) {
    checkRate(rate)
    if (!Number.isInteger(keysMax) || keysMax < 1) throw new RangeError(`keysMax must be an integer >= 1: ${keysMax}`)
  }

  get size(): number {
    return this.buckets.size
  }

  get(key: K): TokenBucket {
    let bucket = this.buckets.get(key)
    if (bucket === undefined) {
      if (this.buckets.size >= this.keysMax) this.makeRoom()
      bucket = new TokenBucket(this.rate, this.clock)
      this.buckets.set(key, bucket)
    }
    return bucket
  }

  tryTake(key: K, n = 1): boolean {
    return this.get(key).tryTake(n)
  }

  charge(key: K, n: number): void {
    this.get(key).charge(n)
  }

  delete(key: K): void {
    this.buckets.delete(key)
  }

  private makeRoom(): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull()) this.buckets.delete(key)
    if (this.buckets.size < this.keysMax) return
    const oldest = this.buckets.keys().next().value
    if (oldest !== undefined) this.buckets.delete(oldest)
  }
}

function checkRate(rate: BucketRate): void {
  if (!Number.isFinite(rate.capacity) || rate.capacity <= 0)
    throw new RangeError(`bucket capacity must be a finite number > 0: ${rate.capacity}`)
  if (!Number.isFinite(rate.ratePerSec) || rate.ratePerSec < 0)
    throw new RangeError(`bucket rate must be a finite number >= 0: ${rate.ratePerSec}`)
}
