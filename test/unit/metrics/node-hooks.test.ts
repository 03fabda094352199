/** src/node/metrics.ts: the callbacks that feed NodeMetrics, and the scrape reading a node. */
import { describe, expect, it } from 'vitest'
import type { BlockSource, HeadChange } from '../../../src/chain/chain.js'
import type { Block } from '../../../src/ledger/block.js'
import type { TxAddedListener } from '../../../src/mempool/index.js'
import type { PeerInfo } from '../../../src/net/network.js'
import { createNodeMetrics, type ObservedNode, observeNode } from '../../../src/node/metrics.js'
import type { SyncFns, SyncProgress } from '../../../src/sync/index.js'
import { mineBlock, openTestChain, transfer } from '../../helpers/chain.js'
import { sampleValue } from './exposition.js'

const unused = (): never => {
  throw new Error('not used by this test')
}

function syncFns(importBlock: SyncFns['importBlock']): SyncFns {
  return {
    peers: () => [],
    peerHead: () => undefined,
    requestHeaders: unused,
    requestBlocks: unused,
    importBlock,
    reportPeer: () => {},
    localHead: unused,
    locator: () => [],
  }
}

describe('metric hooks', () => {
  it('turns tx verdicts into gossip counts and rejections (admissions come from the mempool)', async () => {
    const { metrics, hooks } = createNodeMetrics()
    const { registry } = metrics
    hooks.onVerdict('tx', 'accept')
    hooks.onVerdict('tx', 'ignore', 'MEMPOOL_DUPLICATE')
    hooks.onVerdict('tx', 'reject', 'TX_BAD_SIGNATURE')
    expect(await sampleValue(registry, 'peerchain_gossip_messages_total', { topic: 'tx', verdict: 'accept' })).toBe(1)
    expect(await sampleValue(registry, 'peerchain_gossip_messages_total', { topic: 'tx', verdict: 'ignore' })).toBe(1)
    expect(await sampleValue(registry, 'peerchain_gossip_messages_total', { topic: 'tx', verdict: 'reject' })).toBe(1)
    expect((await sampleValue(registry, 'peerchain_txs_accepted_total', { source: 'gossip' })) ?? 0).toBe(0)
    const rejected = (reason: string) =>
      sampleValue(registry, 'peerchain_txs_rejected_total', { source: 'gossip', reason })
    expect(await rejected('MEMPOOL_DUPLICATE')).toBe(1)
    expect(await rejected('TX_BAD_SIGNATURE')).toBe(1)
  })

  it('turns block verdicts into imports, orphans and rejections', async () => {
    const { metrics, hooks } = createNodeMetrics()
    const { registry } = metrics
    hooks.onVerdict('block', 'accept')
    hooks.onVerdict('block', 'ignore')
    hooks.onVerdict('block', 'ignore', 'BLOCK_KNOWN')
    hooks.onVerdict('block', 'reject', 'BLOCK_BAD_POW')
    expect(await sampleValue(registry, 'peerchain_blocks_imported_total', { source: 'gossip' })).toBe(1)
    expect(await sampleValue(registry, 'peerchain_blocks_orphaned_total')).toBe(1)
    expect(await sampleValue(registry, 'peerchain_blocks_rejected_total', { reason: 'BLOCK_KNOWN' })).toBe(1)
    expect(await sampleValue(registry, 'peerchain_blocks_rejected_total', { reason: 'BLOCK_BAD_POW' })).toBe(1)
    expect(await sampleValue(registry, 'peerchain_gossip_messages_total', { topic: 'block', verdict: 'ignore' })).toBe(
      2,
    )
  })

  it('counts every block sync imports or the chain refuses, and passes errors through', async () => {
    const producer = await openTestChain()
    const b1 = await mineBlock(producer)
    const ours = await openTestChain()
    ours.clock.set(producer.clock.nowMs())
    const { metrics, hooks } = createNodeMetrics()
    const fns = hooks.instrumentSync(syncFns((block) => ours.chain.importBlock(block, 'sync')))
    expect(fns.peers).toBeTypeOf('function')
    await expect(fns.importBlock(b1)).resolves.toMatchObject({ status: 'head' })
    await expect(fns.importBlock(b1)).rejects.toMatchObject({ code: 'BLOCK_KNOWN' })
    const bug = hooks.instrumentSync(
      syncFns(async () => {
        throw new Error('our bug')
      }),
    )
    await expect(bug.importBlock(b1)).rejects.toThrow('our bug')
    const { registry } = metrics
    expect(await sampleValue(registry, 'peerchain_blocks_imported_total', { source: 'sync' })).toBe(1)
    expect(await sampleValue(registry, 'peerchain_blocks_rejected_total', { reason: 'BLOCK_KNOWN' })).toBe(1)
    // a bug is no rejection by a rule
    expect(await sampleValue(registry, 'peerchain_blocks_rejected_total', { reason: 'OTHER' })).toBeUndefined()
  })
})

