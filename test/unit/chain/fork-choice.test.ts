import { describe, expect, it } from 'vitest'
import { Block } from '../../../src/ledger/block.js'
import { toHex } from '../../../src/util/bytes.js'
import { mineBlock, minerAddress, openTestChain, type TestChain, transfer } from '../../helpers/chain.js'

async function mineOn(t: TestChain, count: number, txsFor: (i: number) => ReturnType<typeof transfer>[] = () => []) {
  const blocks: Block[] = []
  for (let i = 0; i < count; i++) {
    const b = await mineBlock(t, txsFor(i), minerAddress(t === undefined ? 100 : 100))
    expect((await t.chain.importBlock(b, 'rpc')).status).toBe('head')
    blocks.push(b)
  }
  return blocks
}

async function feed(to: TestChain, from: TestChain, blocks: Block[]) {
  to.clock.set(Math.max(to.clock.nowMs(), from.clock.nowMs()))
  const results = []
  for (const b of blocks) results.push(await to.chain.importBlock(Block.fromBytes(b.bytes), 'rpc'))
  return results
}

describe('fork choice', () => {
  it('keeps the first-seen chain on equal work and switches on more work', async () => {
    const a = await openTestChain()
    const b = await openTestChain()
    b.clock.advance(500) // different timestamps → different blocks
    const ownA = await mineOn(a, 3)
    const ownB = await mineOn(b, 3)
    const results = await feed(a, b, ownB)
    expect(results.map((r) => r.status)).toEqual(['side', 'side', 'side'])
    expect(a.chain.head.id).toBe(ownA[2]?.id)

    const more = await mineOn(b, 1)
    const [r] = await feed(a, b, more)
    expect(r?.status).toBe('head')
    expect(a.chain.head.id).toBe(more[0]?.id)
    if (r?.status !== 'head') throw new Error('unreachable')
    expect(r.change.disconnected.map((x) => x.id)).toEqual(ownA.map((x) => x.id).reverse())
    expect(r.change.connected.map((x) => x.id)).toEqual([...ownB, ...more].map((x) => x.id))
    expect((await a.chain.getBlockAt(2))?.id).toBe(ownB[1]?.id)
  })

  it('a 100-block reorg leaves the same state as a node that only saw the winning chain', async () => {
    const a = await openTestChain()
    const b = await openTestChain()
    b.clock.advance(500)
    // Branch A: account 0 pays account 2 in every block. Branch B: account 1 pays account 3.
    await mineOn(a, 100, (i) => [transfer(0, 2, BigInt(i), 1000n + BigInt(i))])
    const winning = await mineOn(b, 101, (i) => [transfer(1, 3, BigInt(i), 7n), transfer(4, 0, BigInt(i), 3n)])
    const results = await feed(a, b, winning)
    expect(results.at(-1)?.status).toBe('head')
    expect(a.chain.head.id).toBe(b.chain.head.id)
    expect(toHex(a.chain.head.header.fields.stateRoot)).toBe(toHex(b.chain.head.header.fields.stateRoot))
    for (const i of [0, 1, 2, 3, 4, 100]) {
      const addr = minerAddress(i)
      expect(await a.chain.getAccount(addr)).toEqual(await b.chain.getAccount(addr))
    }
    // The losing branch's txs are no longer indexed; the winner's are.
    const lost = transfer(0, 2, 0n, 1000n)
    expect(await a.chain.getTxLocation(lost.hash)).toBeUndefined()
    expect((await a.chain.getTxLocation(winning[0]!.txs[0]!.hash))?.blockId).toBe(winning[0]?.id)
    // Proofs against the new head verify to the same accounts.
    const { verifyAccountProof } = await import('../../../src/chain/trie.js')
    const proof = await a.chain.proveAccount(minerAddress(3))
    expect(await verifyAccountProof(a.chain.head.header.fields.stateRoot, minerAddress(3), proof)).toEqual(
      await b.chain.getAccount(minerAddress(3)),
    )
  })

  it('holds blocks with an unknown parent as orphans and connects them when the parent arrives', async () => {
    const a = await openTestChain()
    const b = await openTestChain()
    const blocks = await mineOn(b, 4)
    a.clock.set(b.clock.nowMs())
    const reversed = [...blocks].reverse()
    for (const blk of reversed.slice(0, 3)) expect((await a.chain.importBlock(blk, 'rpc')).status).toBe('orphan')
    expect(a.chain.orphanCount).toBe(3)
    const r = await a.chain.importBlock(blocks[0]!, 'rpc')
    expect(r.status).toBe('head')
    expect(a.chain.head.id).toBe(blocks[3]?.id)
    expect(a.chain.orphanCount).toBe(0)
  })

  it('refuses a reorg deeper than the limit with BLOCK_REORG_TOO_DEEP', async () => {
    const a = await openTestChain({ chain: { maxReorgDepth: 3 } })
    const b = await openTestChain()
    b.clock.advance(500)
    await mineOn(a, 5)
    const fork = await mineOn(b, 6)
    a.clock.set(b.clock.nowMs())
    await expect(a.chain.importBlock(fork[0]!, 'rpc')).rejects.toMatchObject({ code: 'BLOCK_REORG_TOO_DEEP' })
  })
})
