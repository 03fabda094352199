/**
 * Per-peer quotas of the light server. sync/serve-quota.ts is built around
 * its two kinds (headers, blocks) and makes a peer wait for its turn; a light
 * client's requests are small and many, so here a request past its peer's
 * quota is refused at once (the stream is reset; the client asks again later
 * or asks another peer), and nothing waits:
 *
 * - at most `inFlightMax` requests of one peer are served at a time;
 * - token buckets per peer (util/token-bucket.ts) count proofs (account and
 *   tx proofs: each reads the state trie or a whole block), headers, and
 *   response bytes; a request is admitted only if its proof or headers are
 *   in the bucket and its bytes are not in debt (bytes are charged once the
 *   answer is built);
 * - refusals are free up to a grace (a bucket of its own); past it each one
 *   costs the peer `overQuotaPenalty`, as sync's refusals do.
 *
 * Time comes from a Clock, so tests and the simulator drive it.
 */
import type { PeerIdString } from '../net/network.js'
import type { Clock } from '../util/clock.js'
import { type BucketRate, KeyedBuckets } from '../util/token-bucket.js'

export type LightServeKind = 'proof' | 'headers'

export interface LightQuotaLimits {
  /** Account and tx proofs served per peer. */
  proofs: BucketRate
  /** Headers served per peer. */
  headers: BucketRate
  /** Response bytes served per peer. */
  bytes: BucketRate
  /** Requests of one peer served at once. */
  inFlightMax: number
  /** Refusals a peer gets for free (refilling), before each costs it `overQuotaPenalty`. */
  grace: BucketRate
  overQuotaPenalty: number
}

export const DEFAULT_LIGHT_QUOTA: LightQuotaLimits = {
  proofs: { capacity: 64, ratePerSec: 16 },
  headers: { capacity: 20_000, ratePerSec: 10_000 },
  bytes: { capacity: 8 * 1024 * 1024, ratePerSec: 4 * 1024 * 1024 },
  inFlightMax: 4,
  grace: { capacity: 32, ratePerSec: 1 },
  overQuotaPenalty: 1,
}

/** A request past its peer's quota, refused before anything was read. Not a protocol fault. */
export class LightServeRefused extends Error {
  override readonly name = 'LightServeRefused'
  constructor(
    readonly code: 'BUSY' | 'OVER_QUOTA',
    message: string,
  ) {
    super(`${code}: ${message}`)
  }
}

export interface LightQuotaDeps {
  clock: Clock
  reportPeer?(peer: PeerIdString, penalty: number, reason: string): void
}

/** Peers with requests in flight are few; the buckets are bounded by KeyedBuckets. */
export class LightQuota {
  readonly limits: LightQuotaLimits
  private readonly inFlight = new Map<PeerIdString, number>()
  private readonly items: Record<LightServeKind, KeyedBuckets<PeerIdString>>
  private readonly bytes: KeyedBuckets<PeerIdString>
  private readonly grace: KeyedBuckets<PeerIdString>
  private refusals = 0

  constructor(
    private readonly deps: LightQuotaDeps,
    limits: Partial<LightQuotaLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIGHT_QUOTA, ...limits }
    const { clock } = deps
    this.items = {
      proof: new KeyedBuckets(this.limits.proofs, clock),
      headers: new KeyedBuckets(this.limits.headers, clock),
    }
    this.bytes = new KeyedBuckets(this.limits.bytes, clock)
    this.grace = new KeyedBuckets(this.limits.grace, clock)
  }

  /** Requests refused so far (all peers). */
  get refused(): number {
    return this.refusals
  }

  /**
   * Admits a request for `items` proofs or headers, taking them from the
   * peer's bucket; returns the function that ends it (call it once, when the
   * answer is built). Throws LightServeRefused.
   */
  admit(peer: PeerIdString, kind: LightServeKind, items: number): () => void {
    const busy = this.inFlight.get(peer) ?? 0
    if (busy >= this.limits.inFlightMax) {
      throw this.refuse(peer, 'BUSY', `${busy} requests of ${peer} are being served`)
    }
    if (this.bytes.get(peer).available() < 0) {
      throw this.refuse(peer, 'OVER_QUOTA', `bytes served to ${peer} are in debt`)
    }
    if (!this.items[kind].tryTake(peer, items)) {
      throw this.refuse(peer, 'OVER_QUOTA', `${kind} quota of ${peer} is spent (${items} asked)`)
    }
    this.inFlight.set(peer, busy + 1)
    let done = false
    return () => {
      if (done) return
      done = true
      const left = (this.inFlight.get(peer) ?? 1) - 1
      if (left > 0) this.inFlight.set(peer, left)
      else this.inFlight.delete(peer)
    }
  }

  /** Charges the response bytes (known only once the answer is built; it may leave the peer in debt). */
  served(peer: PeerIdString, bytes: number): void {
    this.bytes.charge(peer, bytes)
  }

  private refuse(peer: PeerIdString, code: LightServeRefused['code'], message: string): LightServeRefused {
    this.refusals++
    if (!this.grace.tryTake(peer)) {
      this.deps.reportPeer?.(peer, this.limits.overQuotaPenalty, `light requests past the quota (${code})`)
    }
    return new LightServeRefused(code, message)
  }
}
