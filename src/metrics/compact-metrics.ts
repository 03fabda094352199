/**
 * Compact blocks' counters (docs/METRICS.md): compact blocks received, rebuilt
 * (with or without a missing-tx request), missing-tx requests and the txs they
 * asked for, full-block fallbacks by reason, and the protocol's bytes. Fed by
 * the compact relay's observer (relay/compact/), which knows nothing of
 * Prometheus. Blocks it stores count in peerchain_blocks_imported_total as
 * source "gossip", as blocks relayed by the block topic do.
 */
import { Counter } from 'prom-client'
import type { CompactObserver } from '../relay/compact/index.js'
import type { NodeMetrics } from './node-metrics.js'

/** The compact relay's observer over `metrics`: a block it stored counts as imported from gossip (relayed to us). */
export function compactMetricHooks(metrics: NodeMetrics): CompactObserver {
  const registers = [metrics.registry]
  const received = new Counter({
    name: 'peerchain_compact_blocks_received_total',
    help: 'Compact blocks received (pushed by a high-bandwidth peer, or fetched after an announcement).',
    registers,
  })
  const rebuilt = new Counter({
    name: 'peerchain_compact_blocks_rebuilt_total',
    help: 'Compact blocks rebuilt to their header\'s tx root, by whether missing txs had to be requested ("no": from the mempool and prefilled txs alone).',
    labelNames: ['requested'],
    registers,
  })
  const imported = new Counter({
    name: 'peerchain_compact_blocks_imported_total',
    help: 'Blocks stored that came by compact block (or its full-block fallback); also counted in peerchain_blocks_imported_total as source "gossip".',
    registers,
  })
  const requests = new Counter({
    name: 'peerchain_compact_missing_tx_requests_total',
    help: 'Requests for the txs of a compact block we lacked.',
    registers,
  })
  const requestedTxs = new Counter({
    name: 'peerchain_compact_missing_txs_total',
    help: 'Txs asked for by those requests.',
    registers,
  })
  const fallbacks = new Counter({
    name: 'peerchain_compact_full_block_fallbacks_total',
    help: 'Compact blocks given up for the full block, by reason.',
    labelNames: ['reason'],
    registers,
  })
  const bytes = new Counter({
    name: 'peerchain_compact_bytes_total',
    help: 'Bytes of compact-block messages (requests and answers, before framing), by direction.',
    labelNames: ['direction'],
    registers,
  })
  return {
    received: () => received.inc(),
    imported: () => {
      imported.inc()
      metrics.blockImported('gossip')
    },
    rebuilt: (wasRequested) => rebuilt.inc({ requested: wasRequested ? 'yes' : 'no' }),
    missingTxsRequested: (count) => {
      requests.inc()
      requestedTxs.inc(count)
    },
    fullBlockFallback: (reason) => fallbacks.inc({ reason }),
    bytes: (direction, count) => bytes.inc({ direction }, count),
  }
}
