/**
 * peerchain's own metrics, all named `peerchain_*` (docs/METRICS.md lists
 * them). Events (blocks, gossip verdicts, txs, reorgs) are counted as they
 * happen through the methods below; levels (peers, head, mempool, sync,
 * traffic) are read from `NodeMetricsSources` at each scrape, so they cost
 * nothing between scrapes and are never stale.
 *
 * Label values come from fixed sets: a reason is a rule code (anything else
 * becomes OTHER), and no label ever holds a peer id, a hash or an address.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { RULES } from '../ledger/errors.js'

export type BlockSource = 'gossip' | 'sync' | 'mined'
export type TxSource = 'gossip' | 'rpc'
export type GossipTopic = 'tx' | 'block'
export type GossipVerdictLabel = 'accept' | 'ignore' | 'reject'

export type SyncSnapshot = { state: 'idle' } | { state: 'headers' | 'blocks'; doneHeight: number; targetHeight: number }

/** What the scrape reads; every function must be cheap, synchronous and not throw. */
export interface NodeMetricsSources {
  peerCounts(): { inbound: number; outbound: number }
  headHeight(): number
  mempool(): { txs: number; bytes: number }
  orphanBlocks(): number
  sync(): SyncSnapshot
  /** Bytes through every connection's transport since the network started, and the request streams opened ahead. */
  traffic(): { bytesIn: number; bytesOut: number; streamsAhead?: { opened: number; taken: number; expired: number } }
}

/** What the proof-of-stake gauges read at each scrape; cheap, synchronous, never throwing. */
export interface PosMetricsSources {
  /** The validators of the next height (pc1… addresses) and their missed votes in the window. */
  missedVotes(): ReadonlyArray<{ address: string; missed: number }>
  /** Head height minus the last final block's height. */
  finalityLag(): number
}

/** `peerchain_pos_rounds_per_height` buckets: the decided round + 1. */
export const ROUNDS_PER_HEIGHT_BUCKETS = [1, 2, 3, 4, 6, 8, 12, 16]
/** `peerchain_pos_commit_latency_seconds` buckets. */
export const COMMIT_LATENCY_BUCKETS = [0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 10, 15, 30, 60]

/** `peerchain_sync_state` values. */
export const SYNC_STATE_VALUE = { idle: 0, headers: 1, blocks: 2 } as const

/** A rule code stays a label value; an unknown string becomes OTHER, so the label set stays bounded. */
const REASONS: ReadonlySet<string> = new Set([...Object.keys(RULES), 'INTERNAL'])

export function reasonLabel(code: string | undefined): string {
  return code !== undefined && REASONS.has(code) ? code : 'OTHER'
}

const BLOCK_SOURCES: readonly BlockSource[] = ['gossip', 'sync', 'mined']
const TX_SOURCES: readonly TxSource[] = ['gossip', 'rpc']
const TOPICS: readonly GossipTopic[] = ['tx', 'block']
const VERDICTS: readonly GossipVerdictLabel[] = ['accept', 'ignore', 'reject']

export class NodeMetrics {
  private sources?: NodeMetricsSources
  private readonly blocksImported: Counter<'source'>
  private readonly blocksRejected: Counter<'reason'>
  private readonly blocksOrphaned: Counter
  private readonly gossipMessages: Counter<'topic' | 'verdict'>
  private readonly txsAccepted: Counter<'source'>
  private readonly txsRejected: Counter<'source' | 'reason'>
  private readonly reorgs: Counter
  private readonly reorgedBlocks: Counter
  private pos?: { roundsPerHeight: Histogram; commitLatency: Histogram }

