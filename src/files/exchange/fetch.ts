/**
 * `fetchDag`: downloads a UnixFS DAG from many providers at once over the
 * files protocol, carrying out PieceScheduler's decisions. It asks each
 * provider which wanted blocks it holds (HAVE), asks for blocks (WANT),
 * verifies every block against its CID before storing it, expands dag-pb
 * nodes into their children (only while fewer than `pendingWindow` blocks are
 * wanted, depth first, so memory stays bounded whatever the DAG's size), and
 * skips blocks the store holds already (resume). A provider that sends wrong
 * bytes is charged and leaves the session; one that fails or stalls has its
 * requests moved to the others and leaves after `peerFailuresMax` failures.
 * Clock, timers, RNG and network come from outside.
 */
import type { CID } from 'multiformats/cid'
import { type Network, type PeerIdString, RequestError } from '../../net/network.js'
import type { Clock } from '../../util/clock.js'
import type { Rng } from '../../util/rng.js'
import type { Timers } from '../../util/timers.js'
import { checkCid, cidKey, DAG_PB_CODE, digestMatches } from './cid.js'
import { decodeHaveAnswer, decodeWantAnswer, encodeFilesRequest } from './codec.js'
import { FilesFetchError, FilesWireError } from './errors.js'
import { DagFrontier } from './frontier.js'
import { type AnswerHasher, inThreadHasher } from './hasher.js'
import {
  DEFAULT_FETCH_LIMITS,
  type FetchLimits,
  FILES_PENALTIES,
  FILES_REQUEST_LIMITS,
  filesProtocol,
  HAVE_CIDS_MAX,
} from './limits.js'
import { type FetchProgress, ProgressCounter } from './progress.js'
import { PieceScheduler, type WantRequest } from './scheduler.js'
import type { ExchangeStore } from './store.js'

/** The part of Network a download uses. */
export type FilesNetwork = Pick<Network, 'request' | 'reportPeer'>

/** Candidate providers of `root`: connected peers, DHT results… Ending it means no more are coming. */
export type ProviderSource = (root: CID, signal: AbortSignal) => AsyncIterable<PeerIdString> | Iterable<PeerIdString>

export interface FetchDagOptions {
  network: FilesNetwork
  chainId: string
  providers: ProviderSource
  store: ExchangeStore
  clock: Clock
  timers: Timers
  rng: Rng
  onProgress?(progress: FetchProgress): void
  signal?: AbortSignal
  limits?: Partial<FetchLimits>
  /** Hashes the blocks of each answer (default: on this thread; HashWorkers: on worker threads). */
  hasher?: AnswerHasher
}

interface Sent {
  req: WantRequest
  cids: CID[]
  abort: AbortController
  cancelled: boolean
}

/** Downloads the DAG under `root` into `opts.store`; resolves with the final progress, or rejects with a typed error. */
export function fetchDag(root: CID, opts: FetchDagOptions): Promise<FetchProgress> {
  return new FetchSession(root, opts).run()
}

/** Yields every id of each source in turn, each id once (connected peers first, then the DHT's). */
export function combineProviders(...sources: ProviderSource[]): ProviderSource {
  return async function* (root, signal) {
    const seen = new Set<PeerIdString>()
    for (const source of sources) {
      for await (const peer of source(root, signal)) {
        if (signal.aborted) return
        if (seen.has(peer)) continue
        seen.add(peer)
        yield peer
      }
    }
  }
}

class FetchSession {
  private readonly limits: FetchLimits
  private readonly sched: PieceScheduler
  private readonly protocol: string
  private readonly frontier: DagFrontier
  private readonly hasher: AnswerHasher
  private expanding = false
  /** The root's own discovery is done (until then, nothing can be finished). */
  private rootKnown = false
  /** Blocks verified and being stored and expanded: their children may still come. */
  private storing = 0
  /** Per provider: wanted keys not yet asked in a HAVE, and whether a HAVE is in flight. */
  private readonly haves = new Map<PeerIdString, { unasked: string[]; inFlight: boolean }>()
  private readonly sent = new Map<number, Sent>()
  /** Providers that left the session: not taken back (bounded: the oldest are forgotten). */
  private readonly gone = new Set<PeerIdString>()
  private readonly progress: ProgressCounter
  private readonly stop = new AbortController()
  private sourceDone = false
  private finished = false
  private resolve!: (p: FetchProgress) => void
  private reject!: (err: unknown) => void
  private progressTimer: unknown
  /** Wakes the pump when a block in flight turns late (the endgame's copies). */
  private lateTimer: unknown
  private lateAtMs: number | undefined

