import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { RULES } from '../../../src/ledger/errors.js'
import {
  createMetricsRegistry,
  NodeMetrics,
  type NodeMetricsSources,
  reasonLabel,
  type SyncSnapshot,
} from '../../../src/metrics/index.js'
import { parseExposition, sampleValue } from './exposition.js'

/** Sources whose values a test sets directly. */
class FakeSources implements NodeMetricsSources {
  peers = { inbound: 0, outbound: 0 }
  height = 0
  pool = { txs: 0, bytes: 0 }
  orphans = 0
  syncState: SyncSnapshot = { state: 'idle' }
  bytes: ReturnType<NodeMetricsSources['traffic']> = { bytesIn: 0, bytesOut: 0 }
  peerCounts() {
    return this.peers
  }
  headHeight() {
    return this.height
  }
  mempool() {
    return this.pool
  }
  orphanBlocks() {
    return this.orphans
  }
  sync() {
    return this.syncState
  }
  traffic() {
    return this.bytes
  }
}

function setup() {
  const metrics = new NodeMetrics(createMetricsRegistry())
  const sources = new FakeSources()
  metrics.observe(sources)
  return { metrics, sources, registry: metrics.registry }
}

/** Every peerchain family, with its type. */
const FAMILIES = {
  peerchain_peers: 'gauge',
  peerchain_head_height: 'gauge',
  peerchain_blocks_imported_total: 'counter',
  peerchain_blocks_rejected_total: 'counter',
  peerchain_blocks_orphaned_total: 'counter',
  peerchain_orphan_blocks: 'gauge',
  peerchain_gossip_messages_total: 'counter',
  peerchain_txs_accepted_total: 'counter',
  peerchain_txs_rejected_total: 'counter',
  peerchain_mempool_txs: 'gauge',
  peerchain_mempool_bytes: 'gauge',
  peerchain_sync_state: 'gauge',
  peerchain_sync_done_height: 'gauge',
  peerchain_sync_target_height: 'gauge',
  peerchain_network_bytes_total: 'counter',
  peerchain_request_streams_ahead_total: 'counter',
  peerchain_reorgs_total: 'counter',
  peerchain_reorged_blocks_total: 'counter',
} as const

describe('NodeMetrics: events', () => {
  it('counts imported blocks by source', async () => {
    const { metrics, registry } = setup()
    expect(await sampleValue(registry, 'peerchain_blocks_imported_total', { source: 'sync' })).toBe(0)
    metrics.blockImported('sync')
    metrics.blockImported('sync')
    metrics.blockImported('mined')
    expect(await sampleValue(registry, 'peerchain_blocks_imported_total', { source: 'sync' })).toBe(2)
    expect(await sampleValue(registry, 'peerchain_blocks_imported_total', { source: 'mined' })).toBe(1)
    expect(await sampleValue(registry, 'peerchain_blocks_imported_total', { source: 'gossip' })).toBe(0)
  })

  it('counts rejected blocks by rule code, and folds unknown codes into OTHER', async () => {
    const { metrics, registry } = setup()
    metrics.blockRejected('BLOCK_BAD_POW')
    metrics.blockRejected('BLOCK_BAD_POW')
    metrics.blockRejected('INTERNAL')
    metrics.blockRejected('made up by a peer')
    metrics.blockRejected(undefined)
    expect(await sampleValue(registry, 'peerchain_blocks_rejected_total', { reason: 'BLOCK_BAD_POW' })).toBe(2)
    expect(await sampleValue(registry, 'peerchain_blocks_rejected_total', { reason: 'INTERNAL' })).toBe(1)
    expect(await sampleValue(registry, 'peerchain_blocks_rejected_total', { reason: 'OTHER' })).toBe(2)
    expect(
      await sampleValue(registry, 'peerchain_blocks_rejected_total', { reason: 'made up by a peer' }),
    ).toBeUndefined()
  })

  it('counts orphaned blocks', async () => {
    const { metrics, registry } = setup()
    expect(await sampleValue(registry, 'peerchain_blocks_orphaned_total')).toBe(0)
    metrics.blockOrphaned()
    expect(await sampleValue(registry, 'peerchain_blocks_orphaned_total')).toBe(1)
  })

  it('counts gossip verdicts per topic', async () => {
    const { metrics, registry } = setup()
    for (const topic of ['tx', 'block']) {
      for (const verdict of ['accept', 'ignore', 'reject']) {
        expect(await sampleValue(registry, 'peerchain_gossip_messages_total', { topic, verdict })).toBe(0)
      }
    }
    metrics.gossipVerdict('tx', 'accept')
    metrics.gossipVerdict('tx', 'accept')
    metrics.gossipVerdict('block', 'reject')
    metrics.gossipVerdict('block', 'ignore')
    expect(await sampleValue(registry, 'peerchain_gossip_messages_total', { topic: 'tx', verdict: 'accept' })).toBe(2)
    expect(await sampleValue(registry, 'peerchain_gossip_messages_total', { topic: 'block', verdict: 'reject' })).toBe(
      1,
    )
    expect(await sampleValue(registry, 'peerchain_gossip_messages_total', { topic: 'block', verdict: 'ignore' })).toBe(
      1,
    )
    expect(await sampleValue(registry, 'peerchain_gossip_messages_total', { topic: 'tx', verdict: 'reject' })).toBe(0)
  })

  it('counts txs accepted by source and rejected by source and reason', async () => {
    const { metrics, registry } = setup()
    metrics.txAccepted('rpc')
    metrics.txRejected('gossip', 'MEMPOOL_DUPLICATE')
    metrics.txRejected('rpc', 'TX_NONCE_TOO_LOW')
    expect(await sampleValue(registry, 'peerchain_txs_accepted_total', { source: 'rpc' })).toBe(1)
    expect(await sampleValue(registry, 'peerchain_txs_accepted_total', { source: 'gossip' })).toBe(0)
    expect(
      await sampleValue(registry, 'peerchain_txs_rejected_total', { source: 'gossip', reason: 'MEMPOOL_DUPLICATE' }),
    ).toBe(1)
    expect(
      await sampleValue(registry, 'peerchain_txs_rejected_total', { source: 'rpc', reason: 'TX_NONCE_TOO_LOW' }),
    ).toBe(1)
  })

  it('counts reorgs and the blocks they disconnect, not plain extensions', async () => {
    const { metrics, registry } = setup()
    metrics.headChanged(0)
    expect(await sampleValue(registry, 'peerchain_reorgs_total')).toBe(0)
    metrics.headChanged(3)
    metrics.headChanged(1)
    expect(await sampleValue(registry, 'peerchain_reorgs_total')).toBe(2)
    expect(await sampleValue(registry, 'peerchain_reorged_blocks_total')).toBe(4)
  })
})

