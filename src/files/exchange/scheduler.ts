/**
 * Which block to ask of which provider, as pure decisions over an injected
 * clock and RNG (no I/O: fetch.ts carries them out). It holds one download's
 * wanted blocks, each provider's have-list, and the requests in flight:
 *
 * - rarest first: a provider is asked for the blocks the fewest providers
 *   hold, chosen at random among the `rarestChoice` rarest it holds, so
 *   providers spread over the pieces instead of all taking the same ones;
 * - depth: each provider holds at most its PeerMeter depth of blocks in
 *   flight (its measured throughput × depthTargetMs, bounded), at most
 *   `peerRequestsMax` requests, and all providers together at most
 *   `inFlightBlocksMax` blocks;
 * - endgame: once every wanted block is asked for and no more are coming, an
 *   idle provider is asked for a block already in flight elsewhere for
 *   longer than `endgameAfterMs` (one block per request, at most
 *   `endgameCopiesMax` copies, the most recently asked first: it would come
 *   last); the first copy to arrive wins, and the requests left with nothing
 *   to deliver are returned for cancelling;
 * - a provider that leaves hands its requests back: their blocks are wanted
 *   again, from the others.
 */
import type { PeerIdString } from '../../net/network.js'
import type { Clock } from '../../util/clock.js'
import type { Rng } from '../../util/rng.js'
import type { FetchLimits } from './limits.js'
import { PeerMeter } from './peer-meter.js'
import { RarityIndex } from './rarity.js'

/** Blocks are 256 KiB chunks until the first ones arrive. */
const BLOCK_BYTES_GUESS = 256 * 1024
/** Blocks delivered before their mean size replaces the guess. */
const MEAN_BLOCK_SAMPLES_MIN = 8
/** Answers smaller than this are not throughput samples (a lone small node measures latency, not rate). */
const METER_SAMPLE_BYTES_MIN = 64 * 1024

export interface WantRequest {
  readonly id: number
  readonly peer: PeerIdString
  /** Block keys asked, in order (the request's indices). */
  readonly keys: readonly string[]
  readonly endgame: boolean
  readonly askedAtMs: number
  /** Keys not yet delivered (by this request or another). */
  readonly pending: Set<string>
}

interface Want {
  key: string
  /** Providers whose have-list holds the block. */
  holders: Set<PeerIdString>
  /** Requests in flight for it. */
  requests: Set<WantRequest>
  /** The availability bucket it sits in (holders.size), or -1 when not waiting to be asked. */
  bucket: number
}

interface Provider {
  id: PeerIdString
  have: Set<string>
  requests: Map<number, WantRequest>
  blocksInFlight: number
  endgameInFlight: number
  meter: PeerMeter
  failures: number
}

export type SchedulerLimits = Pick<
  FetchLimits,
  | 'peersMax'
  | 'inFlightBlocksMax'
  | 'peerDepthMax'
  | 'peerDepthMin'
  | 'peerDepthInitial'
  | 'peerRequestsMax'
  | 'depthTargetMs'
  | 'wantBatchMax'
  | 'rarestChoice'
  | 'endgameCopiesMax'
  | 'endgamePerPeerMax'
  | 'endgameAfterMs'
  | 'peerFailuresMax'
>

export class PieceScheduler {
  private readonly wants = new Map<string, Want>()
  /** Wanted blocks nobody is asked for, by how many providers hold them. */
  private readonly waiting = new RarityIndex<Want>()
  private readonly providers = new Map<PeerIdString, Provider>()
  private readonly requests = new Map<number, WantRequest>()
  private nextId = 1
  private rotation = 0
  private blocksInFlight = 0
  private blockBytesSum = 0
  private blocksSeen = 0

  constructor(
    private readonly deps: { clock: Clock; rng: Rng },
    private readonly limits: SchedulerLimits,
  ) {}

  /** Blocks wanted and not yet delivered. */
  get wantCount(): number {
    return this.wants.size
  }

  get providerCount(): number {
    return this.providers.size
  }

  get requestsInFlight(): number {
    return this.requests.size
  }

  /** Every key still wanted (for a new provider's HAVE). */
  wantedKeys(): string[] {
    return [...this.wants.keys()]
  }

  isWanted(key: string): boolean {
    return this.wants.has(key)
  }

  /** True when no wanted block is waiting to be asked and no provider holds one that is (nothing more to do but wait). */
  get allAsked(): boolean {
    return this.waiting.empty
  }

  /** Wanted blocks that no provider holds and nobody is asked for. */
  unavailableCount(): number {
    let n = 0
    for (const w of this.wants.values()) if (w.holders.size === 0 && w.requests.size === 0) n++
    return n
  }

  /** A block to fetch; a key already wanted is ignored. */
  addWant(key: string): void {
    if (this.wants.has(key)) return
    const want: Want = { key, holders: new Set(), requests: new Set(), bucket: -1 }
    this.wants.set(key, want)
    this.waiting.update(want)
  }