  constructor(
    private readonly root: CID,
    private readonly opts: FetchDagOptions,
  ) {
    this.limits = { ...DEFAULT_FETCH_LIMITS, ...opts.limits }
    this.sched = new PieceScheduler({ clock: opts.clock, rng: opts.rng }, this.limits)
    this.protocol = filesProtocol(opts.chainId)
    this.hasher = opts.hasher ?? inThreadHasher
    this.progress = new ProgressCounter(root.toString(), opts.clock)
    this.frontier = new DagFrontier(opts.store, {
      wanted: (key, depth) => this.want(key, depth),
      resumed: (bytes) => this.progress.resumed(bytes),
      fileBytes: (bytes) => {
        this.progress.bytesTotal = bytes
      },
    })
  }

  run(): Promise<FetchProgress> {
    try {
      checkCid(this.root)
    } catch (err) {
      return Promise.reject(err)
    }
    const { signal } = this.opts
    if (signal?.aborted) return Promise.reject(new FilesFetchError('ABORTED', 'aborted before it started'))
    const done = new Promise<FetchProgress>((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
    signal?.addEventListener('abort', () => this.fail(new FilesFetchError('ABORTED', 'the download was aborted')), {
      once: true,
    })
    this.scheduleProgress()
    void this.frontier.discover([{ cid: this.root, sizeHint: 0 }], 0).then(
      () => {
        this.rootKnown = true
        this.pump()
      },
      (err) => this.fail(err),
    )
    void this.takeProviders()
    return done
  }

  private async takeProviders(): Promise<void> {
    try {
      for await (const peer of this.opts.providers(this.root, this.stop.signal)) {
        if (this.finished) return
        if (this.gone.has(peer) || !this.sched.addProvider(peer)) continue
        const rootKey = cidKey(this.root)
        // a provider of the root is taken to hold it (a WANT's missing mark says otherwise): no HAVE round first
        if (this.sched.isWanted(rootKey)) this.sched.noteHave(peer, [rootKey], [true])
        this.haves.set(peer, { unasked: this.sched.wantedKeys().filter((k) => k !== rootKey), inFlight: false })
        this.progress.providers = this.sched.providerCount
        this.pump()
      }
    } catch {
      // a failed lookup (the DHT's) ends the source like an exhausted one: the providers found so far go on
    }
    this.sourceDone = true
    this.pump()
  }

  /** A block the frontier found missing from the store. */
  private want(key: string, depth: number): void {
    this.sched.addWant(key)
    // The providers in the session hold the root, and a provider of a DAG usually holds all of it: each is
    // presumed to hold the block until its HAVE answer (asked at once) or a WANT's missing mark says otherwise,
    // so the first blocks are asked without waiting a round trip for the have-lists.
    for (const [peer, h] of this.haves) {
      this.sched.noteHave(peer, [key], [true])
      if (depth > 0) h.unasked.push(key)
    }
  }

  /** Room for more wanted blocks (the window). */
  private readonly room = (): number => this.limits.pendingWindow - this.sched.wantCount

  private get moreComing(): boolean {
    return !this.rootKnown || this.storing > 0 || this.frontier.expandable || this.expanding
  }

  /** Starts whatever can start now; finishes the download when nothing is left. */
  private pump(): void {
    if (this.finished) return
    if (!this.expanding && this.frontier.expandable && this.room() > 0) {
      this.expanding = true
      this.frontier
        .expand(this.room, () => this.finished)
        .then(
          () => {
            this.expanding = false
            this.pump()
          },
          (err) => this.fail(err),
        )
    }
    for (const [peer, h] of this.haves) if (!h.inFlight && h.unasked.length > 0) this.askHave(peer, h)
    for (const req of this.sched.nextRequests(this.moreComing)) this.askWant(req)
    this.watchLate()
    this.checkEnd()
  }

  /** Sets the timer for the next block in flight to turn late, when the endgame could copy it. */
  private watchLate(): void {
    const at = this.moreComing || !this.sched.allAsked ? undefined : this.sched.nextLateAtMs()
    if (at === this.lateAtMs) return
    this.opts.timers.clearTimeout(this.lateTimer)
    this.lateAtMs = at
    if (at === undefined) return
    this.lateTimer = this.opts.timers.setTimeout(
      () => {
        this.lateAtMs = undefined
        this.pump()
      },
      Math.max(at - this.opts.clock.nowMs(), 1),
    )
  }

  private checkEnd(): void {
    if (this.sched.wantCount === 0 && !this.moreComing) {
      this.finish()
      return
    }
    const busy =
      this.sent.size > 0 || this.moreComing || [...this.haves.values()].some((h) => h.inFlight || h.unasked.length > 0)
    if (!busy && this.sourceDone) {
      this.fail(
        new FilesFetchError(
          'UNAVAILABLE',
          `${this.sched.wantCount} blocks of ${this.root} held by none of the ${this.sched.providerCount} providers left`,
        ),
      )
    }
  }

  private askHave(peer: PeerIdString, h: { unasked: string[]; inFlight: boolean }): void {
    const keys = h.unasked.splice(0, HAVE_CIDS_MAX).filter((k) => this.frontier.isWanted(k))
    if (keys.length === 0) return
    h.inFlight = true
    const cids = keys.map((k) => this.frontier.cidOf(k))
    this.request(peer, encodeFilesRequest({ kind: 'have', cids }))
      .then(
        (bytes) => {
          if (!this.sched.hasProvider(peer)) return
          this.sched.noteHave(peer, keys, decodeHaveAnswer(bytes, keys.length))
        },
        (err) => this.onFailure(peer, undefined, err),
      )
      .catch((err) => this.onFailure(peer, undefined, err))
      .finally(() => {
        h.inFlight = false
        this.pump()
      })
  }

  private askWant(req: WantRequest): void {
    const cids = req.keys.map((k) => this.frontier.cidOf(k))
    const sent: Sent = { req, cids, abort: new AbortController(), cancelled: false }
    this.sent.set(req.id, sent)
    const stall = this.opts.timers.setTimeout(
      () => sent.abort.abort(new RequestError('TIMEOUT', 'no answer within the stall timeout')),
      this.limits.stallTimeoutMs,
    )
    this.request(req.peer, encodeFilesRequest({ kind: 'want', cids }), sent.abort.signal)
      .then((bytes) => this.onWantAnswer(sent, bytes))
      .catch((err) => {
        if (sent.cancelled) this.sched.cancelled(req)
        else this.onFailure(req.peer, req, err)
      })
      .finally(() => {
        this.opts.timers.clearTimeout(stall)
        this.sent.delete(req.id)
        this.pump()
      })
  }

  private request(peer: PeerIdString, bytes: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const abandon = signal ? AbortSignal.any([signal, this.stop.signal]) : this.stop.signal
    return this.opts.network.request(peer, this.protocol, bytes, FILES_REQUEST_LIMITS, abandon)
  }

  private async onWantAnswer(sent: Sent, bytes: Uint8Array): Promise<void> {
    const { req, cids } = sent
    if (this.finished || !this.sched.hasProvider(req.peer)) return
    const answer = decodeWantAnswer(bytes, cids.length)
    answer.dontHave.forEach((missing, i) => {
      if (missing) this.sched.noteDontHave(req.peer, req.keys[i] as string)
    })
    let delivered = 0
    const ranges = answer.blocks.map((b) => ({
      offset: b.bytes.byteOffset - bytes.byteOffset,
      length: b.bytes.byteLength,
    }))
    const hashed = await this.hasher.digests(bytes, ranges)
    if (this.finished || !this.sched.hasProvider(req.peer)) return
    for (const [i, { index }] of answer.blocks.entries()) {
      const key = req.keys[index] as string
      const cid = cids[index] as CID
      const { offset, length } = ranges[i] as { offset: number; length: number }
      const block = hashed.answer.subarray(offset, offset + length)
      if (this.sched.isDelivered(key)) {
        this.sched.delivered(req, key, block.byteLength)
        this.progress.duplicate(block.byteLength)
        continue
      }
      if (!digestMatches(cid, hashed.digests[i] as Uint8Array)) {
        this.opts.network.reportPeer(req.peer, FILES_PENALTIES.wrongBlock, `files: wrong bytes for ${cid}`)
        this.dropProvider(req.peer)
        return
      }
      const idle = this.sched.delivered(req, key, block.byteLength)
      if (idle !== 'duplicate') for (const other of idle) this.cancel(other)
      const depth = this.frontier.arrived(key)
      this.storing++
      try {
        await this.opts.store.put(cid, block)
        if (cid.code === DAG_PB_CODE) await this.frontier.nodeArrived(cid, block, depth)
      } finally {
        this.storing--
      }
      this.progress.fetched(req.peer, block.byteLength)
      delivered += block.byteLength
      if (this.finished) return
    }
    this.sched.answered(req, delivered)
  }

  private cancel(req: WantRequest): void {
    const sent = this.sent.get(req.id)
    if (!sent || sent.cancelled) return
    sent.cancelled = true
    this.sched.cancelled(req)
    sent.abort.abort(new Error('cancelled: its blocks came from another provider'))
  }

  /** A request failed: a fault of ours (store, DAG) ends the download; the provider's is charged and counted. */
  private onFailure(peer: PeerIdString, req: WantRequest | undefined, err: unknown): void {
    if (this.finished) return
    if (!(err instanceof RequestError || err instanceof FilesWireError)) {
      this.fail(err)
      return
    }
    if (err instanceof FilesWireError) {
      this.opts.network.reportPeer(peer, FILES_PENALTIES.protocol, `files answer: ${err.message}`)
    } else if (err.code === 'TIMEOUT') {
      this.opts.network.reportPeer(peer, FILES_PENALTIES.timeout, 'files: no answer in time')
    }
    const leave = req ? this.sched.failed(req) : true
    // unreachable (its process is gone) or malformed: no use asking it again
    const gone = err instanceof RequestError && err.code === 'DIAL_FAILED'
    if (leave || gone || err instanceof FilesWireError) this.dropProvider(peer)
  }

  private dropProvider(peer: PeerIdString): void {
    for (const req of this.sched.removeProvider(peer)) {
      const sent = this.sent.get(req.id)
      if (sent && !sent.cancelled) {
        sent.cancelled = true
        sent.abort.abort(new Error('the provider left the session'))
      }
    }
    this.haves.delete(peer)
    if (this.gone.size >= this.limits.peersMax * 4) this.gone.delete(this.gone.values().next().value as string)
    this.gone.add(peer)
    this.progress.providers = this.sched.providerCount
  }

  private scheduleProgress(): void {
    if (!this.opts.onProgress) return
    this.progressTimer = this.opts.timers.setTimeout(() => {
      if (this.finished) return
      this.opts.onProgress?.(this.progress.snapshot())
      this.scheduleProgress()
    }, this.limits.progressIntervalMs)
  }

  private finish(): void {
    if (this.finished) return
    this.end()
    const last = this.progress.snapshot()
    this.opts.onProgress?.(last)
    this.resolve(last)
  }

  private fail(err: unknown): void {
    if (this.finished) return
    this.end()
    this.reject(err)
  }

  private end(): void {
    this.finished = true
    this.opts.timers.clearTimeout(this.progressTimer)
    this.opts.timers.clearTimeout(this.lateTimer)
    this.stop.abort(new Error('the download is over'))
    for (const sent of this.sent.values()) sent.cancelled = true
  }
}
