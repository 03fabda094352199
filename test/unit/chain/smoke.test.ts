import { describe, expect, it } from 'vitest'
import { mineBlock, minerAddress, openTestChain, transfer } from '../../helpers/chain.js'

describe('chain smoke', () => {
  it('mines blocks with transfers and updates balances', async () => {
    const t = await openTestChain()
    const b1 = await mineBlock(t, [transfer(0, 1, 0n), transfer(0, 2, 1n)])
    const r = await t.chain.importBlock(b1, 'rpc')
    expect(r.status).toBe('head')
    expect(t.chain.head.height).toBe(1)
    const miner = await t.chain.getAccount(minerAddress())
    expect(miner.balance).toBe(50n * 100_000_000n + 20n)
  })
})