describe('NodeMetrics: levels read at scrape time', () => {
  it('reports peers by direction', async () => {
    const { sources, registry } = setup()
    expect(await sampleValue(registry, 'peerchain_peers', { direction: 'inbound' })).toBe(0)
    sources.peers = { inbound: 3, outbound: 8 }
    expect(await sampleValue(registry, 'peerchain_peers', { direction: 'inbound' })).toBe(3)
    expect(await sampleValue(registry, 'peerchain_peers', { direction: 'outbound' })).toBe(8)
  })

  it('reports the head height, the mempool and the orphan pool as they are now', async () => {
    const { sources, registry } = setup()
    sources.height = 41
    sources.pool = { txs: 5, bytes: 1234 }
    sources.orphans = 2
    expect(await sampleValue(registry, 'peerchain_head_height')).toBe(41)
    expect(await sampleValue(registry, 'peerchain_mempool_txs')).toBe(5)
    expect(await sampleValue(registry, 'peerchain_mempool_bytes')).toBe(1234)
    expect(await sampleValue(registry, 'peerchain_orphan_blocks')).toBe(2)
    sources.height = 42
    sources.pool = { txs: 0, bytes: 0 }
    expect(await sampleValue(registry, 'peerchain_head_height')).toBe(42)
    expect(await sampleValue(registry, 'peerchain_mempool_txs')).toBe(0)
  })

  it('reports sync progress: state 0/1/2, done and target heights (both the head when idle)', async () => {
    const { sources, registry } = setup()
    sources.height = 10
    expect(await sampleValue(registry, 'peerchain_sync_state')).toBe(0)
    expect(await sampleValue(registry, 'peerchain_sync_done_height')).toBe(10)
    expect(await sampleValue(registry, 'peerchain_sync_target_height')).toBe(10)
    sources.syncState = { state: 'headers', doneHeight: 10, targetHeight: 500 }
    expect(await sampleValue(registry, 'peerchain_sync_state')).toBe(1)
    expect(await sampleValue(registry, 'peerchain_sync_target_height')).toBe(500)
    sources.syncState = { state: 'blocks', doneHeight: 120, targetHeight: 500 }
    expect(await sampleValue(registry, 'peerchain_sync_state')).toBe(2)
    expect(await sampleValue(registry, 'peerchain_sync_done_height')).toBe(120)
  })

  it('exports the network byte totals as counters', async () => {
    const { sources, registry } = setup()
    expect(await sampleValue(registry, 'peerchain_network_bytes_total', { direction: 'in' })).toBe(0)
    sources.bytes = { bytesIn: 1000, bytesOut: 250 }
    expect(await sampleValue(registry, 'peerchain_network_bytes_total', { direction: 'in' })).toBe(1000)
    expect(await sampleValue(registry, 'peerchain_network_bytes_total', { direction: 'out' })).toBe(250)
    sources.bytes = { bytesIn: 1500, bytesOut: 250 }
    expect(await sampleValue(registry, 'peerchain_network_bytes_total', { direction: 'in' })).toBe(1500)
  })

  it('exports the request streams opened ahead by outcome, zero where the network opens none', async () => {
    const { sources, registry } = setup()
    expect(await sampleValue(registry, 'peerchain_request_streams_ahead_total', { outcome: 'taken' })).toBe(0)
    sources.bytes = { bytesIn: 0, bytesOut: 0, streamsAhead: { opened: 9, taken: 7, expired: 1 } }
    expect(await sampleValue(registry, 'peerchain_request_streams_ahead_total', { outcome: 'opened' })).toBe(9)
    expect(await sampleValue(registry, 'peerchain_request_streams_ahead_total', { outcome: 'taken' })).toBe(7)
    expect(await sampleValue(registry, 'peerchain_request_streams_ahead_total', { outcome: 'expired' })).toBe(1)
  })

  it('reads zero before a node is observed', async () => {
    const metrics = new NodeMetrics(new Registry())
    expect(await sampleValue(metrics.registry, 'peerchain_peers', { direction: 'outbound' })).toBe(0)
    expect(await sampleValue(metrics.registry, 'peerchain_head_height')).toBe(0)
    expect(await sampleValue(metrics.registry, 'peerchain_sync_state')).toBe(0)
  })
})