  constructor(readonly registry: Registry) {
    const registers = [registry]
    this.blocksImported = new Counter({
      name: 'peerchain_blocks_imported_total',
      help: 'Blocks stored as valid (main chain or side branch), by where they came from.',
      labelNames: ['source'],
      registers,
    })
    this.blocksRejected = new Counter({
      name: 'peerchain_blocks_rejected_total',
      help: 'Blocks the chain refused, by rule code (ignore-verdict codes such as BLOCK_KNOWN included).',
      labelNames: ['reason'],
      registers,
    })
    this.blocksOrphaned = new Counter({
      name: 'peerchain_blocks_orphaned_total',
      help: 'Gossiped blocks whose parent was unknown, parked in the orphan pool.',
      registers,
    })
    this.gossipMessages = new Counter({
      name: 'peerchain_gossip_messages_total',
      help: 'Gossip messages validated, by topic and verdict (accept relays; reject also charges the sender).',
      labelNames: ['topic', 'verdict'],
      registers,
    })
    this.txsAccepted = new Counter({
      name: 'peerchain_txs_accepted_total',
      help: 'Transactions admitted to the mempool, by where they came from.',
      labelNames: ['source'],
      registers,
    })
    this.txsRejected = new Counter({
      name: 'peerchain_txs_rejected_total',
      help: 'Transactions the mempool refused, by where they came from and rule code.',
      labelNames: ['source', 'reason'],
      registers,
    })
    this.reorgs = new Counter({
      name: 'peerchain_reorgs_total',
      help: 'Head changes that disconnected at least one block.',
      registers,
    })
    this.reorgedBlocks = new Counter({
      name: 'peerchain_reorged_blocks_total',
      help: 'Blocks disconnected from the main chain by reorganisations.',
      registers,
    })
    const peers: Gauge<'direction'> = new Gauge({
      name: 'peerchain_peers',
      help: 'Connected peers, by the direction of the connection (outbound if any connection to the peer is).',
      labelNames: ['direction'],
      registers,
      collect: () => {
        const counts = this.sources?.peerCounts() ?? { inbound: 0, outbound: 0 }
        peers.set({ direction: 'inbound' }, counts.inbound)
        peers.set({ direction: 'outbound' }, counts.outbound)
      },
    })
    this.level('peerchain_head_height', 'Height of the head of the main chain.', (s) => s.headHeight())
    this.level(
      'peerchain_mempool_txs',
      'Pending transactions in the mempool, ready and future.',
      (s) => s.mempool().txs,
    )
    this.level(
      'peerchain_mempool_bytes',
      'Encoded bytes of the pending transactions in the mempool.',
      (s) => s.mempool().bytes,
    )
    this.level('peerchain_orphan_blocks', 'Blocks waiting in the orphan pool for their parent.', (s) =>
      s.orphanBlocks(),
    )
    this.level(
      'peerchain_sync_state',
      'Sync state: 0 idle, 1 downloading headers, 2 downloading and importing blocks.',
      (s) => SYNC_STATE_VALUE[s.sync().state],
    )
    this.level(
      'peerchain_sync_done_height',
      'Height sync has imported up to (our head); equals the head height when idle.',
      (s) => syncHeights(s).done,
    )
    this.level(
      'peerchain_sync_target_height',
      'Height sync is heading for (the best announced head); equals the head height when idle.',
      (s) => syncHeights(s).target,
    )
    const bytes: Counter<'direction'> = new Counter({
      name: 'peerchain_network_bytes_total',
      help: 'Bytes through all connections (transport level: encrypted, with muxer framing), by direction.',
      labelNames: ['direction'],
      registers,
      collect: () => {
        const traffic = this.sources?.traffic() ?? { bytesIn: 0, bytesOut: 0 }
        // The network keeps the running totals: export them as they are.
        bytes.reset()
        bytes.inc({ direction: 'in' }, traffic.bytesIn)
        bytes.inc({ direction: 'out' }, traffic.bytesOut)
      },
    })
    const streamsAhead: Counter<'outcome'> = new Counter({
      name: 'peerchain_request_streams_ahead_total',
      help: 'Request streams opened ahead of their request (so it skips protocol negotiation), by outcome: opened, taken by a request, or closed unused.',
      labelNames: ['outcome'],
      registers,
      collect: () => {
        const counts = this.sources?.traffic().streamsAhead ?? { opened: 0, taken: 0, expired: 0 }
        streamsAhead.reset()
        for (const outcome of ['opened', 'taken', 'expired'] as const) streamsAhead.inc({ outcome }, counts[outcome])
      },
    })
    // Series over small fixed label sets exist from the start, so rate() sees their first increment.
    for (const source of BLOCK_SOURCES) this.blocksImported.inc({ source }, 0)
    for (const source of TX_SOURCES) this.txsAccepted.inc({ source }, 0)
    for (const topic of TOPICS) for (const verdict of VERDICTS) this.gossipMessages.inc({ topic, verdict }, 0)
    this.blocksOrphaned.inc(0)
    this.reorgs.inc(0)
    this.reorgedBlocks.inc(0)
  }

