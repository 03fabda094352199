import { describe, expect, it } from 'vitest'
import { expectCode, harness, readyIds, statusOf, tx } from './helpers.js'

describe('mempool reset on head change', () => {
  it('removes txs the new chain includes, and re-adds txs of disconnected blocks', async () => {
    const { pool, accounts } = harness()
    const a0 = tx(0, 0)
    const b0 = tx(1, 0)
    const c0 = tx(2, 0)
    for (const t of [a0, b0, c0]) await pool.add(t)

    // A block with a0 and c0 connects.
    accounts.set(0, { nonce: 1n })
    accounts.set(2, { nonce: 1n })
    const connected = await pool.reset({ included: [a0, c0], returned: [] })
    expect(connected).toEqual({ includedCount: 2, readdedIds: [], droppedIds: [] })
    expect(readyIds(pool)).toEqual([b0.id])

    // A reorg: that block is disconnected, and the new chain includes c0 and b0 but not a0.
    accounts.set(0, { nonce: 0n })
    accounts.set(1, { nonce: 1n })
    const reorg = await pool.reset({ included: [c0, b0], returned: [a0, c0] })
    expect(reorg).toEqual({ includedCount: 1, readdedIds: [a0.id], droppedIds: [] })
    expect(readyIds(pool)).toEqual([a0.id])
    expect(pool.has(c0.id)).toBe(false)
    expect(pool.has(b0.id)).toBe(false)
  })

  it("puts returned txs back in front of the sender's later pending txs", async () => {
    const { pool, accounts } = harness()
    const n0 = tx(0, 0)
    const n1 = tx(0, 1)
    await pool.add(n0)
    accounts.set(0, { nonce: 1n })
    await pool.reset({ included: [n0], returned: [] })
    await pool.add(n1)
    expect(readyIds(pool)).toEqual([n1.id])

    accounts.set(0, { nonce: 0n })
    await pool.reset({ included: [], returned: [n0] })
    expect(readyIds(pool)).toEqual([n0.id, n1.id])
  })

  it('keeps the better-paying of a returned tx and a pending tx with the same nonce', async () => {
    const { pool, accounts } = harness()
    const mined = tx(0, 0, { fee: 1_000n })
    const pending = tx(0, 0, { fee: 5_000n })
    const minedB = tx(1, 0, { fee: 5_000n })
    const pendingB = tx(1, 0, { fee: 1_000n })
    await pool.add(pending)
    await pool.add(pendingB)
    const result = await pool.reset({ included: [], returned: [mined, minedB] })
    expect(result.readdedIds).toEqual([minedB.id])
    expect(new Set(result.droppedIds)).toEqual(new Set([mined.id, pendingB.id]))
    expect(new Set(readyIds(pool))).toEqual(new Set([pending.id, minedB.id]))
    expect(accounts.calls).toBe(3)
  })

  it('drops txs whose nonce the new head has passed', async () => {
    const { pool, accounts } = harness()
    const txs = [tx(0, 0), tx(0, 1), tx(0, 2)]
    for (const t of txs) await pool.add(t)
    // Another node's block used nonces 0 and 1 with txs we never saw.
    accounts.set(0, { nonce: 2n })
    const result = await pool.reset({ included: [], returned: [] })
    expect(result.droppedIds).toEqual([txs[0]?.id, txs[1]?.id])
    expect(readyIds(pool)).toEqual([txs[2]?.id])
  })

  it('re-splits ready and future against the new account nonce', async () => {
    const { pool, accounts } = harness()
    const n0 = tx(0, 0)
    const n2 = tx(0, 2)
    await pool.add(n0)
    await pool.add(n2)
    expect(statusOf(pool, n2.id)).toBe('future')
    accounts.set(0, { nonce: 2n })
    await pool.reset({ included: [], returned: [] })
    expect(statusOf(pool, n2.id)).toBe('ready')
    expect(pool.futureCount).toBe(0)

    // The head goes back without returning the tx: n2 waits again.
    accounts.set(0, { nonce: 1n })
    await pool.reset({ included: [], returned: [] })
    expect(statusOf(pool, n2.id)).toBe('future')
    expect(pool.pending()).toEqual([])
  })

  it('leaves later nonces future when an included tx does not advance the account', async () => {
    const { pool } = harness()
    const n0 = tx(0, 0)
    const n1 = tx(0, 1)
    await pool.add(n0)
    await pool.add(n1)
    // The chain reports n0 included but the account it serves is still at nonce 0 (e.g. the head moved back since).
    await pool.reset({ included: [n0], returned: [] })
    expect(statusOf(pool, n1.id)).toBe('future')
    expect(pool.futureCount).toBe(1)
    expect(pool.pending()).toEqual([])
  })

  it('drops txs the new balance no longer covers, from the first uncovered nonce up', async () => {
    const { pool, accounts } = harness()
    accounts.set(0, { balance: 10_000n })
    const txs = [0, 1, 2].map((n) => tx(0, n, { amount: 2_000n, fee: 1_000n }))
    for (const t of txs) await pool.add(t)
    accounts.set(0, { balance: 6_000n })
    const result = await pool.reset({ included: [], returned: [] })
    expect(result.droppedIds).toEqual([txs[2]?.id])
    expect(readyIds(pool)).toEqual([txs[0]?.id, txs[1]?.id])
    // And admission now counts against the new balance.
    await expectCode(pool.add(tx(0, 2, { amount: 0n, fee: 1_000n })), 'TX_INSUFFICIENT_BALANCE')
  })

  it("reads every sender's account in one batch", async () => {
    const { pool, accounts } = harness()
    for (let i = 0; i < 5; i++) await pool.add(tx(i, 0))
    const before = accounts.calls
    await pool.reset({ included: [], returned: [tx(7, 0)] })
    expect(accounts.calls - before).toBe(1)
    expect(pool.size).toBe(6)
  })

  it('trims returned txs to the caps, lowest fee rate first', async () => {
    const { pool } = harness({ countMax: 2 })
    const high = tx(0, 0, { fee: 5_000n })
    const mid = tx(1, 0, { fee: 3_000n })
    await pool.add(high)
    await pool.add(mid)
    const returnedLow = tx(2, 0, { fee: 1_000n })
    const returnedHigh = tx(3, 0, { fee: 9_000n })
    const result = await pool.reset({ included: [], returned: [returnedLow, returnedHigh] })
    expect(new Set(result.droppedIds)).toEqual(new Set([returnedLow.id, mid.id]))
    expect(result.readdedIds).toEqual([returnedHigh.id])
    expect(pool.size).toBe(2)
  })

  it('re-adds a tx returned twice once', async () => {
    const { pool } = harness()
    const t = tx(0, 0)
    const result = await pool.reset({ included: [], returned: [t, t] })
    expect(result.readdedIds).toEqual([t.id])
    expect(pool.size).toBe(1)
  })

  it('does not re-add a returned tx that fails the stateless rules', async () => {
    const { pool } = harness()
    const foreign = tx(0, 0, { chainId: 'other-chain' })
    const result = await pool.reset({ included: [], returned: [foreign] })
    expect(result).toEqual({ includedCount: 0, readdedIds: [], droppedIds: [foreign.id] })
    expect(pool.size).toBe(0)
  })
})
