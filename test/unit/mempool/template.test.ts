import { describe, expect, it } from 'vitest'
import { harness, tx } from './helpers.js'

const BIG = { txsMax: 1_000, bytesMax: 1 << 20 }

describe('mempool block template', () => {
  it('prefers higher fee rates across senders', async () => {
    const { pool } = harness()
    const low = tx(0, 0, { fee: 1_000n })
    const high = tx(1, 0, { fee: 3_000n })
    const mid = tx(2, 0, { fee: 2_000n })
    for (const t of [low, high, mid]) await pool.add(t)
    expect(pool.template(BIG)).toEqual([high, mid, low])
  })

  it('takes equal fee rates in arrival order', async () => {
    const { pool } = harness()
    const first = tx(3, 0, { fee: 2_000n })
    const second = tx(1, 0, { fee: 2_000n })
    const third = tx(2, 0, { fee: 2_000n })
    for (const t of [first, second, third]) await pool.add(t)
    expect(pool.template(BIG)).toEqual([first, second, third])
  })

  it("keeps each sender's nonce order even when a later nonce pays more", async () => {
    const { pool } = harness()
    const s0n0 = tx(0, 0, { fee: 1_000n })
    const s0n1 = tx(0, 1, { fee: 9_000n })
    const s0n2 = tx(0, 2, { fee: 4_000n })
    const s1n0 = tx(1, 0, { fee: 5_000n })
    const s1n1 = tx(1, 1, { fee: 2_000n })
    for (const t of [s0n2, s0n1, s1n1, s0n0, s1n0]) await pool.add(t)
    expect(pool.template(BIG)).toEqual([s1n0, s1n1, s0n0, s0n1, s0n2])
  })

  it('takes only ready txs', async () => {
    const { pool } = harness()
    const ready = tx(0, 0)
    await pool.add(ready)
    await pool.add(tx(0, 2, { fee: 9_000n }))
    await pool.add(tx(1, 1, { fee: 9_000n }))
    expect(pool.template(BIG)).toEqual([ready])
  })

  it('stops at txsMax', async () => {
    const { pool } = harness()
    for (let i = 0; i < 5; i++) await pool.add(tx(i, 0, { fee: BigInt(1_000 + i) }))
    expect(pool.template({ txsMax: 2, bytesMax: 1 << 20 }).map((t) => t.fields.fee)).toEqual([1_004n, 1_003n])
    expect(pool.template({ txsMax: 0, bytesMax: 1 << 20 })).toEqual([])
  })

  it('skips a tx that does not fit, and its later nonces, but goes on with other senders', async () => {
    const { pool } = harness()
    const bigN0 = tx(0, 0, { fee: 9_000n, memo: new Uint8Array(250) })
    const bigN1 = tx(0, 1, { fee: 1_000n })
    const small = tx(1, 0, { fee: 2_000n })
    for (const t of [bigN0, bigN1, small]) await pool.add(t)
    // bigN0 has the best fee rate but is larger than the whole budget; bigN1 would fit but depends on it.
    const bytesMax = small.bytes.byteLength + bigN1.bytes.byteLength
    expect(bigN0.bytes.byteLength).toBeGreaterThan(bytesMax)
    expect(pool.template({ txsMax: 10, bytesMax })).toEqual([small])
  })

  it('never exceeds bytesMax', async () => {
    const { pool } = harness()
    for (let i = 0; i < 6; i++) await pool.add(tx(i, 0, { fee: BigInt(1_000 * (i + 1)) }))
    const size = tx(0, 0).bytes.byteLength
    const picked = pool.template({ txsMax: 10, bytesMax: 3 * size + 5 })
    expect(picked.map((t) => t.fields.fee)).toEqual([6_000n, 5_000n, 4_000n])
  })

  it('does not change the pool', async () => {
    const { pool } = harness()
    for (let i = 0; i < 3; i++) await pool.add(tx(i, 0))
    pool.template({ txsMax: 2, bytesMax: 1 << 20 })
    expect(pool.size).toBe(3)
    expect(pool.template(BIG)).toHaveLength(3)
  })
})
