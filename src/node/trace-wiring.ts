/**
 * The node's event trace (`peerchain start --trace FILE`, src/trace/format.ts),
 * wired from events the node has anyway; it observes and decides nothing.
 *
 * - `tx`: a tx admitted to the mempool for the first time. Over RPC it is
 *   `local`; by gossip it carries its first copy's arrival time and sender
 *   (the network's copy tap: the moment it arrived, before validation).
 * - `block`: a block stored for the first time. Mined or submitted over RPC it
 *   is `local`; by gossip, or by sync after arriving as an orphan, its first
 *   copy's time and sender; by compact block, the time it was rebuilt (the
 *   whole block in hand, as a gossip copy is) and the peer that sent it;
 *   fetched by sync, the peer that served it.
 * - `copies`: per message, the copies received in the 10 s after the first
 *   (trace/copies.ts); a compact block pushed or announced counts as a copy.
 * - `head` and `reorg` from head changes; `peer` open and close with the
 *   remote IP and direction; `cut` when discipline cuts a peer.
 * - `proc` and `bytes` (per protocol id) every second.
 */
import type { Chain } from '../chain/chain.js'
import { sha256 } from '../ledger/crypto.js'
import type { Mempool } from '../mempool/index.js'
import type { Network, NetworkTaps } from '../net/network.js'
import type { SyncFns } from '../sync/index.js'
import { CopyCounter, type FirstSeen, type MessageKind } from '../trace/copies.js'
import { openTraceFile } from '../trace/file-sink.js'
import { TraceWriter, type TraceWriterLimits } from '../trace/writer.js'
import { BoundedCache } from '../util/bounded-cache.js'
import { toHex } from '../util/bytes.js'
import type { Clock } from '../util/clock.js'
import type { Timers } from '../util/timers.js'
import type { CompactArrivalListener } from './compact-wiring.js'

/** How often `proc` and `bytes` are sampled and copy windows closed. */
export const TRACE_SAMPLE_INTERVAL_MS = 1_000
/** Tx ids remembered as traced, so a tx back in the mempool after a reorg is not "first seen" again. */
const TXS_TRACED_MAX = 200_000
/** Blocks sync fetched, remembered until stored, with the peer that served them. */
const SYNCED_BLOCKS_MAX = 4_096

export interface ProcessSample {
  /** CPU time (user + system) since the trace began, ms. */
  cpuMs: number
  rss: number
}

/** The peer that served each block sync fetched: wraps the sync table (NodeObserver.instrumentSync). */
export class SyncedBlockSources {
  private readonly servedBy = new BoundedCache<string, string>(SYNCED_BLOCKS_MAX)

  instrument(fns: SyncFns): SyncFns {
    return {
      ...fns,
      requestBlocks: async (peer, hashes, signal) => {
        const blocks = await fns.requestBlocks(peer, hashes, signal)
        for (const block of blocks) this.servedBy.set(block.id, peer)
        return blocks
      },
    }
  }

  take(blockId: string): string | undefined {
    const peer = this.servedBy.get(blockId)
    this.servedBy.delete(blockId)
    return peer
  }
}

export interface NodeTraceDeps {
  writer: TraceWriter
  clock: Clock
  timers: Timers
  chain: Pick<Chain, 'onBlockStored' | 'onHeadChange' | 'head'>
  mempool: Pick<Mempool, 'onAdded'>
  /** Before it starts: the copy tap is installed at start. */
  network: Pick<Network, 'on' | 'peers'> & NetworkTaps
  topics: { tx: string; block: string }
  syncSources: SyncedBlockSources
  /** Compact blocks' arrivals and rebuilds; unset when the node relays full blocks only. */
  compact?: { onArrival(listener: CompactArrivalListener): void }
  sampleProcess(): ProcessSample
}

/** The copy counter's key for compact-block copies (gossip copies are keyed by their message id). */
const compactKey = (blockId: string): string => `cmpct:${blockId}`

export class NodeTrace {
  private readonly copies: CopyCounter
  private readonly txsTraced = new BoundedCache<string, true>(TXS_TRACED_MAX)
  /** Blocks rebuilt from compact blocks, until stored: when, and from whom. */
  private readonly rebuilt = new BoundedCache<string, FirstSeen>(SYNCED_BLOCKS_MAX)
  private readonly peers = new Map<string, { ip?: string; dir: 'in' | 'out' }>()
  private readonly kindOf: ReadonlyMap<string, MessageKind>
  private headId: string
  private timer: unknown
  private stopped = false