  hasProvider(peer: PeerIdString): boolean {
    return this.providers.has(peer)
  }

  /** Adds a provider; false when the session is full (or it is in already). */
  addProvider(peer: PeerIdString): boolean {
    if (this.providers.has(peer) || this.providers.size >= this.limits.peersMax) return false
    this.providers.set(peer, {
      id: peer,
      have: new Set(),
      requests: new Map(),
      blocksInFlight: 0,
      endgameInFlight: 0,
      meter: new PeerMeter(),
      failures: 0,
    })
    return true
  }

  /** Removes a provider; returns its requests in flight (their blocks are wanted again), for the caller to abort. */
  removeProvider(peer: PeerIdString): WantRequest[] {
    const p = this.providers.get(peer)
    if (!p) return []
    const held = [...p.requests.values()]
    for (const req of held) this.endRequest(req)
    for (const key of p.have) {
      const want = this.wants.get(key)
      if (want) {
        want.holders.delete(peer)
        this.waiting.update(want)
      }
    }
    this.providers.delete(peer)
    return held
  }

  /** A provider's HAVE answer: `have[i]` for `keys[i]`. */
  noteHave(peer: PeerIdString, keys: readonly string[], have: readonly boolean[]): void {
    const p = this.providers.get(peer)
    if (!p) return
    keys.forEach((key, i) => {
      const want = this.wants.get(key)
      if (!want) return
      if (have[i]) {
        p.have.add(key)
        want.holders.add(peer)
      } else {
        p.have.delete(key)
        want.holders.delete(peer)
      }
      this.waiting.update(want)
    })
  }

  /** The provider said it lacks the block after all (a WANT's missing mark). */
  noteDontHave(peer: PeerIdString, key: string): void {
    this.noteHave(peer, [key], [false])
  }

  /**
   * The requests to send now, filling every provider's free depth in turns
   * (one request each per turn, so equal providers get equal shares).
   * `moreComing`: blocks not known yet will be wanted (the DAG is still being
   * expanded), so the endgame must wait.
   */
  nextRequests(moreComing: boolean): WantRequest[] {
    const out: WantRequest[] = []
    const order = [...this.providers.values()]
    if (order.length === 0) return out
    const start = this.rotation++ % order.length
    const rotated = [...order.slice(start), ...order.slice(0, start)]
    let progress = true
    while (progress && this.blocksInFlight < this.limits.inFlightBlocksMax) {
      progress = false
      for (const p of rotated) {
        const req = this.nextRequestFor(p, moreComing)
        if (req) {
          out.push(req)
          progress = true
        }
      }
    }
    return out
  }

  /**
   * A block of `req` arrived (verified by the caller). Returns 'duplicate'
   * when it was delivered already, and otherwise the other requests left
   * with nothing to deliver (for the caller to cancel).
   */
  delivered(req: WantRequest, key: string, bytes: number): 'duplicate' | WantRequest[] {
    req.pending.delete(key)
    const want = this.wants.get(key)
    if (!want) return 'duplicate'
    this.blockBytesSum += bytes
    this.blocksSeen++
    this.wants.delete(key)
    this.waiting.remove(want)
    const idle: WantRequest[] = []
    for (const other of want.requests) {
      if (other === req) continue
      other.pending.delete(key)
      if (other.pending.size === 0) idle.push(other)
    }
    for (const holder of want.holders) this.providers.get(holder)?.have.delete(key)
    return idle
  }

  /** True when the key was delivered (or is no longer wanted). */
  isDelivered(key: string): boolean {
    return !this.wants.has(key)
  }

  /**
   * The request is over with `bytes` of blocks delivered: what it did not
   * deliver is wanted again; the provider's throughput is measured.
   */
  answered(req: WantRequest, bytes: number): void {
    if (!this.requests.has(req.id)) return
    const p = this.providers.get(req.peer)
    if (p && bytes > 0) {
      if (bytes >= METER_SAMPLE_BYTES_MIN) p.meter.answer(bytes, req.askedAtMs, this.deps.clock.nowMs())
      p.failures = 0
    }
    this.endRequest(req)
  }

  /** The request failed (reset, timeout, refused): its blocks are wanted again. True when the provider should leave. */
  failed(req: WantRequest): boolean {
    if (!this.requests.has(req.id)) return false
    this.endRequest(req)
    const p = this.providers.get(req.peer)
    if (!p) return false
    p.failures++
    return p.failures >= this.limits.peerFailuresMax
  }

  /** A cancelled request (its blocks came from elsewhere): ended, no fault. */
  cancelled(req: WantRequest): void {
    if (this.requests.has(req.id)) this.endRequest(req)
  }

