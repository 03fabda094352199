/**
 * Connects a node's subsystems to its NodeMetrics. The subsystems know
 * nothing of metrics: the relay gets a verdict callback, sync an instrumented
 * function table, and the chain's head changes and the mempool's admissions
 * are heard as events (the same events the API's subscriptions hear); the
 * scrape reads levels straight from the running node.
 */
import type { HeadChange } from '../chain/chain.js'
import type { ValidatorSchedule } from '../consensus/pos/schedule.js'
import { formatAddress } from '../ledger/address.js'
import { isVerifyError } from '../ledger/errors.js'
import type { TxAddedListener } from '../mempool/index.js'
import { compactMetricHooks } from '../metrics/compact-metrics.js'
import { dandelionMetricHooks } from '../metrics/dandelion-metrics.js'
import { createMetricsRegistry, NodeMetrics, type SyncSnapshot } from '../metrics/index.js'
import type { Network } from '../net/network.js'
import type { CompactObserver } from '../relay/compact/index.js'
import type { DandelionHooks } from '../relay/dandelion/index.js'
import type { RelayHooks } from '../relay/gossip.js'
import type { SyncFns, SyncProgress } from '../sync/index.js'
import type { ValidatorStats } from './validator-stats.js'

export interface NodeMetricHooks {
  /** RelayHooks.onVerdict: gossip verdicts, and what they say about blocks and rejected txs. */
  onVerdict: NonNullable<RelayHooks['onVerdict']>
  /** The sync function table with every block import counted. */
  instrumentSync(fns: SyncFns): SyncFns
  /** Dandelion++'s stem txs, fluffs and embargo fires (metrics/dandelion-metrics.ts). */
  dandelion: DandelionHooks
  /** Compact blocks' counts (metrics/compact-metrics.ts). */
  compact: CompactObserver
}

/** A fresh registry (with process metrics), the node's metrics in it, and the callbacks that feed them. */
export function createNodeMetrics(): { metrics: NodeMetrics; hooks: NodeMetricHooks } {
  const metrics = new NodeMetrics(createMetricsRegistry())
  return {
    metrics,
    hooks: {
      ...metricHooks(metrics),
      dandelion: dandelionMetricHooks(metrics.registry),
      compact: compactMetricHooks(metrics),
    },
  }
}

export function metricHooks(metrics: NodeMetrics): Omit<NodeMetricHooks, 'dandelion' | 'compact'> {
  return {
    onVerdict(topic, verdict, code) {
      metrics.gossipVerdict(topic, verdict)
      if (topic === 'tx') {
        // Admissions are counted from the mempool's `added` event (observeNode), whatever their source.
        if (verdict !== 'accept') metrics.txRejected('gossip', code)
        return
      }
      if (verdict === 'accept') metrics.blockImported('gossip')
      // Relay ignores a block with an unknown parent without a rule code: it waits among the orphans.
      else if (code === undefined) metrics.blockOrphaned()
      else metrics.blockRejected(code)
    },
    instrumentSync(fns) {
      return {
        ...fns,
        importBlock: async (block) => {
          try {
            const result = await fns.importBlock(block)
            metrics.blockImported('sync')
            return result
          } catch (err) {
            if (isVerifyError(err)) metrics.blockRejected(err.code)
            throw err
          }
        },
      }
    },
  }
}

/** The parts of a running node the scrape reads (PeerchainNode has them). */
export interface ObservedNode {
  network: Pick<Network, 'peers' | 'traffic'>
  ledger: {
    chain: {
      readonly head: { height: number }
      readonly orphanCount: number
      onHeadChange(listener: (change: HeadChange) => void): unknown
    }
    mempool: { readonly size: number; readonly bytes: number; onAdded(listener: TxAddedListener): unknown }
  }
  sync: { progress(): SyncProgress }
}

/** Points the scrape-time gauges at `node`, and counts its reorgs, mined blocks and admitted txs. */
export function observeNode(metrics: NodeMetrics, node: ObservedNode): void {
  const { network, ledger, sync } = node
  ledger.chain.onHeadChange((change) => {
    metrics.headChanged(change.disconnectedCount)
    if (change.source === 'mined') metrics.blockImported('mined')
  })
  ledger.mempool.onAdded((_tx, _status, source) => metrics.txAccepted(source))
  metrics.observe({
    peerCounts: () => {
      const counts = { inbound: 0, outbound: 0 }
      for (const peer of network.peers()) counts[peer.direction]++
      return counts
    },
    headHeight: () => ledger.chain.head.height,
    mempool: () => ({ txs: ledger.mempool.size, bytes: ledger.mempool.bytes }),
    orphanBlocks: () => ledger.chain.orphanCount,
    sync: () => syncSnapshot(sync.progress()),
    traffic: () => network.traffic(),
  })
}

function syncSnapshot(progress: SyncProgress): SyncSnapshot {
  if (progress.state === 'idle') return { state: 'idle' }
  return { state: progress.state, doneHeight: progress.doneHeight, targetHeight: progress.targetHeight }
}

/** What the proof-of-stake metrics read of a running PoS node. */
export interface ObservedPos {
  chain: {
    readonly head: { height: number }
    readonly finalized: { height: number } | undefined
    onHeadChange(listener: (change: HeadChange) => void): unknown
  }
  schedule: Pick<ValidatorSchedule, 'setAt'>
  stats: Pick<ValidatorStats, 'missed' | 'onHeight'>
  /** Milliseconds, monotonic (performance.now in production). */
  nowMs(): number
}

/**
 * Registers the proof-of-stake metrics and feeds them: rounds per height from
 * each recorded commit, commit latency from the time between two head
 * changes of one height each (a height starts when the block before it is
 * stored here), and at each scrape the missed votes of the next height's set
 * and the finality lag. Blocks from sync or the store are not timed: their
 * pace is the download's, not consensus'.
 */
export function observePos(metrics: NodeMetrics, pos: ObservedPos): void {
  const { chain, schedule, stats } = pos
  let heightStartMs: number | undefined
  chain.onHeadChange((change) => {
    const now = pos.nowMs()
    const live = change.source !== 'sync' && change.source !== 'store'
    if (live && heightStartMs !== undefined && change.connectedCount === 1 && change.disconnectedCount === 0) {
      metrics.posCommitLatency((now - heightStartMs) / 1000)
    }
    heightStartMs = live ? now : undefined
  })
  stats.onHeight((committed) => metrics.posHeightCommitted(committed.round))
  metrics.observePos({
    missedVotes: () => {
      const set = schedule.setAt(chain.head.height + 1)
      return Array.from({ length: set.size }, (_, i) => {
        const { address } = set.validator(i)
        return { address: formatAddress(address), missed: stats.missed(address) }
      })
    },
    finalityLag: () => chain.head.height - (chain.finalized?.height ?? chain.head.height),
  })
}