describe('NodeMetrics: exposition', () => {
  it('parses, and has HELP and TYPE for every family', async () => {
    const { metrics, registry } = setup()
    metrics.blockRejected('BLOCK_BAD_POW')
    metrics.txRejected('gossip', 'TX_BAD_SIGNATURE')
    const families = parseExposition(await registry.metrics())
    for (const [name, type] of Object.entries(FAMILIES)) {
      const family = families.get(name)
      expect(family, name).toBeDefined()
      expect(family?.type, name).toBe(type)
      expect(family?.help?.length ?? 0, name).toBeGreaterThan(10)
      expect(family?.samples.length ?? 0, name).toBeGreaterThan(0)
    }
    for (const family of families.values()) {
      expect(family.help, family.name).toBeDefined()
      expect(family.type, family.name).toBeDefined()
    }
    expect(registry.contentType).toContain('text/plain')
  })

  it('includes the process metrics once, without a prefix', async () => {
    const { registry } = setup()
    const text = await registry.metrics()
    const families = parseExposition(text)
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter')
    expect(families.get('nodejs_heap_size_total_bytes')?.type).toBe('gauge')
    expect(text.match(/^# TYPE process_cpu_user_seconds_total /gm)).toHaveLength(1)
  })

  it('keeps every label within a fixed set', async () => {
    const { metrics, registry } = setup()
    for (let i = 0; i < 50; i++) metrics.blockRejected(`junk-${i}`)
    for (const code of Object.keys(RULES)) metrics.blockRejected(code)
    const rejected = parseExposition(await registry.metrics()).get('peerchain_blocks_rejected_total')
    const reasons = new Set(rejected?.samples.map((s) => s.labels.reason))
    expect(reasons).toEqual(new Set([...Object.keys(RULES), 'OTHER']))
    expect(reasonLabel('TX_BAD_SIGNATURE')).toBe('TX_BAD_SIGNATURE')
    expect(reasonLabel('toString')).toBe('OTHER')
  })
})

describe('NodeMetrics: several nodes in one process', () => {
  it('gives each node its own registry, and their counts never mix', async () => {
    const a = setup()
    const b = setup()
    a.metrics.blockImported('gossip')
    a.sources.height = 7
    b.sources.height = 3
    expect(await sampleValue(a.registry, 'peerchain_blocks_imported_total', { source: 'gossip' })).toBe(1)
    expect(await sampleValue(b.registry, 'peerchain_blocks_imported_total', { source: 'gossip' })).toBe(0)
    expect(await sampleValue(a.registry, 'peerchain_head_height')).toBe(7)
    expect(await sampleValue(b.registry, 'peerchain_head_height')).toBe(3)
  })

  it('never touches the global default registry', async () => {
    const { register } = await import('prom-client')
    const before = (await register.getMetricsAsJSON()).map((m) => m.name)
    setup()
    const after = (await register.getMetricsAsJSON()).map((m) => m.name)
    expect(after.filter((n) => n.startsWith('peerchain_'))).toEqual([])
    expect(after).toEqual(before)
  })
})
