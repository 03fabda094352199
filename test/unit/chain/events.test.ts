/** The chain's events: every stored block and every head change carry the source of the import. */
import { describe, expect, it } from 'vitest'
import type { BlockSource, HeadChange } from '../../../src/chain/chain.js'
import { Block } from '../../../src/ledger/block.js'
import { mineBlock, openTestChain } from '../../helpers/chain.js'

describe('chain events', () => {
  it('names the source of a stored block and of the head change it makes, side blocks included', async () => {
    const producer = await openTestChain()
    const rival = await openTestChain()
    rival.clock.advance(500) // another timestamp: another block at height 1
    const b1 = await mineBlock(producer)
    await producer.chain.importBlock(b1, 'mined')
    const b2 = await mineBlock(producer)
    const side = await mineBlock(rival)

    const t = await openTestChain()
    t.clock.set(Math.max(producer.clock.nowMs(), rival.clock.nowMs()))
    const stored: Array<{ id: string; source: BlockSource }> = []
    const heads: HeadChange[] = []
    t.chain.onBlockStored((block, source) => stored.push({ id: block.id, source }))
    t.chain.onHeadChange((change) => heads.push(change))

    await t.chain.importBlock(Block.fromBytes(b1.bytes), 'gossip')
    await t.chain.importBlock(Block.fromBytes(side.bytes), 'sync')
    await t.chain.importBlock(Block.fromBytes(b2.bytes), 'rpc')
    expect(stored).toEqual([
      { id: b1.id, source: 'gossip' },
      { id: side.id, source: 'sync' },
      { id: b2.id, source: 'rpc' },
    ])
    // The side block moved no head; each head change has its import's source.
    expect(heads.map((h) => [h.source, h.head.id])).toEqual([
      ['gossip', b1.id],
      ['rpc', b2.id],
    ])
    // A known block is refused, and stores nothing.
    await expect(t.chain.importBlock(Block.fromBytes(b2.bytes), 'gossip')).rejects.toMatchObject({
      code: 'BLOCK_KNOWN',
    })
    expect(stored).toHaveLength(3)
  })
})
