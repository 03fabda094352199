/** A partition heals onto the most-work chain; txs mined only on the losing side are mined again, once. */
import { afterAll, describe, expect, it } from 'vitest'
import { doubleInclusions, lostTxs, stateRootMismatches } from '../../src/sim/checks.js'
import type { SimWorld } from '../../src/sim/world.js'
import { runToEnd } from './helpers.js'

const worlds: SimWorld[] = []
afterAll(async () => {
  for (const world of worlds) await world.close()
})

describe('a partitioned simulated network', () => {
  it("heals onto the most-work chain, re-mines the losing side's txs once, and keeps mempools consistent", async () => {
    const { world, report, poolProblems, reorgsChecked } = await runToEnd({
      seed: 3,
      nodes: 40,
      blocks: 16,
      tx_rate: 2,
      miners: 10,
      partitions: [{ at_s: 20, heal_s: 100, fraction: 0.5 }],
    })
    worlds.push(world)
    expect(report.convergenceS).toHaveLength(1)
    expect(report.distinctHeads).toBe(1)
    const chain = world.nodes[0]!.node.ledger.chain
    // The chain everyone holds is the tip with the most work any node stored.
    for (const { node } of world.nodes) {
      for (const tip of node.ledger.chain.index.tipsByWork()) expect(tip.totalWork <= chain.head.totalWork).toBe(true)
    }
    expect(stateRootMismatches(world)).toEqual([])
    expect(world.internalErrors).toEqual([])

    // The losing side's blocks are stale now; the txs they held are on the final chain exactly once.
    const staleTxIds = new Set<string>()
    for (const [id, { node }] of world.observer.mined) {
      const entry = chain.index.get(id)
      if (entry && chain.index.mainAt(entry.height)?.id === id) continue
      const block = await world.nodes[node]!.node.ledger.chain.getBlock(id)
      for (const tx of block?.txs ?? []) staleTxIds.add(tx.id)
    }
    expect(report.staleBlocks).toBeGreaterThan(0)
    expect(staleTxIds.size).toBeGreaterThan(0)
    let remined = 0
    for (const id of staleTxIds) {
      const at = await chain.getTxLocation(Buffer.from(id, 'hex'))
      if (at) remined++
      else expect(world.nodes.some(({ node }) => node.ledger.mempool.has(id))).toBe(true)
    }
    expect(remined).toBeGreaterThan(0)
    for (const { node } of world.nodes) expect(await doubleInclusions(node)).toEqual([])
    expect(await lostTxs(world)).toEqual([])

    // The reorgs happened, and after each one the mempool agreed with the new head.
    expect(reorgsChecked).toBeGreaterThan(0)
    expect(poolProblems).toEqual([])
  })
})
