import { afterEach, describe, expect, it } from 'vitest'
import { Block } from '../../../src/ledger/block.js'
import type { LedgerNode } from '../../../src/node/ledger-node.js'
import { ManualClock } from '../../../src/util/clock.js'
import { minerAddress, openLedgerNode, testGenesis, transfer } from '../../helpers/chain.js'

const open: LedgerNode[] = []
async function node(clock: ManualClock): Promise<LedgerNode> {
  const n = await openLedgerNode({ clock })
  open.push(n)
  return n
}
afterEach(async () => {
  for (const n of open.splice(0)) await n.close()
})

async function mine(n: LedgerNode, clock: ManualClock, count: number, miner: Uint8Array): Promise<Block[]> {
  const out: Block[] = []
  for (let i = 0; i < count; i++) {
    clock.advance(1000)
    const b = await n.mineBlock(miner)
    if (!b) throw new Error('mining was cancelled')
    await n.settled()
    out.push(b)
  }
  return out
}

describe('LedgerNode', () => {
  it('mines mempool txs into blocks and empties the mempool', async () => {
    const clock = new ManualClock(testGenesis().timestampMs + 1000)
    const a = await node(clock)
    await a.submitTx(transfer(0, 1, 0n))
    await a.submitTx(transfer(0, 1, 1n))
    expect(a.mempool.size).toBe(2)
    const [b] = await mine(a, clock, 1, minerAddress(100))
    expect(b?.txs.length).toBe(2)
    expect(a.mempool.size).toBe(0)
  })

  it('puts the losing branch txs that the winner lacks back in the mempool, and mines them again', async () => {
    const clockA = new ManualClock(testGenesis().timestampMs + 1000)
    const clockB = new ManualClock(testGenesis().timestampMs + 1000)
    const a = await node(clockA)
    const b = await node(clockB)
    const onlyA = transfer(0, 1, 0n, 555n)
    const both = transfer(2, 3, 0n, 777n)
    await a.submitTx(onlyA)
    await a.submitTx(both)
    await b.submitTx(both)
    await mine(a, clockA, 2, minerAddress(100))
    const winning = await mine(b, clockB, 3, minerAddress(101))
    expect(a.mempool.size).toBe(0)

    clockA.set(clockB.nowMs())
    for (const blk of winning) await a.chain.importBlock(Block.fromBytes(blk.bytes), 'rpc')
    await a.settled()
    expect(a.chain.head.id).toBe(b.chain.head.id)
    expect(a.mempool.has(onlyA.id)).toBe(true) // back from the losing branch
    expect(a.mempool.has(both.id)).toBe(false) // the winner has it
    const [again] = await mine(a, clockA, 1, minerAddress(100))
    expect(again?.txs.map((t) => t.id)).toEqual([onlyA.id])
    expect((await a.chain.getTxLocation(onlyA.hash))?.blockId).toBe(again?.id)
  })

  it('cancels mining when the signal aborts', async () => {
    const genesis = testGenesis({ initialTarget: 1n, powLimit: 1n })
    const n = await openLedgerNode({ genesis, clock: new ManualClock(genesis.timestampMs + 1000) })
    open.push(n)
    const ac = new AbortController()
    const mining = n.mineBlock(minerAddress(100), ac.signal)
    setTimeout(() => ac.abort(), 50)
    expect(await mining).toBeNull()
    expect(n.chain.head.height).toBe(0)
  })
})
