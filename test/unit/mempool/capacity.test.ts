import { describe, expect, it } from 'vitest'
import { expectCode, harness, readyIds, tx } from './helpers.js'

describe('mempool caps and eviction', () => {
  it('evicts the lowest fee rate for a better-paying tx and refuses one that does not outbid it', async () => {
    const { pool } = harness({ countMax: 3 })
    const low = tx(0, 0, { fee: 1_000n })
    const mid = tx(1, 0, { fee: 2_000n })
    const high = tx(2, 0, { fee: 3_000n })
    for (const t of [mid, low, high]) await pool.add(t)

    const better = tx(3, 0, { fee: 1_500n })
    const result = await pool.add(better)
    expect(result.droppedIds).toEqual([low.id])
    expect(pool.has(low.id)).toBe(false)
    expect(pool.size).toBe(3)

    // Now 1,500 is the lowest: a lower fee rate and an equal one are refused, and nothing moves.
    await expectCode(pool.add(tx(4, 0, { fee: 1_000n })), 'MEMPOOL_FULL')
    await expectCode(pool.add(tx(4, 0, { fee: 1_500n })), 'MEMPOOL_FULL')
    expect(new Set(readyIds(pool))).toEqual(new Set([mid.id, high.id, better.id]))
  })

  it('compares fee per byte, not fee', async () => {
    const { pool } = harness({ countMax: 1 })
    const big = tx(0, 0, { fee: 1_100n, memo: new Uint8Array(200) })
    const small = tx(1, 0, { fee: 1_000n })
    await pool.add(big)
    // small pays less in total but more per byte.
    expect((await pool.add(small)).droppedIds).toEqual([big.id])
    await expectCode(pool.add(tx(2, 0, { fee: 1_500n, memo: new Uint8Array(200) })), 'MEMPOOL_FULL')
  })

  it('caps the total bytes', async () => {
    const a = tx(0, 0, { fee: 1_000n })
    const b = tx(1, 0, { fee: 2_000n })
    const size = a.bytes.byteLength
    expect(b.bytes.byteLength).toBe(size)
    const { pool } = harness({ bytesMax: 2 * size + size - 1 })
    await pool.add(a)
    await pool.add(b)
    await expectCode(pool.add(tx(2, 0, { fee: 900n })), 'MEMPOOL_FULL')
    const c = tx(2, 0, { fee: 3_000n })
    expect((await pool.add(c)).droppedIds).toEqual([a.id])
    expect(pool.bytes).toBe(2 * size)
  })

  it('refuses a tx larger than the whole pool without walking it', async () => {
    const { pool } = harness({ bytesMax: 300 })
    const low = tx(0, 0, { fee: 1_000n })
    await pool.add(low)
    const huge = tx(1, 0, { fee: 100_000n, memo: new Uint8Array(250) })
    expect(huge.bytes.byteLength).toBeGreaterThan(300)
    await expect(pool.add(huge)).rejects.toThrow(/MEMPOOL_FULL: tx of \d+ bytes exceeds/)
    expect(pool.has(low.id)).toBe(true)
  })

  it('evicts the newest of equal fee rates first', async () => {
    const { pool } = harness({ countMax: 2 })
    const older = tx(0, 0, { fee: 1_000n })
    const newer = tx(1, 0, { fee: 1_000n })
    await pool.add(older)
    await pool.add(newer)
    expect(older.bytes.byteLength).toBe(newer.bytes.byteLength)
    expect((await pool.add(tx(2, 0, { fee: 2_000n }))).droppedIds).toEqual([newer.id])
    expect(pool.has(older.id)).toBe(true)
  })

  it('evicts the later nonces of an evicted tx with it, so none is left ready behind a gap', async () => {
    const { pool } = harness({ countMax: 4 })
    const s0n0 = tx(0, 0, { fee: 1_000n })
    const s0n1 = tx(0, 1, { fee: 9_000n })
    const s0n2 = tx(0, 2, { fee: 9_000n })
    const other = tx(1, 0, { fee: 3_000n })
    for (const t of [s0n0, s0n1, s0n2, other]) await pool.add(t)

    const incoming = tx(2, 0, { fee: 2_000n })
    const result = await pool.add(incoming)
    expect(new Set(result.droppedIds)).toEqual(new Set([s0n0.id, s0n1.id, s0n2.id]))
    expect(pool.list().map((i) => i.id)).toEqual([other.id, incoming.id])
    expect(pool.pending().every((t) => t.senderHex !== s0n0.senderHex)).toBe(true)
  })

  it('refuses a tx that depends on the lowest-paying tx instead of evicting its own parent', async () => {
    const { pool } = harness({ countMax: 2 })
    await pool.add(tx(0, 0, { fee: 1_000n }))
    await pool.add(tx(1, 0, { fee: 3_000n }))
    await expectCode(pool.add(tx(0, 1, { fee: 9_000n })), 'MEMPOOL_FULL')
    expect(pool.size).toBe(2)
  })

  it('lets a replacement through at the count cap without evicting anything', async () => {
    const { pool } = harness({ countMax: 2 })
    const a = tx(0, 0, { fee: 1_000n })
    const b = tx(1, 0, { fee: 3_000n })
    await pool.add(a)
    await pool.add(b)
    const result = await pool.add(tx(0, 0, { fee: 1_100n }))
    expect(result).toMatchObject({ replacedId: a.id, droppedIds: [] })
    expect(pool.has(b.id)).toBe(true)
  })

  it('caps future txs over all senders, evicting the lowest-paying future', async () => {
    const { pool } = harness({ futureMax: 1 })
    const f0 = tx(0, 5, { fee: 2_000n })
    await pool.add(f0)
    await expectCode(pool.add(tx(1, 5, { fee: 1_000n })), 'MEMPOOL_FULL')
    const f1 = tx(1, 5, { fee: 3_000n })
    expect((await pool.add(f1)).droppedIds).toEqual([f0.id])
    expect(pool.futureCount).toBe(1)
    // Ready txs do not count against the future cap.
    await pool.add(tx(2, 0, { fee: 1_000n }))
    expect(pool.size).toBe(2)
  })
})
