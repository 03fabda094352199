/**
 * One sync run: round after round, a window of headers from the best peer,
 * then its blocks from every peer that has them, until no peer offers more
 * work. Peers that misbehave are charged and left out for the rest of the run;
 * peers with nothing more to offer are only left out as header sources.
 */
import type { Header } from '../ledger/block.js'
import type { PeerIdString } from '../net/network.js'
import type { Rng } from '../util/rng.js'
import { BlockDownload, type DownloadOptions } from './download.js'
import { faultOf, SyncAborted } from './faults.js'
import { fetchHeaderWindow } from './headers.js'
import type { SyncPenalties } from './limits.js'
import type { SyncFns } from './types.js'

/** Imported headers kept to continue from (a locator over them stays short). */
const TAIL_MAX = 64

export type RunPhase =
  | { state: 'headers'; peer: PeerIdString; targetHeight: number }
  | { state: 'blocks'; peer: PeerIdString; targetHeight: number; download: BlockDownload }

export interface RunDeps {
  fns: SyncFns
  rng: Rng
  penalties: SyncPenalties
  download: DownloadOptions
  headersPerRequest: number
  headersWindowMax: number
  /** Runs one request under the backstop deadline; rejects with SyncAborted when `signal` fires. */
  call<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T>
  signal: AbortSignal
  enter(phase: RunPhase): void
  log(msg: string, fields?: Record<string, unknown>): void
}

export class SyncRun {
  /** Charged (or gone): no more requests to them in this run. */
  private readonly faulted = new Set<PeerIdString>()
  /** Nothing more to offer as a header source; may still serve blocks. */
  private readonly exhausted = new Set<PeerIdString>()
  private tail: Header[] = []

  constructor(
    private readonly deps: RunDeps,
    private preferred?: PeerIdString,
  ) {}

  usable(peer: PeerIdString): boolean {
    return !this.faulted.has(peer)
  }

  async run(): Promise<void> {
    const { deps } = this
    while (!deps.signal.aborted) {
      const peer = this.pickHeaderPeer()
      if (!peer) return
      deps.enter({ state: 'headers', peer, targetHeight: this.targetHeight(peer) })
      let headers: Header[]
      try {
        headers = await fetchHeaderWindow({
          fns: deps.fns,
          peer,
          tail: this.tail,
          windowMax: deps.headersWindowMax,
          perRequestMax: deps.headersPerRequest,
          call: (fn) => deps.call(fn, deps.signal),
        })
      } catch (err) {
        if (err instanceof SyncAborted) return
        this.fault(peer, err)
        continue
      }
      if (headers.length === 0) {
        this.exhausted.add(peer)
        this.checkClaim(peer)
        continue
      }
      const download = new BlockDownload(
        {
          fns: deps.fns,
          headerPeer: peer,
          usable: (p) => this.usable(p),
          drop: (p, penalty, reason) => this.drop(p, penalty, reason),
          call: deps.call,
          signal: deps.signal,
          rng: deps.rng,
          penalties: deps.penalties,
        },
        headers,
        deps.download,
      )
      const top = (headers.at(-1) as Header).height
      deps.enter({ state: 'blocks', peer, targetHeight: Math.max(top, this.targetHeight(peer)), download })
      const outcome = await download.run()
      deps.log('sync: window done', {
        peer,
        from: (headers[0] as Header).height,
        to: top,
        status: outcome.status,
        imported: outcome.imported,
        fresh: outcome.fresh,
        ...(outcome.status === 'refused' ? { error: outcome.error.message } : {}),
      })
      if (outcome.status === 'aborted') return
      this.tail = [...this.tail, ...headers.slice(0, outcome.imported)].slice(-TAIL_MAX)
      // No new block, or the chain refused one: this peer's chain takes us no further in this run.
      if (outcome.fresh === 0 || outcome.status === 'refused') this.exhausted.add(peer)
    }
  }

  /** The hint while it still helps, else the peer announcing the most work above ours (ties at random). */
  private pickHeaderPeer(): PeerIdString | undefined {
    const { fns, rng } = this.deps
    const peers = fns.peers().filter((p) => !this.faulted.has(p) && !this.exhausted.has(p))
    if (this.preferred !== undefined) {
      if (peers.includes(this.preferred)) return this.preferred
      this.preferred = undefined
    }
    let bestWork = fns.localHead().totalWork
    let best: PeerIdString[] = []
    for (const peer of peers) {
      const work = fns.peerHead(peer)?.totalWork
      if (work === undefined || work < bestWork) continue
      if (work > bestWork) {
        bestWork = work
        best = [peer]
      } else if (best.length > 0) best.push(peer)
    }
    return best.length === 0 ? undefined : best[rng.int(best.length)]
  }

  /**
   * The peer has nothing past our locator, so its head is a block we hold, and
   * every block we hold has at most our head's work. A claim above that was
   * never true: charge the peer and stop believing it.
   */
  private checkClaim(peer: PeerIdString): void {
    const { fns, penalties } = this.deps
    const claimed = fns.peerHead(peer)?.totalWork
    const ours = fns.localHead().totalWork
    if (claimed === undefined || claimed <= ours) return
    fns.reportPeer(peer, penalties.claimRefuted, `claimed work ${claimed} but its headers stop at ours (${ours})`)
    fns.refuteClaim?.(peer)
    this.deps.log('sync: peer claimed work its headers do not show', { peer, claimed, ours })
  }

  private targetHeight(peer: PeerIdString): number {
    return Math.max(this.deps.fns.peerHead(peer)?.height ?? 0, this.deps.fns.localHead().height)
  }

  /** Charges the peer what `err` costs it; rethrows errors that are no peer's fault. */
  private fault(peer: PeerIdString, err: unknown): void {
    const fault = faultOf(err, this.deps.penalties)
    if (!fault) throw err
    this.drop(peer, fault.penalty, fault.reason)
  }

  private drop(peer: PeerIdString, penalty: number, reason: string): void {
    if (this.faulted.has(peer)) return
    this.faulted.add(peer)
    if (penalty > 0) this.deps.fns.reportPeer(peer, penalty, reason)
    this.deps.log('sync: dropping peer from this run', { peer, penalty, reason })
  }
}
