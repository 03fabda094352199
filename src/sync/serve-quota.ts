/**
 * Per-peer quotas of the sync server, so no peer can take more than its share
 * of our disk reads and upload, and none can starve the others:
 *
 * - each peer's requests of one kind (headers, blocks) are served one at a
 *   time, in arrival order; at most `queueMax` more wait, and past that a
 *   request is refused at once (a flood of streams costs us no reads);
 * - token buckets per peer count what it was served, in items (headers,
 *   blocks) and in bytes; a peer in debt waits until it is repaid (slowed),
 *   and a request that would wait more than `waitMaxMs` is refused;
 * - refusals are free up to a grace (a bucket of its own); past it each one
 *   costs the peer `overQuotaPenalty`.
 *
 * Everything is per peer, so a peer over its quota slows only itself. Time
 * and timers come from outside (the simulator drives them).
 */
import type { PeerIdString } from '../net/network.js'
import type { Clock } from '../util/clock.js'
import { sleep, type Timers } from '../util/timers.js'
import { type BucketRate, KeyedBuckets } from '../util/token-bucket.js'

export type ServeKind = 'headers' | 'blocks'

export interface ServeQuotaLimits {
  /** Headers served per peer. */
  headers: BucketRate
  /** Blocks served per peer. */
  blocks: BucketRate
  /** Response bytes (headers and blocks) served per peer. */
  bytes: BucketRate
  /** Requests of one kind waiting behind the one being served, per peer. */
  queueMax: number
  /** A request that would wait longer than this for its peer's quota is refused. */
  waitMaxMs: number
  /** Refusals a peer gets for free (refilling), before each costs it `overQuotaPenalty`. */
  grace: BucketRate
  overQuotaPenalty: number
}

export const DEFAULT_SERVE_QUOTA: ServeQuotaLimits = {
  headers: { capacity: 20_000, ratePerSec: 10_000 },
  blocks: { capacity: 2_048, ratePerSec: 1_024 },
  bytes: { capacity: 32 * 1024 * 1024, ratePerSec: 16 * 1024 * 1024 },
  queueMax: 2,
  waitMaxMs: 5_000,
  grace: { capacity: 32, ratePerSec: 1 },
  overQuotaPenalty: 1,
}

/** A request past its peer's quota, refused before anything was read. Not a protocol fault. */
export class SyncServeRefused extends Error {
  override readonly name = 'SyncServeRefused'
  constructor(
    readonly code: 'QUEUE_FULL' | 'OVER_QUOTA',
    message: string,
  ) {
    super(`${code}: ${message}`)
  }
}

interface Lane {
  busy: boolean
  waiting: Array<() => void>
}

export interface ServeQuotaDeps {
  clock: Clock
  timers: Timers
  reportPeer?(peer: PeerIdString, penalty: number, reason: string): void
}

export class ServeQuota {
  readonly limits: ServeQuotaLimits
  private readonly lanes = new Map<string, Lane>()
  private readonly items: Record<ServeKind, KeyedBuckets<PeerIdString>>
  private readonly bytes: KeyedBuckets<PeerIdString>
  private readonly grace: KeyedBuckets<PeerIdString>
  private refusals = 0

  constructor(
    private readonly deps: ServeQuotaDeps,
    limits: Partial<ServeQuotaLimits> = {},
  ) {
    this.limits = { ...DEFAULT_SERVE_QUOTA, ...limits }
    const { clock } = deps
    this.items = {
      headers: new KeyedBuckets(this.limits.headers, clock),
      blocks: new KeyedBuckets(this.limits.blocks, clock),
    }
    this.bytes = new KeyedBuckets(this.limits.bytes, clock)
    this.grace = new KeyedBuckets(this.limits.grace, clock)
  }

  /** Requests refused so far (all peers). */
  get refused(): number {
    return this.refusals
  }

  /**
   * Waits for the peer's turn and its quota; resolves with the function that
   * ends its turn (call it once the answer is built). Throws SyncServeRefused.
   */
  async admit(peer: PeerIdString, kind: ServeKind): Promise<() => void> {
    const key = `${kind} ${peer}`
    let lane = this.lanes.get(key)
    if (!lane) {
      lane = { busy: false, waiting: [] }
      this.lanes.set(key, lane)
    }
    if (lane.busy) {
      if (lane.waiting.length >= this.limits.queueMax) {
        throw this.refuse(peer, 'QUEUE_FULL', `${kind} requests of ${peer}: ${this.limits.queueMax} already wait`)
      }
      const turn = lane.waiting
      await new Promise<void>((resolve) => turn.push(resolve))
    }
    lane.busy = true
    const release = this.releaser(key, lane)
    try {
      const waitMs = Math.max(this.items[kind].get(peer).waitMs(1), this.bytes.get(peer).waitMs(1))
      if (waitMs > this.limits.waitMaxMs) {
        throw this.refuse(peer, 'OVER_QUOTA', `${kind} requests of ${peer}: quota back in ${waitMs} ms`)
      }
      if (waitMs > 0) await sleep(this.deps.timers, waitMs)
    } catch (err) {
      release()
      throw err
    }
    return release
  }

  /** Charges what the peer was served (known only once the answer is built; it may leave the peer in debt). */
  served(peer: PeerIdString, kind: ServeKind, items: number, bytes: number): void {
    this.items[kind].charge(peer, items)
    this.bytes.charge(peer, bytes)
  }

  private refuse(peer: PeerIdString, code: SyncServeRefused['code'], message: string): SyncServeRefused {
    this.refusals++
    if (!this.grace.tryTake(peer)) {
      this.deps.reportPeer?.(peer, this.limits.overQuotaPenalty, `sync requests past the quota (${code})`)
    }
    return new SyncServeRefused(code, message)
  }

  /** Hands the lane to the next waiting request, or frees it; a second call does nothing. */
  private releaser(key: string, lane: Lane): () => void {
    let done = false
    return () => {
      if (done) return
      done = true
      const next = lane.waiting.shift()
      if (next) next()
      else {
        lane.busy = false
        this.lanes.delete(key)
      }
    }
  }
}
