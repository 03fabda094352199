/** node/compact-wiring.ts: which stored blocks and head changes go out by compact block. */
import { describe, expect, it } from 'vitest'
import type { BlockSource, HeadChange } from '../../../../src/chain/chain.js'
import { blockToRelay, isOwnBlock, relaysOnStore } from '../../../../src/node/compact-wiring.js'
import { ANNOUNCE_AGE_MAX_MS } from '../../../../src/relay/announce.js'
import { mineBlock, minerAddress, openTestChain } from '../../../helpers/chain.js'

async function changeOf(source: BlockSource): Promise<{ change: HeadChange; minedMs: number }> {
  const t = await openTestChain()
  const block = await mineBlock(t)
  const result = await t.chain.importBlock(block, source)
  if (result.status !== 'head') throw new Error('the block did not become the head')
  return { change: result.change, minedMs: block.header.timestampMs }
}

describe('blockToRelay', () => {
  it('relays a head a peer gave us (gossip or compact block): no mesh relays it to compact peers', async () => {
    const { change, minedMs } = await changeOf('gossip')
    expect(blockToRelay(change, minedMs)?.id).toBe(change.head.id)
  })

  it('relays what announce.ts announces: our own blocks, fresh synced ones; never the store or history', async () => {
    const mined = await changeOf('mined')
    expect(blockToRelay(mined.change, mined.minedMs)?.id).toBe(mined.change.head.id)
    const store = await changeOf('store')
    expect(blockToRelay(store.change, store.minedMs)).toBeUndefined()
    const synced = await changeOf('sync')
    expect(blockToRelay(synced.change, synced.minedMs + ANNOUNCE_AGE_MAX_MS)).toBeUndefined()
  })
})

describe('isOwnBlock', () => {
  it('holds a mined block and one handed in by RPC as our own, never one a peer gave us', async () => {
    for (const source of ['mined', 'rpc'] as const) expect(isOwnBlock((await changeOf(source)).change)).toBe(true)
    for (const source of ['gossip', 'sync', 'store'] as const)
      expect(isOwnBlock((await changeOf(source)).change)).toBe(false)
  })
})

describe('relaysOnStore', () => {
  it('relays a block we mined as it is stored, before it connects, when it has more work than the head; nothing else', async () => {
    const t = await openTestChain()
    const verdicts: Array<[string, boolean]> = []
    t.chain.onBlockStored((block, source) => verdicts.push([source, relaysOnStore(t.chain, block, source)]))
    const first = await mineBlock(t)
    await t.chain.importBlock(first, 'mined')
    // at store time the head was still the parent: the state root was not yet checked
    expect(verdicts).toEqual([['mined', true]])
    const sibling = await openTestChain()
    const other = await mineBlock(sibling, [], minerAddress(101))
    // equal work to the head: a side block until a child comes, never relayed early
    await t.chain.importBlock(other, 'mined')
    const second = await mineBlock(t)
    await t.chain.importBlock(second, 'gossip')
    const third = await mineBlock(t)
    await t.chain.importBlock(third, 'rpc')
    expect(verdicts).toEqual([
      ['mined', true],
      ['mined', false],
      ['gossip', false],
      ['rpc', false],
    ])
  })
})