  /** The depth a provider has earned now (for tests and progress). */
  depthOf(peer: PeerIdString): number {
    const p = this.providers.get(peer)
    return p ? p.meter.depth(this.limits, this.meanBlockBytes()) : 0
  }

  blocksInFlightAt(peer: PeerIdString): number {
    return this.providers.get(peer)?.blocksInFlight ?? 0
  }

  /** The mean size of blocks delivered, once enough arrived to tell (a small root first says little). */
  private meanBlockBytes(): number {
    return this.blocksSeen < MEAN_BLOCK_SAMPLES_MIN ? BLOCK_BYTES_GUESS : this.blockBytesSum / this.blocksSeen
  }

  private nextRequestFor(p: Provider, moreComing: boolean): WantRequest | undefined {
    if (p.requests.size >= this.limits.peerRequestsMax) return undefined
    const free = Math.min(
      p.meter.depth(this.limits, this.meanBlockBytes()) - p.blocksInFlight,
      this.limits.inFlightBlocksMax - this.blocksInFlight,
    )
    if (free <= 0) return undefined
    const batch: Want[] = []
    const size = Math.min(free, this.limits.wantBatchMax)
    while (batch.length < size) {
      const want = this.waiting.pick(p.id, this.limits.rarestChoice, this.deps.rng)
      if (!want) break
      batch.push(want)
      this.waiting.remove(want)
    }
    if (batch.length > 0) return this.openRequest(p, batch, false)
    if (moreComing || !this.allAsked || p.endgameInFlight >= this.limits.endgamePerPeerMax) return undefined
    const copy = this.pickEndgame(p)
    return copy ? this.openRequest(p, [copy], true) : undefined
  }

  /**
   * A block `p` holds, asked elsewhere and late there, with fewer than
   * endgameCopiesMax copies asked: the one asked most recently (it would
   * come last). A request is late once it is older than twice the time its
   * provider needs, at its measured rate, to deliver all it holds (and never
   * before endgameAfterMs): equal providers then finish with no copies.
   */
  private pickEndgame(p: Provider): Want | undefined {
    const now = this.deps.clock.nowMs()
    let best: Want | undefined
    let bestId = -1
    for (const key of p.have) {
      const want = this.wants.get(key)
      if (!want || want.requests.size === 0 || want.requests.size >= this.limits.endgameCopiesMax) continue
      let askedHere = false
      let late = true
      let latestId = -1
      for (const r of want.requests) {
        if (r.peer === p.id) askedHere = true
        if (now < this.lateAtMs(r)) late = false
        latestId = Math.max(latestId, r.id)
      }
      // request ids grow with time: the highest is the one asked last
      if (!askedHere && late && latestId > bestId) {
        best = want
        bestId = latestId
      }
    }
    return best
  }

  /** When a request turns late: twice its provider's time to deliver all it holds, at least endgameAfterMs. */
  private lateAtMs(req: WantRequest): number {
    const holder = this.providers.get(req.peer)
    const rate = holder?.meter.rateBytesPerSec
    const drainMs =
      holder && rate !== undefined && rate > 0 ? (holder.blocksInFlight * this.meanBlockBytes() * 1000) / rate : 0
    return req.askedAtMs + Math.max(this.limits.endgameAfterMs, 2 * drainMs)
  }

  /** When the next block in flight turns late (endgame), if any could be copied; for the caller's timer. */
  nextLateAtMs(): number | undefined {
    if (this.limits.endgameCopiesMax < 2) return undefined
    let at: number | undefined
    const now = this.deps.clock.nowMs()
    for (const req of this.requests.values()) {
      const due = this.lateAtMs(req)
      if (req.pending.size > 0 && due > now && (at === undefined || due < at)) at = due
    }
    return at
  }

  private openRequest(p: Provider, wants: Want[], endgame: boolean): WantRequest {
    const keys = wants.map((w) => w.key)
    const req: WantRequest = {
      id: this.nextId++,
      peer: p.id,
      keys,
      endgame,
      askedAtMs: this.deps.clock.nowMs(),
      pending: new Set(keys),
    }
    for (const w of wants) w.requests.add(req)
    p.requests.set(req.id, req)
    p.blocksInFlight += keys.length
    if (endgame) p.endgameInFlight++
    this.blocksInFlight += keys.length
    this.requests.set(req.id, req)
    return req
  }

  private endRequest(req: WantRequest): void {
    this.requests.delete(req.id)
    this.blocksInFlight -= req.keys.length
    const p = this.providers.get(req.peer)
    if (p) {
      p.requests.delete(req.id)
      p.blocksInFlight -= req.keys.length
      if (req.endgame) p.endgameInFlight--
    }
    for (const key of req.keys) {
      const want = this.wants.get(key)
      if (!want) continue
      want.requests.delete(req)
      this.waiting.update(want)
    }
  }
}