  /** Points the scrape-time gauges at the running node (until then they read zero). */
  observe(sources: NodeMetricsSources): void {
    this.sources = sources
  }

  /**
   * Registers the proof-of-stake metrics (a proof-of-work node has none) and
   * points their gauges at `sources`. Once only.
   */
  observePos(sources: PosMetricsSources): void {
    if (this.pos) throw new Error('the proof-of-stake metrics are registered already')
    const registers = [this.registry]
    const roundsPerHeight = new Histogram({
      name: 'peerchain_pos_rounds_per_height',
      help: 'Rounds each committed height took: the round its commit was decided in, plus one.',
      buckets: ROUNDS_PER_HEIGHT_BUCKETS,
      registers,
    })
    const commitLatency = new Histogram({
      name: 'peerchain_pos_commit_latency_seconds',
      help: "From the previous block stored here (the height began) to this height's block stored here.",
      buckets: COMMIT_LATENCY_BUCKETS,
      registers,
    })
    const missed: Gauge<'validator'> = new Gauge({
      name: 'peerchain_pos_missed_votes',
      help: "Of the recent committed blocks (window: min(downtimeWindow, 1000)), those whose commit lacks the validator's precommit; one series per validator of the next height's set.",
      labelNames: ['validator'],
      registers,
      collect: () => {
        // Only the current set: a validator that left drops its series, so the label set stays bounded.
        missed.reset()
        for (const { address, missed: count } of sources.missedVotes()) missed.set({ validator: address }, count)
      },
    })
    const lag: Gauge = new Gauge({
      name: 'peerchain_pos_finality_lag_blocks',
      help: "Head height minus the last final block's height (0 under BFT finality, where every stored block is final).",
      registers,
      collect: () => lag.set(sources.finalityLag()),
    })
    this.pos = { roundsPerHeight, commitLatency }
  }

  /** A height committed in `round` (0-based). */
  posHeightCommitted(round: number): void {
    this.pos?.roundsPerHeight.observe(round + 1)
  }

  /** Seconds from the previous block stored here to this height's block stored here. */
  posCommitLatency(seconds: number): void {
    this.pos?.commitLatency.observe(seconds)
  }

  blockImported(source: BlockSource): void {
    this.blocksImported.inc({ source })
  }

  blockRejected(code: string | undefined): void {
    this.blocksRejected.inc({ reason: reasonLabel(code) })
  }

  blockOrphaned(): void {
    this.blocksOrphaned.inc()
  }

  gossipVerdict(topic: GossipTopic, verdict: GossipVerdictLabel): void {
    this.gossipMessages.inc({ topic, verdict })
  }

  txAccepted(source: TxSource): void {
    this.txsAccepted.inc({ source })
  }

  txRejected(source: TxSource, code: string | undefined): void {
    this.txsRejected.inc({ source, reason: reasonLabel(code) })
  }

  /** A head change; `disconnected` blocks left the main chain (0 for a plain extension). */
  headChanged(disconnected: number): void {
    if (disconnected === 0) return
    this.reorgs.inc()
    this.reorgedBlocks.inc(disconnected)
  }

  /** A gauge without labels, set from the sources at each scrape. */
  private level(name: string, help: string, read: (sources: NodeMetricsSources) => number): void {
    const gauge: Gauge = new Gauge({
      name,
      help,
      registers: [this.registry],
      collect: () => {
        if (this.sources) gauge.set(read(this.sources))
      },
    })
  }
}

function syncHeights(sources: NodeMetricsSources): { done: number; target: number } {
  const sync = sources.sync()
  if (sync.state !== 'idle') return { done: sync.doneHeight, target: sync.targetHeight }
  const head = sources.headHeight()
  return { done: head, target: head }
}
