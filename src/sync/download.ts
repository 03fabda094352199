/**
 * Headers-first, phase two: download the bodies of a window of headers from
 * several peers at once and import them strictly in order.
 *
 * Peers pull batches from one queue, lowest first, round-robin, at most
 * `inFlightPerPeerMax` each, so a fast peer ends up serving more. A peer that
 * times out, answers with blocks we did not ask for, or serves a block that
 * fails import with a `reject` verdict is charged and dropped from the run;
 * what it delivered or had in flight goes back to the queue for the others.
 */
import type { Header } from '../ledger/block.js'
import { VerifyError } from '../ledger/errors.js'
import type { PeerIdString } from '../net/network.js'
import type { Rng } from '../util/rng.js'
import { type Batch, DownloadQueue, type QueueLimits } from './batches.js'
import { faultOf, SyncAborted, SyncPeerError } from './faults.js'
import type { SyncPenalties } from './limits.js'
import type { SyncFns } from './types.js'

export interface DownloadDeps {
  fns: Pick<SyncFns, 'peers' | 'peerHead' | 'requestBlocks' | 'importBlock'>
  /** The peer whose headers these are: it may serve every batch whatever head it announced. */
  headerPeer: PeerIdString
  /** False once the run has dropped the peer. */
  usable(peer: PeerIdString): boolean
  /** Charges the peer (when penalty > 0) and drops it from the run. */
  drop(peer: PeerIdString, penalty: number, reason: string): void
  /** Runs one request under a deadline; rejects with SyncAborted when `signal` fires. */
  call<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T>
  /** The run's stop signal. */
  signal: AbortSignal
  rng: Rng
  penalties: SyncPenalties
}

export interface DownloadOptions extends QueueLimits {
  inFlightPerPeerMax: number
}

interface Counts {
  /** Blocks of the window imported (or already known), from its start. */
  imported: number
  /** Of those, blocks the chain did not know before. */
  fresh: number
}

export type DownloadOutcome =
  | ({ status: 'complete' } & Counts)
  /** No usable peer could serve the rest. */
  | ({ status: 'stuck' } & Counts)
  /** The chain refused a block without blaming anyone (too new, reorg too deep): stop here. */
  | ({ status: 'refused'; error: VerifyError } & Counts)
  | ({ status: 'aborted' } & Counts)

export class BlockDownload {
  readonly queue: DownloadQueue
  private readonly inFlight = new Map<PeerIdString, Set<AbortController>>()
  private readonly order = new Map<PeerIdString, number>()
  private attempts = 0
  private turn = 0
  private importing = false
  private fresh = 0
  private refusal: VerifyError | undefined
  private fatal: unknown
  private dirty = false
  private wake: (() => void) | undefined

  constructor(
    private readonly deps: DownloadDeps,
    headers: readonly Header[],
    private readonly opts: DownloadOptions,
  ) {
    this.queue = new DownloadQueue(headers, opts)
  }

  get downloadedHeight(): number {
    return this.queue.downloadedHeight
  }

  async run(): Promise<DownloadOutcome> {
    const onAbort = (): void => this.poke()
    this.deps.signal.addEventListener('abort', onAbort)
    try {
      for (;;) {
        if (this.fatal !== undefined) throw this.fatal
        if (this.deps.signal.aborted) return this.outcome({ status: 'aborted' })
        if (this.refusal) return this.outcome({ status: 'refused', error: this.refusal })
        if (this.queue.done) return this.outcome({ status: 'complete' })
        this.assign()
        this.startImport()
        if (this.inFlightTotal() === 0 && !this.importing) return this.outcome({ status: 'stuck' })
        await this.changed()
      }
    } finally {
      this.deps.signal.removeEventListener('abort', onAbort)
      for (const controllers of this.inFlight.values()) for (const c of controllers) c.abort()
    }
  }

  private outcome<T extends { status: DownloadOutcome['status'] }>(o: T): T & Counts {
    return { ...o, imported: this.queue.importedCount, fresh: this.fresh }
  }

