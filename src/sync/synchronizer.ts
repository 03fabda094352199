/**
 * The client side of sync: catches our chain up with the peer announcing the
 * most work, headers first, bodies in parallel from every peer that has them.
 * It reaches the network, the chain and time only through what it is given
 * (SyncFns, Clock, Rng, Timers), so tests drive it with fakes.
 */
import type { PeerIdString } from '../net/network.js'
import type { Clock } from '../util/clock.js'
import type { Rng } from '../util/rng.js'
import type { Timers } from '../util/timers.js'
import { StallTimeout, withDeadline } from './deadline.js'
import type { DownloadOptions } from './download.js'
import { BLOCKS_MAX, DEFAULT_PENALTIES, HEADERS_MAX, type SyncPenalties } from './limits.js'
import { type RunPhase, SyncRun } from './run.js'
import type { SyncFns, SyncProgress } from './types.js'

export interface SynchronizerOptions {
  clock: Clock
  rng: Rng
  /** Timers for the backstop deadline of each request; without them the request functions' own timeouts apply. */
  timers?: Timers
  /** Backstop deadline of one request (only with `timers`); doubles per stall, back to this on an answer. */
  requestTimeoutMs?: number
  /** The most the doubling stall deadline reaches. */
  requestTimeoutMaxMs?: number
  /** Headers asked for per request, at most HEADERS_MAX. */
  headersPerRequest?: number
  /** Headers gathered before their bodies are fetched: bounds memory on a long catch-up. */
  headersWindowMax?: number
  /** Block hashes per request. */
  blocksPerBatch?: number
  inFlightPerPeerMax?: number
  /** Downloaded blocks may run this far ahead of the import point. */
  bufferBlocksMax?: number
  /** No new batch starts (except the one import waits for) while this many bytes wait for import. */
  bufferBytesMax?: number
  penalties?: Partial<SyncPenalties>
  log?: (msg: string, fields?: Record<string, unknown>) => void
}

export const SYNC_DEFAULTS = {
  requestTimeoutMs: 10_000,
  requestTimeoutMaxMs: 80_000,
  headersPerRequest: HEADERS_MAX,
  headersWindowMax: 4 * HEADERS_MAX,
  blocksPerBatch: 16,
  inFlightPerPeerMax: 2,
  bufferBlocksMax: 512,
  bufferBytesMax: 64 * 1024 * 1024,
} as const

type Phase = { state: 'idle' } | (RunPhase & { sinceMs: number; run: SyncRun })

export class Synchronizer {
  private readonly opts: Required<Omit<SynchronizerOptions, 'timers' | 'penalties'>> & { timers?: Timers }
  private readonly penalties: SyncPenalties
  private phase: Phase = { state: 'idle' }
  private running: Promise<void> | undefined
  private controller: AbortController | undefined
  private rerun: { hint?: PeerIdString } | undefined
  /** Lives across runs: a slow link stays slow from one run to the next. */
  private readonly stall: StallTimeout

  constructor(
    private readonly fns: SyncFns,
    opts: SynchronizerOptions,
  ) {
    const d = SYNC_DEFAULTS
    this.opts = {
      clock: opts.clock,
      rng: opts.rng,
      timers: opts.timers,
      requestTimeoutMs: opts.requestTimeoutMs ?? d.requestTimeoutMs,
      requestTimeoutMaxMs: Math.max(
        opts.requestTimeoutMaxMs ?? d.requestTimeoutMaxMs,
        opts.requestTimeoutMs ?? d.requestTimeoutMs,
      ),
      headersPerRequest: Math.min(opts.headersPerRequest ?? d.headersPerRequest, HEADERS_MAX),
      headersWindowMax: opts.headersWindowMax ?? d.headersWindowMax,
      blocksPerBatch: Math.min(opts.blocksPerBatch ?? d.blocksPerBatch, BLOCKS_MAX),
      inFlightPerPeerMax: opts.inFlightPerPeerMax ?? d.inFlightPerPeerMax,
      bufferBlocksMax: opts.bufferBlocksMax ?? d.bufferBlocksMax,
      bufferBytesMax: opts.bufferBytesMax ?? d.bufferBytesMax,
      log: opts.log ?? (() => {}),
    }
    this.penalties = { ...DEFAULT_PENALTIES, ...opts.penalties }
    this.stall = new StallTimeout(this.opts.requestTimeoutMs, this.opts.requestTimeoutMaxMs)
  }

  /** The deadline the next sync request gets. */
  get requestTimeoutMs(): number {
    return this.stall.ms
  }

  progress(): SyncProgress {
    const { phase } = this
    if (phase.state === 'idle') return { state: 'idle' }
    const common = {
      peer: phase.peer,
      targetHeight: phase.targetHeight,
      doneHeight: this.fns.localHead().height,
      peerCount: this.fns.peers().filter((p) => phase.run.usable(p)).length,
      sinceMs: phase.sinceMs,
    }
    if (phase.state === 'headers') return { state: 'headers', ...common }
    return { state: 'blocks', ...common, downloadedHeight: phase.download.downloadedHeight }
  }

  /**
   * Catches up with the best peer (`hint` first: the peer that announced more
   * work or gossiped a block with an unknown parent). While a run is going,
   * another call joins it and asks for one more run after it. Never rejects:
   * a bug is logged and ends the run.
   */
  sync(hint?: PeerIdString): Promise<void> {
    if (this.running) {
      this.rerun = { hint: hint ?? this.rerun?.hint }
      return this.running
    }
    const running = this.loop(hint)
    this.running = running
    return running
  }

  /** Aborts in-flight requests and resolves once the run has stopped. */
  async stop(): Promise<void> {
    this.rerun = undefined
    this.controller?.abort()
    await this.running
  }

  private async loop(hint: PeerIdString | undefined): Promise<void> {
    const controller = new AbortController()
    this.controller = controller
    try {
      for (let next: { hint?: PeerIdString } | undefined = { hint }; next && !controller.signal.aborted; ) {
        this.rerun = undefined
        await this.runOnce(next.hint, controller.signal)
        next = this.rerun
      }
    } catch (err) {
      this.opts.log('sync: run failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) })
    } finally {
      this.phase = { state: 'idle' }
      this.controller = undefined
      this.running = undefined
      this.rerun = undefined
    }
  }

  private runOnce(hint: PeerIdString | undefined, signal: AbortSignal): Promise<void> {
    const { opts } = this
    const download: DownloadOptions = {
      batchSize: opts.blocksPerBatch,
      inFlightPerPeerMax: opts.inFlightPerPeerMax,
      bufferBlocksMax: opts.bufferBlocksMax,
      bufferBytesMax: opts.bufferBytesMax,
    }
    const run: SyncRun = new SyncRun(
      {
        fns: this.fns,
        rng: opts.rng,
        penalties: this.penalties,
        download,
        headersPerRequest: opts.headersPerRequest,
        headersWindowMax: opts.headersWindowMax,
        call: (fn, s) =>
          this.stall.track(withDeadline(fn, { signal: s, timers: opts.timers, timeoutMs: this.stall.ms })),
        signal,
        enter: (phase) => {
          this.phase = { ...phase, sinceMs: opts.clock.nowMs(), run }
        },
        log: opts.log,
      },
      hint,
    )
    return run.run()
  }
}
