/** Fixed-seed simulations of the real node code: convergence, agreement, no tx lost. */
import { afterAll, describe, expect, it } from 'vitest'
import { doubleInclusions, lostTxs, stateRootMismatches } from '../../src/sim/checks.js'
import type { SimWorld } from '../../src/sim/world.js'
import { runToEnd } from './helpers.js'

const worlds: SimWorld[] = []
afterAll(async () => {
  for (const world of worlds) await world.close()
})

describe('100 simulated nodes', () => {
  it('converge on one chain with one state root per height, losing no accepted tx', async () => {
    const { world, report } = await runToEnd({ seed: 7, nodes: 100, blocks: 8, tx_rate: 1, miners: 8, drain_s: 15 })
    worlds.push(world)
    expect(report.bestHeight).toBeGreaterThanOrEqual(8)
    expect(report.distinctHeads).toBe(1)
    expect(stateRootMismatches(world)).toEqual([])
    expect(world.internalErrors).toEqual([])
    expect(report.txs.accepted).toBeGreaterThan(40)
    expect(await lostTxs(world)).toEqual([])
    expect(await doubleInclusions(world.nodes[0]!.node)).toEqual([])
    // Every block reached every node by gossip (or sync), and most txs reached most mempools by gossip.
    expect(report.blockPropagationS.count).toBeGreaterThanOrEqual(99 * (report.minedBlocks - report.staleBlocks))
    expect(report.txPropagationS.count).toBeGreaterThan(report.txs.accepted * 90)
    // Each gossiped message is decoded once for the network, not once per node.
    expect(report.decodes).toBeGreaterThan(0)
    expect(report.decodes).toBeLessThanOrEqual(report.txs.accepted + report.minedBlocks)
    // WAN latencies of 20–150 ms one way: a block crosses the network in well under a block interval.
    expect(report.blockPropagationS.p50).toBeGreaterThan(0.02)
    expect(report.blockPropagationS.p99).toBeLessThan(5)
  })
})