class FakeNode implements ObservedNode {
  peerList: PeerInfo[] = []
  bytes = { bytesIn: 0, bytesOut: 0 }
  progress: SyncProgress = { state: 'idle' }
  headListeners: Array<(change: HeadChange) => void> = []
  txListeners: TxAddedListener[] = []
  network = {
    peers: () => this.peerList,
    traffic: () => this.bytes,
  }
  ledger = {
    chain: {
      head: { height: 0 },
      orphanCount: 0,
      onHeadChange: (listener: (change: HeadChange) => void) => this.headListeners.push(listener),
    },
    mempool: { size: 0, bytes: 0, onAdded: (listener: TxAddedListener) => this.txListeners.push(listener) },
  }
  sync = { progress: () => this.progress }
}

const peer = (id: string, direction: 'inbound' | 'outbound'): PeerInfo => ({
  id,
  addresses: [],
  direction,
  group: 'local',
  connectionType: direction === 'inbound' ? 'inbound' : 'full-relay',
  score: 0,
})

describe('observeNode', () => {
  it('reads peers, head, mempool, orphans, sync and traffic from the node at each scrape', async () => {
    const { metrics } = createNodeMetrics()
    const node = new FakeNode()
    observeNode(metrics, node)
    const { registry } = metrics
    node.peerList = [peer('a', 'inbound'), peer('b', 'outbound'), peer('c', 'outbound')]
    node.ledger.chain.head.height = 12
    node.ledger.chain.orphanCount = 3
    node.ledger.mempool.size = 4
    node.ledger.mempool.bytes = 900
    node.bytes = { bytesIn: 5000, bytesOut: 7000 }
    expect(await sampleValue(registry, 'peerchain_peers', { direction: 'inbound' })).toBe(1)
    expect(await sampleValue(registry, 'peerchain_peers', { direction: 'outbound' })).toBe(2)
    expect(await sampleValue(registry, 'peerchain_head_height')).toBe(12)
    expect(await sampleValue(registry, 'peerchain_orphan_blocks')).toBe(3)
    expect(await sampleValue(registry, 'peerchain_mempool_txs')).toBe(4)
    expect(await sampleValue(registry, 'peerchain_mempool_bytes')).toBe(900)
    expect(await sampleValue(registry, 'peerchain_network_bytes_total', { direction: 'out' })).toBe(7000)
    expect(await sampleValue(registry, 'peerchain_sync_state')).toBe(0)
    node.progress = {
      state: 'blocks',
      peer: 'a',
      targetHeight: 90,
      doneHeight: 40,
      peerCount: 1,
      sinceMs: 0,
      downloadedHeight: 50,
    }
    expect(await sampleValue(registry, 'peerchain_sync_state')).toBe(2)
    expect(await sampleValue(registry, 'peerchain_sync_done_height')).toBe(40)
    expect(await sampleValue(registry, 'peerchain_sync_target_height')).toBe(90)
  })

  it('counts reorgs from the chain head changes', async () => {
    const { metrics } = createNodeMetrics()
    const node = new FakeNode()
    observeNode(metrics, node)
    const t = await openTestChain()
    const blocks: Block[] = [await mineBlock(t), await mineBlock(t)]
    const change = (disconnected: Block[], source: BlockSource = 'gossip'): HeadChange => ({
      source,
      head: t.chain.head,
      disconnected,
      disconnectedCount: disconnected.length,
      connected: [],
      connectedCount: 1,
    })
    for (const listener of node.headListeners) {
      listener(change([]))
      listener(change(blocks))
    }
    expect(await sampleValue(metrics.registry, 'peerchain_reorgs_total')).toBe(1)
    expect(await sampleValue(metrics.registry, 'peerchain_reorged_blocks_total')).toBe(2)
    expect((await sampleValue(metrics.registry, 'peerchain_blocks_imported_total', { source: 'mined' })) ?? 0).toBe(0)
  })

  it('counts blocks we mined from head changes sourced "mined"', async () => {
    const { metrics } = createNodeMetrics()
    const node = new FakeNode()
    observeNode(metrics, node)
    const t = await openTestChain()
    for (const listener of node.headListeners) {
      const none = { disconnected: [], disconnectedCount: 0, connected: [], connectedCount: 1 }
      listener({ source: 'mined', head: t.chain.head, ...none })
      listener({ source: 'sync', head: t.chain.head, ...none })
    }
    expect(await sampleValue(metrics.registry, 'peerchain_blocks_imported_total', { source: 'mined' })).toBe(1)
  })

  it("counts admitted txs by source from the mempool's added event", async () => {
    const { metrics } = createNodeMetrics()
    const node = new FakeNode()
    observeNode(metrics, node)
    const tx = transfer(0, 1, 0n)
    for (const listener of node.txListeners) {
      listener(tx, 'ready', 'gossip')
      listener(tx, 'ready', 'rpc')
      listener(tx, 'future', 'rpc')
    }
    expect(await sampleValue(metrics.registry, 'peerchain_txs_accepted_total', { source: 'gossip' })).toBe(1)
    expect(await sampleValue(metrics.registry, 'peerchain_txs_accepted_total', { source: 'rpc' })).toBe(2)
  })
})
