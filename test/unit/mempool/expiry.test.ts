import { describe, expect, it } from 'vitest'
import { harness, readyIds, tx } from './helpers.js'

describe('mempool expiry', () => {
  it('drops txs expiryMs after admission, and only those', async () => {
    const { pool, clock } = harness({ expiryMs: 1_000 })
    const old = tx(0, 0)
    await pool.add(old)
    clock.advance(400)
    const young = tx(1, 0)
    await pool.add(young)

    clock.advance(599)
    expect(pool.expire()).toEqual([])
    clock.advance(1)
    expect(pool.expire()).toEqual([old.id])
    expect(pool.has(old.id)).toBe(false)
    expect(readyIds(pool)).toEqual([young.id])

    clock.advance(400)
    expect(pool.expire()).toEqual([young.id])
    expect(pool.size).toBe(0)
    expect(pool.bytes).toBe(0)
  })

  it('drops the later nonces of an expired tx with it', async () => {
    const { pool, clock } = harness({ expiryMs: 1_000 })
    const n0 = tx(0, 0)
    await pool.add(n0)
    clock.advance(500)
    const n1 = tx(0, 1)
    await pool.add(n1)
    const other = tx(1, 0)
    await pool.add(other)
    clock.advance(500)
    expect(new Set(pool.expire())).toEqual(new Set([n0.id, n1.id]))
    expect(pool.list().map((i) => i.id)).toEqual([other.id])
  })

  it('defaults to three hours', async () => {
    const { pool, clock } = harness()
    await pool.add(tx(0, 0))
    clock.advance(3 * 60 * 60 * 1000 - 1)
    expect(pool.expire()).toEqual([])
    clock.advance(1)
    expect(pool.expire()).toHaveLength(1)
  })
})

describe('mempool remove', () => {
  it('removes txs by id, with their later nonces', async () => {
    const { pool } = harness()
    const n0 = tx(0, 0)
    const n1 = tx(0, 1)
    const n2 = tx(0, 2)
    const other = tx(1, 0)
    for (const t of [n0, n1, n2, other]) await pool.add(t)
    expect(pool.remove([n1.id, 'unknown'])).toEqual([n1.id, n2.id])
    expect(readyIds(pool)).toEqual([n0.id, other.id])
    // The freed nonce can be sent again.
    await pool.add(tx(0, 1, { fee: 5_000n }))
    expect(pool.readyCount).toBe(3)
  })
})