  constructor(private readonly deps: NodeTraceDeps) {
    const { writer, clock, chain, mempool, network } = deps
    this.copies = new CopyCounter(clock, (line) => writer.write(line))
    this.kindOf = new Map([
      [deps.topics.tx, 'tx'],
      [deps.topics.block, 'block'],
    ])
    this.headId = chain.head.id
    network.onMessageCopy(({ topic, msgId, from }) => {
      const kind = this.kindOf.get(topic)
      if (kind !== undefined) this.copies.copy(kind, msgId, from)
    })
    deps.compact?.onArrival({
      arrived: (peer, blockId) => this.copies.copy('block', compactKey(blockId), peer),
      rebuilt: (peer, blockId) => {
        if (!this.rebuilt.has(blockId)) this.rebuilt.set(blockId, { t: clock.nowMs(), from: peer })
      },
    })
    mempool.onAdded((tx, _status, source) => {
      if (this.txsTraced.has(tx.id)) return
      this.txsTraced.set(tx.id, true)
      if (source === 'rpc') this.copies.local('tx', tx.id, tx.id)
      const first = source === 'rpc' ? undefined : this.copies.firstSeen(tx.id)
      const { t, from } = first ?? { t: clock.nowMs(), from: source === 'rpc' ? 'local' : 'unknown' }
      writer.write({ t, e: 'tx', id: tx.id, from, bytes: tx.bytes.byteLength })
    })
    chain.onBlockStored((block, source) => {
      if (source === 'store') return
      const msgId = toHex(sha256(block.bytes))
      let first: { t: number; from: string } | undefined
      if (source === 'mined' || source === 'rpc') {
        this.copies.local('block', msgId, block.id)
      } else {
        const compactCopy = this.copies.identify(compactKey(block.id), block.id)
        const rebuilt = this.rebuilt.get(block.id)
        this.rebuilt.delete(block.id)
        // A compact block given up for the full block: stored now, from the peer that first offered it.
        const fetched = compactCopy && { t: clock.nowMs(), from: compactCopy.from }
        first = this.copies.identify(msgId, block.id) ?? rebuilt ?? fetched
        const servedBy = deps.syncSources.take(block.id)
        if (first === undefined && source === 'sync') first = { t: clock.nowMs(), from: servedBy ?? 'unknown' }
      }
      const { t, from } = first ?? { t: clock.nowMs(), from: source === 'gossip' ? 'unknown' : 'local' }
      const { height, parentId } = block.header
      writer.write({ t, e: 'block', hash: block.id, height, from, parent: parentId, bytes: block.bytes.byteLength })
    })
    chain.onHeadChange((change) => {
      const t = clock.nowMs()
      if (change.disconnectedCount > 0) {
        writer.write({ t, e: 'reorg', depth: change.disconnectedCount, from: this.headId, to: change.head.id })
      }
      this.headId = change.head.id
      writer.write({ t, e: 'head', hash: change.head.id, height: change.head.height })
    })
    network.on('peer:connect', (peer) => this.peerOpened(peer))
    network.on('peer:disconnect', (peer) => this.peerClosed(peer))
    network.onPeerCut((cut) => writer.write({ t: clock.nowMs(), e: 'cut', ...cut }))
    this.schedule()
  }

  /** Closes the copy windows, writes a last sample and `stop`, and closes the file. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer)
    this.copies.closeAll()
    this.sample()
    await this.deps.writer.stop()
  }

  private schedule(): void {
    this.timer = this.deps.timers.setTimeout(() => {
      if (this.stopped) return
      this.copies.sweep()
      this.sample()
      this.schedule()
    }, TRACE_SAMPLE_INTERVAL_MS)
  }

  private sample(): void {
    const { writer, clock, network } = this.deps
    const t = clock.nowMs()
    const { cpuMs, rss } = this.deps.sampleProcess()
    writer.write({ t, e: 'proc', cpuMs, rss })
    writer.write({ t, e: 'bytes', proto: network.protocolTraffic() })
  }

  private peerOpened(peer: string): void {
    const info = this.deps.network.peers().find((p) => p.id === peer)
    const ip = info?.addresses.map(ipOfMultiaddr).find((a) => a !== undefined)
    const seen = { dir: info?.direction === 'outbound' ? ('out' as const) : ('in' as const), ...(ip ? { ip } : {}) }
    this.peers.set(peer, seen)
    this.deps.writer.write({ t: this.deps.clock.nowMs(), e: 'peer', op: 'open', peer, ...seen })
  }

  private peerClosed(peer: string): void {
    const seen = this.peers.get(peer) ?? { dir: 'in' as const }
    this.peers.delete(peer)
    this.deps.writer.write({ t: this.deps.clock.nowMs(), e: 'peer', op: 'close', peer, ...seen })
  }
}

/** `/ip4/127.0.3.1/tcp/…` → `127.0.3.1`. */
export function ipOfMultiaddr(addr: string): string | undefined {
  return /^\/ip[46]\/([^/]+)/.exec(addr)?.[1]
}

export interface OpenNodeTraceInit extends Omit<NodeTraceDeps, 'writer'> {
  path: string
  peerId: string
  pid: number
  limits?: Partial<TraceWriterLimits>
  onWriteError(err: unknown): void
}

/** Opens (appends to) the trace file, writes `start` and wires the node's events. */
export async function openNodeTrace(init: OpenNodeTraceInit): Promise<NodeTrace> {
  const sink = await openTraceFile(init.path)
  const writer = new TraceWriter(
    { sink, clock: init.clock, timers: init.timers, onError: init.onWriteError },
    { peerId: init.peerId, pid: init.pid },
    init.limits,
  )
  return new NodeTrace({ ...init, writer })
}
