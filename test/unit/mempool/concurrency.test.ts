import { describe, expect, it } from 'vitest'
import type { VerifyError } from '../../../src/ledger/errors.js'
import { FakeAccounts, harness, readyIds, tx } from './helpers.js'

function codes(results: PromiseSettledResult<unknown>[]): string[] {
  return results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as VerifyError).code))
}

describe('mempool concurrency', () => {
  it('admits concurrent adds of one sender consistently, in any arrival order', async () => {
    const { pool } = harness()
    const txs = Array.from({ length: 8 }, (_, n) => tx(0, n))
    const shuffled = [5, 2, 7, 0, 3, 6, 1, 4].map((n) => txs[n]!)
    const results = await Promise.allSettled(shuffled.map((t) => pool.add(t)))
    expect(codes(results)).toEqual(Array(8).fill('ok'))
    expect(readyIds(pool)).toEqual(txs.map((t) => t.id))
    expect(pool.futureCount).toBe(0)
  })

  it('charges concurrent adds against one balance', async () => {
    const { pool, accounts } = harness()
    accounts.set(0, { balance: 3_000n })
    const txs = Array.from({ length: 5 }, (_, n) => tx(0, n, { amount: 0n, fee: 1_000n }))
    const results = await Promise.allSettled(txs.map((t) => pool.add(t)))
    expect(codes(results)).toEqual(['ok', 'ok', 'ok', 'TX_INSUFFICIENT_BALANCE', 'TX_INSUFFICIENT_BALANCE'])
    expect(pool.size).toBe(3)
  })

  it('admits one of two concurrent copies of a tx', async () => {
    const { pool } = harness()
    const t = tx(0, 0)
    const results = await Promise.allSettled([pool.add(t), pool.add(t)])
    expect(codes(results)).toEqual(['ok', 'MEMPOOL_DUPLICATE'])
    expect(pool.size).toBe(1)
  })

  it('runs an add that arrives during a reset after the reset', async () => {
    const { pool, accounts } = harness()
    const n0 = tx(0, 0)
    await pool.add(n0)
    let open = (): void => {}
    accounts.gate = new Promise<void>((resolve) => {
      open = resolve
    })
    accounts.set(0, { nonce: 1n })
    const callsBefore = accounts.calls
    const reset = pool.reset({ included: [n0], returned: [] })
    const n1 = tx(0, 1)
    const add = pool.add(n1)
    await new Promise((resolve) => setTimeout(resolve, 10))
    // The reset is waiting on its account read; the add's cheap checks read beside it, its admission waits.
    expect(accounts.calls - callsBefore).toBe(2)
    expect(pool.has(n0.id)).toBe(true)
    accounts.gate = undefined
    open()
    expect((await reset).includedCount).toBe(1)
    expect((await add).status).toBe('ready')
    // the reset began after the add's cheap-check read was asked for: the admission reads again
    expect(accounts.calls - callsBefore).toBe(3)
    expect(readyIds(pool)).toEqual([n1.id])
  })

  it('keeps serving after an account read fails', async () => {
    const backing = new FakeAccounts()
    backing.set(0, {})
    let failing = true
    const { pool } = harness(
      {},
      {
        readAccounts: async (addresses) => {
          if (failing) throw new Error('storage is down')
          return backing.readAccounts(addresses)
        },
      },
    )
    await expect(pool.add(tx(0, 0))).rejects.toThrow('storage is down')
    await expect(pool.reset({ included: [], returned: [tx(1, 0)] })).rejects.toThrow('storage is down')
    failing = false
    // The queue is not stuck on the failed tasks, and they left nothing behind.
    expect(pool.size).toBe(0)
    await pool.add(tx(0, 0))
    expect(pool.size).toBe(1)
  })
})
