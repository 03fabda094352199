/**
 * A header version 2 chain (every header commits to the MMR of its
 * ancestors) on real node processes: the miner's blocks spread by gossip, a
 * late node syncs them headers-first, and a restarted node reopens its MMR
 * state from the store and keeps following.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeEntry } from '../../src/chain/header-index.js'
import { layout } from '../../src/chain/layout.js'
import { decodeMmrPeaks } from '../../src/ledger/mmr.js'
import { LevelStore } from '../../src/storage/level.js'
import {
  blockAt,
  fastGenesis,
  head,
  TestNet as Net,
  rpc,
  type TestNet,
  type TestNode,
  waitForHeight,
  waitForSameHead,
} from '../helpers/devnet.js'

let net: TestNet
let miner: TestNode
let relay: TestNode

beforeAll(async () => {
  net = await Net.create(fastGenesis({ headerVersion: 2 }))
  miner = await net.start('miner', { mine: true })
  relay = await net.start('relay', { bootstrap: [miner.addr] })
}, 60_000)

afterAll(async () => {
  await net?.close()
})

describe('a header version 2 chain', () => {
  it('is mined, gossiped, synced by a late node and followed after a restart', async () => {
    const before = await waitForHeight(miner, 30, 30_000)
    const late = await net.start('late', { bootstrap: [relay.addr] })
    await waitForHeight(late, before.height, 30_000)
    await net.stop(relay)
    const restarted = await net.start('relay', { bootstrap: [miner.addr] })
    await waitForHeight(miner, before.height + 15, 30_000)
    await rpc(miner.rpc, 'miner_stop')
    const tip = await waitForSameHead([miner, restarted, late], before.height + 15, 30_000)
    for (const height of [1, before.height, tip.height]) {
      const blocks = await Promise.all([miner, restarted, late].map((n) => blockAt(n, height)))
      for (const block of blocks) expect(block?.hash, `block ${height}`).toBe(blocks[0]?.hash)
    }
    expect((await head(late)).hash).toBe(tip.hash)

    // The synced node stored version 2 headers, each with its MMR state beside it.
    await net.stop(late)
    const store = new LevelStore(join(late.dataDir, 'chain'))
    await store.open()
    try {
      const headId = (await store.get(layout.head)) as Uint8Array
      const entry = decodeEntry((await store.get(layout.header(headId))) as Uint8Array)
      expect(entry.header.fields.version).toBe(2)
      expect(entry.header.fields.mmrRoot?.byteLength).toBe(32)
      const state = decodeMmrPeaks((await store.get(layout.mmr(headId))) as Uint8Array)
      expect(state.size).toBe(tip.height + 1)
    } finally {
      await store.close()
    }
  }, 120_000)
})