  /** Peers we may download from, in a per-run random order rotated each pass (round-robin). */
  private downloadPeers(): PeerIdString[] {
    const peers = this.deps.fns.peers().filter((p) => this.deps.usable(p))
    for (const p of peers) if (!this.order.has(p)) this.order.set(p, this.deps.rng.next())
    peers.sort((a, b) => (this.order.get(a) as number) - (this.order.get(b) as number))
    const shift = peers.length === 0 ? 0 : this.turn++ % peers.length
    return [...peers.slice(shift), ...peers.slice(0, shift)]
  }

  private canServe(peer: PeerIdString, batch: Batch): boolean {
    if (batch.lackedBy.has(peer)) return false
    if (peer === this.deps.headerPeer) return true
    return (this.deps.fns.peerHead(peer)?.height ?? -1) >= this.queue.topHeight(batch)
  }

  private assign(): void {
    const peers = this.downloadPeers()
    for (let assigned = true; assigned; ) {
      assigned = false
      for (const peer of peers) {
        if ((this.inFlight.get(peer)?.size ?? 0) >= this.opts.inFlightPerPeerMax) continue
        const batch = this.queue.nextFor((b) => this.canServe(peer, b))
        if (!batch) continue
        this.start(batch, peer)
        assigned = true
      }
    }
  }

  private start(batch: Batch, peer: PeerIdString): void {
    const attempt = ++this.attempts
    batch.startDownload(peer, attempt)
    const controller = new AbortController()
    const mine = this.inFlight.get(peer) ?? new Set()
    mine.add(controller)
    this.inFlight.set(peer, mine)
    const hashes = this.queue.hashes(batch)
    const signal = AbortSignal.any([this.deps.signal, controller.signal])
    this.deps
      .call((s) => this.deps.fns.requestBlocks(peer, hashes, s), signal)
      .then(
        (blocks) => {
          if (!batch.isAttempt(attempt)) return // reassigned meanwhile
          try {
            this.queue.deliver(batch, peer, blocks)
          } catch (err) {
            if (!(err instanceof SyncPeerError)) throw err
            batch.downloadFailed()
            this.dropPeer(peer, this.deps.penalties.unrequestedBlock, err.message)
          }
        },
        (err: unknown) => {
          if (!batch.isAttempt(attempt)) return
          batch.downloadFailed()
          if (err instanceof SyncAborted) return
          const fault = faultOf(err, this.deps.penalties)
          if (!fault) throw err
          this.dropPeer(peer, fault.penalty, fault.reason)
        },
      )
      .catch((err: unknown) => {
        this.fatal ??= err
      })
      .finally(() => {
        mine.delete(controller)
        this.poke()
      })
  }

  private dropPeer(peer: PeerIdString, penalty: number, reason: string): void {
    this.deps.drop(peer, penalty, reason)
    this.queue.disown(peer)
    for (const c of this.inFlight.get(peer) ?? []) c.abort()
  }

  private startImport(): void {
    if (this.importing || !this.queue.ready()) return
    this.importing = true
    this.importReady()
      .catch((err: unknown) => {
        this.fatal ??= err
      })
      .finally(() => {
        this.importing = false
        this.poke()
      })
  }

  private async importReady(): Promise<void> {
    while (!this.deps.signal.aborted && !this.refusal) {
      const next = this.queue.take()
      if (!next) return
      try {
        await this.deps.fns.importBlock(next.block)
        this.fresh++
      } catch (err) {
        if (!(err instanceof VerifyError)) throw err
        if (err.code !== 'BLOCK_KNOWN') {
          if (err.verdict === 'ignore') {
            this.refusal = err
            return
          }
          this.queue.putBack(next.position)
          this.dropPeer(next.peer, err.penalty, `block ${next.block.id} at ${next.block.height}: ${err.message}`)
          return
        }
      }
      this.queue.advance()
    }
  }

  private inFlightTotal(): number {
    let n = 0
    for (const set of this.inFlight.values()) n += set.size
    return n
  }

  private poke(): void {
    this.dirty = true
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private changed(): Promise<void> {
    if (this.dirty) {
      this.dirty = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      this.wake = () => {
        this.dirty = false
        resolve()
      }
    })
  }
}
