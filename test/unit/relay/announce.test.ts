/** src/relay/announce.ts: which head changes are news to publish. */
import { describe, expect, it } from 'vitest'
import type { BlockSource, HeadChange } from '../../../src/chain/chain.js'
import { ANNOUNCE_AGE_MAX_MS, blockToAnnounce } from '../../../src/relay/announce.js'
import { mineBlock, openTestChain } from '../../helpers/chain.js'

async function changeOf(source: BlockSource): Promise<{ change: HeadChange; minedMs: number }> {
  const t = await openTestChain()
  const block = await mineBlock(t)
  const result = await t.chain.importBlock(block, source)
  if (result.status !== 'head') throw new Error('the block did not become the head')
  return { change: result.change, minedMs: block.header.timestampMs }
}

describe('blockToAnnounce', () => {
  it('announces what only we have: a block we mined or one submitted through the API', async () => {
    for (const source of ['mined', 'rpc'] as const) {
      const { change, minedMs } = await changeOf(source)
      expect(blockToAnnounce(change, minedMs + 10 * ANNOUNCE_AGE_MAX_MS)?.id).toBe(change.head.id)
    }
  })

  it('never re-publishes a gossiped head (the mesh relays it) or one the store reconnected', async () => {
    for (const source of ['gossip', 'store'] as const) {
      const { change, minedMs } = await changeOf(source)
      expect(blockToAnnounce(change, minedMs)).toBeUndefined()
    }
  })

  it('announces a synced head only while it is fresh, so a catch-up does not flood the mesh', async () => {
    const { change, minedMs } = await changeOf('sync')
    expect(blockToAnnounce(change, minedMs + ANNOUNCE_AGE_MAX_MS - 1)?.id).toBe(change.head.id)
    expect(blockToAnnounce(change, minedMs + ANNOUNCE_AGE_MAX_MS)).toBeUndefined()
  })

  it('announces nothing for a change that connected no block', async () => {
    const { change, minedMs } = await changeOf('mined')
    expect(blockToAnnounce({ ...change, connected: [] }, minedMs)).toBeUndefined()
  })
})
