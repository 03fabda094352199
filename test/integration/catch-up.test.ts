/**
 * Catch-up with real node processes: a node that joins late, and a node that
 * was offline while 200+ blocks were mined and restarts on its old data
 * directory, both reach the miner's head through headers-first sync.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  blockAt,
  head,
  TestNet as Net,
  rpc,
  type TestNet,
  type TestNode,
  waitFor,
  waitForHeight,
  waitForSameHead,
} from '../helpers/devnet.js'

let net: TestNet
let miner: TestNode
let relay: TestNode

beforeAll(async () => {
  net = await Net.create()
  miner = await net.start('miner', { mine: true })
  relay = await net.start('relay', { bootstrap: [miner.addr] })
}, 60_000)

afterAll(async () => {
  await net?.close()
})

/** The main-chain block hashes of `nodes` agree at each of `heights`. */
async function expectSameBlocks(nodes: readonly TestNode[], heights: readonly number[]): Promise<void> {
  for (const height of heights) {
    const blocks = await Promise.all(nodes.map((n) => blockAt(n, height)))
    expect(blocks[0], `a block at height ${height}`).not.toBeNull()
    for (const block of blocks) expect(block?.hash, `the block at height ${height}`).toBe(blocks[0]?.hash)
  }
}

describe('catch-up', () => {
  let late: TestNode

  it('a node started late catches up to the same head', async () => {
    const before = await waitForHeight(miner, 40)
    // The miner keeps mining while the late node syncs: it must follow a moving head.
    late = await net.start('late', { bootstrap: [relay.addr] })
    await waitForHeight(late, before.height, 30_000)
    await rpc(miner.rpc, 'miner_stop')
    const tip = await waitForSameHead([miner, relay, late], before.height)
    expect(tip.height).toBeGreaterThanOrEqual(before.height)
    await expectSameBlocks([miner, relay, late], [1, Math.floor(tip.height / 2), tip.height])
  }, 60_000)

  it('a node stopped while 200+ blocks are mined restarts on its data and catches up', async () => {
    const left = await head(late)
    await net.stop(late)
    expect(late.process.exitCode).toBe(0)

    await rpc(miner.rpc, 'miner_start')
    await waitForHeight(miner, left.height + 220, 45_000)
    await rpc(miner.rpc, 'miner_stop')
    const target = await waitForSameHead([miner, relay], left.height + 220)

    late = await net.start('late', { bootstrap: [relay.addr] })
    // It reopened its old chain: it did not start again from genesis.
    const reopened = await head(late)
    expect(reopened.height).toBeGreaterThanOrEqual(left.height)
    expect(await blockAt(late, left.height)).toMatchObject({ hash: left.hash })

    const tip = await waitForSameHead([miner, relay, late], target.height, 30_000)
    expect(tip.hash).toBe(target.hash)
    expect(tip.height - left.height).toBeGreaterThanOrEqual(200)
    await expectSameBlocks(
      [miner, relay, late],
      [left.height, left.height + 1, left.height + 100, tip.height - 1, tip.height],
    )
    const info = await waitFor('the restarted node to have a peer', async () => {
      const i = await rpc<{ peers: number }>(late.rpc, 'node_info')
      return i.peers > 0 ? i : undefined
    })
    expect(info.peers).toBeGreaterThan(0)
  }, 90_000)
})
