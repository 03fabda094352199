import { describe, expect, it } from 'vitest'
import { VerifyError } from '../../../src/ledger/errors.js'
import { Tx } from '../../../src/ledger/tx.js'
import { expectCode, harness, readyIds, statusOf, tx } from './helpers.js'

describe('mempool admission', () => {
  it('admits a tx at the account nonce as ready', async () => {
    const { pool } = harness()
    const t = tx(0, 0)
    const result = await pool.add(t)
    expect(result).toEqual({ id: t.id, status: 'ready', droppedIds: [] })
    expect(pool.has(t.id)).toBe(true)
    expect(pool.get(t.id)).toBe(t)
    expect(pool.size).toBe(1)
    expect(pool.bytes).toBe(t.bytes.byteLength)
    expect(readyIds(pool)).toEqual([t.id])
  })

  it('applies the stateless rules', async () => {
    const { pool } = harness()
    await expectCode(pool.add(tx(0, 0, { chainId: 'other-chain' })), 'TX_WRONG_CHAIN')
    await expectCode(pool.add(tx(0, 0, { fee: 0n })), 'TX_FEE_TOO_LOW')
    expect(pool.size).toBe(0)
  })

  it('checks the signature, through the injected verify when given', async () => {
    const good = tx(0, 0)
    const forged = Tx.fromFields({ ...good.fields, amount: 999n })
    const { pool } = harness()
    await expectCode(pool.add(forged), 'TX_BAD_SIGNATURE')
    expect(pool.has(forged.id)).toBe(false)

    const seen: string[] = []
    const lenient = harness({}, { verify: (t) => void seen.push(t.id) }).pool
    await lenient.add(forged)
    expect(seen).toEqual([forged.id])
    expect(lenient.has(forged.id)).toBe(true)
  })

  it('refuses a nonce below the account nonce', async () => {
    const { pool, accounts } = harness()
    accounts.set(0, { nonce: 5n })
    await expectCode(pool.add(tx(0, 4)), 'TX_NONCE_TOO_LOW')
    await pool.add(tx(0, 5))
    expect(pool.size).toBe(1)
  })

  it('holds a future nonce and promotes it when the gap fills', async () => {
    const { pool } = harness()
    const t2 = tx(0, 2)
    const t1 = tx(0, 1)
    const t0 = tx(0, 0)
    expect((await pool.add(t2)).status).toBe('future')
    expect((await pool.add(t1)).status).toBe('future')
    expect(pool.pending()).toEqual([])
    expect(pool.futureCount).toBe(2)
    expect((await pool.add(t0)).status).toBe('ready')
    expect(readyIds(pool)).toEqual([t0.id, t1.id, t2.id])
    expect(statusOf(pool, t2.id)).toBe('ready')
    expect(pool.futureCount).toBe(0)
    expect(pool.readyCount).toBe(3)
  })

  it('requires the balance to cover the cumulative cost up to the nonce', async () => {
    const { pool, accounts } = harness()
    accounts.set(0, { balance: 2_500n })
    await pool.add(tx(0, 0, { amount: 500n, fee: 500n })) // cost 1,000
    await pool.add(tx(0, 1, { amount: 500n, fee: 500n })) // 2,000 in total
    await expectCode(pool.add(tx(0, 2, { amount: 500n, fee: 500n })), 'TX_INSUFFICIENT_BALANCE') // 3,000
    // A future nonce counts the pending txs below it too.
    await expectCode(pool.add(tx(0, 3, { amount: 100n, fee: 500n })), 'TX_INSUFFICIENT_BALANCE') // 2,600
    await pool.add(tx(0, 2, { amount: 0n, fee: 500n })) // 2,500 exactly
    expect(pool.size).toBe(3)
  })

  it('drops later txs that a lower nonce leaves uncovered', async () => {
    const { pool, accounts } = harness()
    accounts.set(0, { balance: 3_000n })
    const t1 = tx(0, 1, { amount: 1_000n, fee: 500n }) // future, 1,500
    await pool.add(t1)
    const t0 = tx(0, 0, { amount: 1_000n, fee: 1_000n }) // 2,000 + 1,500 > 3,000
    const result = await pool.add(t0)
    expect(result.droppedIds).toEqual([t1.id])
    expect(pool.has(t1.id)).toBe(false)
    expect(readyIds(pool)).toEqual([t0.id])
  })

  it('replaces a pending tx for a fee at least 10% higher', async () => {
    const { pool } = harness()
    const original = tx(0, 0, { fee: 1_000n })
    await pool.add(original)
    await pool.add(tx(0, 1, { fee: 1_000n }))
    await expectCode(pool.add(tx(0, 0, { fee: 1_000n, amount: 2n })), 'MEMPOOL_REPLACEMENT_UNDERPRICED')
    await expectCode(pool.add(tx(0, 0, { fee: 1_099n })), 'MEMPOOL_REPLACEMENT_UNDERPRICED')
    expect(pool.has(original.id)).toBe(true)

    const replacement = tx(0, 0, { fee: 1_100n })
    const result = await pool.add(replacement)
    expect(result.replacedId).toBe(original.id)
    expect(result.status).toBe('ready')
    expect(pool.has(original.id)).toBe(false)
    expect(pool.size).toBe(2)
    expect(pool.pending().map((t) => t.fields.nonce)).toEqual([0n, 1n])
    expect(pool.pending()[0]).toBe(replacement)
  })

  it('honours a configured fee bump, and replaces a future tx in place', async () => {
    const { pool } = harness({ replaceFeeBumpPercent: 50 })
    await pool.add(tx(0, 3, { fee: 1_000n }))
    await expectCode(pool.add(tx(0, 3, { fee: 1_499n })), 'MEMPOOL_REPLACEMENT_UNDERPRICED')
    const result = await pool.add(tx(0, 3, { fee: 1_500n }))
    expect(result.status).toBe('future')
    expect(pool.futureCount).toBe(1)
    expect(pool.size).toBe(1)
  })

  it('requires a strictly higher fee even with a zero bump', async () => {
    const { pool } = harness({ replaceFeeBumpPercent: 0 })
    await pool.add(tx(0, 0, { fee: 1_000n }))
    await expectCode(pool.add(tx(0, 0, { fee: 1_000n, amount: 2n })), 'MEMPOOL_REPLACEMENT_UNDERPRICED')
    expect((await pool.add(tx(0, 0, { fee: 1_001n }))).replacedId).toBeDefined()
  })

  it('refuses an exact duplicate', async () => {
    const { pool } = harness()
    const t = tx(0, 0)
    await pool.add(t)
    await expectCode(pool.add(t), 'MEMPOOL_DUPLICATE')
    await expectCode(pool.add(Tx.fromBytes(t.bytes)), 'MEMPOOL_DUPLICATE')
    expect(pool.size).toBe(1)
  })

  it('does not verify the signature of a duplicate', async () => {
    let verifies = 0
    const { pool } = harness({}, { verify: () => void verifies++ })
    const t = tx(0, 0)
    await pool.add(t)
    await expectCode(pool.add(t), 'MEMPOOL_DUPLICATE')
    expect(verifies).toBe(1)
  })

  it('checks balance and nonce window before the signature: an unfunded or out-of-window tx costs no verify', async () => {
    let verifies = 0
    const { pool, accounts } = harness({ nonceGapMax: 4 }, { verify: () => void verifies++ })
    // sender 20 has no account; sender 1 cannot pay; sender 2 is at nonce 3
    accounts.set(1, { balance: 500n })
    accounts.set(2, { nonce: 3n })
    await expectCode(pool.add(tx(20, 0)), 'TX_INSUFFICIENT_BALANCE')
    await expectCode(pool.add(tx(1, 0)), 'TX_INSUFFICIENT_BALANCE')
    await expectCode(pool.add(tx(2, 2)), 'TX_NONCE_TOO_LOW')
    await expectCode(pool.add(tx(2, 3 + 4 + 1)), 'MEMPOOL_NONCE_GAP')
    expect(verifies).toBe(0)
    await pool.add(tx(2, 3 + 4))
    expect(verifies).toBe(1)
  })

  it('waits for an asynchronous signature check and refuses on its verdict', async () => {
    const good = tx(0, 0)
    const forged = Tx.fromFields({ ...good.fields, amount: 999n })
    const pending: Array<() => void> = []
    const { pool } = harness(
      {},
      {
        verify: (t) =>
          new Promise<void>((resolve, reject) => {
            pending.push(() => (t.id === forged.id ? reject(new VerifyError('TX_BAD_SIGNATURE', 'forged')) : resolve()))
          }),
      },
    )
    const adds = [pool.add(forged), pool.add(tx(1, 0))]
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(pool.size).toBe(0)
    expect(pending.length).toBe(2)
    for (const settle of pending) settle()
    await expectCode(adds[0] as Promise<unknown>, 'TX_BAD_SIGNATURE')
    await adds[1]
    expect(pool.size).toBe(1)
  })

  it('limits the pending txs of one sender, but still allows replacements', async () => {
    const { pool } = harness({ perSenderMax: 2 })
    await pool.add(tx(0, 0))
    await pool.add(tx(0, 1))
    await expectCode(pool.add(tx(0, 2)), 'MEMPOOL_SENDER_LIMIT')
    await expectCode(pool.add(tx(0, 5)), 'MEMPOOL_SENDER_LIMIT')
    await pool.add(tx(0, 1, { fee: 2_000n }))
    await pool.add(tx(1, 0))
    expect(pool.size).toBe(3)
  })

  it('refuses a nonce that skips too far past the next executable nonce', async () => {
    const { pool, accounts } = harness({ nonceGapMax: 2 })
    accounts.set(0, { nonce: 10n })
    await expectCode(pool.add(tx(0, 13)), 'MEMPOOL_NONCE_GAP')
    await pool.add(tx(0, 12)) // skips 10 and 11
    await pool.add(tx(0, 10))
    // The gap counts from the end of the ready run (now 11).
    await pool.add(tx(0, 13))
    await expectCode(pool.add(tx(0, 14)), 'MEMPOOL_NONCE_GAP')
    expect(pool.size).toBe(3)
  })

  it('re-reads the account on every admission and drops what the head already mined', async () => {
    const { pool, accounts } = harness()
    const t0 = tx(0, 0)
    const t1 = tx(0, 1)
    await pool.add(t0)
    await pool.add(t1)
    accounts.set(0, { nonce: 1n }) // the chain mined t0; no reset yet
    const t2 = tx(0, 2)
    const result = await pool.add(t2)
    expect(result.droppedIds).toEqual([t0.id])
    expect(readyIds(pool)).toEqual([t1.id, t2.id])
  })

  it('charges a new tx only for the pending txs the head has not mined yet', async () => {
    const { pool, accounts } = harness()
    accounts.set(0, { balance: 2_000n })
    await pool.add(tx(0, 0, { amount: 0n, fee: 1_000n }))
    await pool.add(tx(0, 1, { amount: 0n, fee: 1_000n }))
    // nonce 0 is mined (balance 1,000 left, no reset yet): only nonces 1 and 2 count now.
    accounts.set(0, { balance: 1_000n, nonce: 1n })
    await expectCode(pool.add(tx(0, 2, { amount: 0n, fee: 1_000n })), 'TX_INSUFFICIENT_BALANCE')
    accounts.set(0, { balance: 2_000n, nonce: 1n })
    expect((await pool.add(tx(0, 2, { amount: 0n, fee: 1_000n }))).status).toBe('ready')
    expect(pool.pending().map((t) => t.fields.nonce)).toEqual([1n, 2n])
  })

  it('throws VerifyError instances whose verdict is ignore for pool policy', async () => {
    const { pool } = harness()
    const t = tx(0, 0)
    await pool.add(t)
    const err = await pool.add(t).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VerifyError)
    expect((err as VerifyError).verdict).toBe('ignore')
  })

  it('lists every tx with its status and arrival time', async () => {
    const { pool, clock } = harness()
    const a = tx(0, 0)
    await pool.add(a)
    clock.advance(5)
    const b = tx(0, 2)
    await pool.add(b)
    expect(pool.list().map(({ id, status, addedMs, nonce }) => ({ id, status, addedMs, nonce }))).toEqual([
      { id: a.id, status: 'ready', addedMs: 1_000_000, nonce: 0n },
      { id: b.id, status: 'future', addedMs: 1_000_005, nonce: 2n },
    ])
  })
})
