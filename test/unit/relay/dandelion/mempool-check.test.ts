/** Mempool.check (a stem tx's validation) and setHeldOutside (the wallet's nonces past its stem txs). */
import { describe, expect, it } from 'vitest'
import { expectCode, harness, RICH, tx } from '../../mempool/helpers.js'

describe('Mempool.check', () => {
  it('runs the admission rules without admitting, and says the status admission would give', async () => {
    const { pool } = harness()
    expect(await pool.check(tx(1, 0))).toBe('ready')
    expect(await pool.check(tx(1, 2))).toBe('future')
    expect(pool.size).toBe(0)
    expect(pool.list()).toEqual([])
  })

  it('refuses what add() refuses, with the same codes', async () => {
    const { pool, accounts } = harness()
    const held = tx(1, 0)
    await pool.add(held)
    await expectCode(pool.check(held), 'MEMPOOL_DUPLICATE')
    await expectCode(pool.check(tx(1, 0, { fee: 1_001n })), 'MEMPOOL_REPLACEMENT_UNDERPRICED')
    await expectCode(pool.check(tx(1, 0, { chainId: 'elsewhere' })), 'TX_WRONG_CHAIN')
    accounts.set(2, { nonce: 5n })
    await expectCode(pool.check(tx(2, 4)), 'TX_NONCE_TOO_LOW')
    await expectCode(pool.check(tx(3, 0, { amount: RICH })), 'TX_INSUFFICIENT_BALANCE')
    expect(pool.size).toBe(1)
  })
})

describe('Mempool.setHeldOutside', () => {
  it('makes nextNonce skip nonces held outside the pool', async () => {
    const { pool } = harness()
    const sender = tx(1, 0).senderHex
    const outside = new Set([0n, 1n])
    expect(pool.nextNonce(sender, 0n)).toBe(0n)
    pool.setHeldOutside((hex, nonce) => hex === sender && outside.has(nonce))
    expect(pool.nextNonce(sender, 0n)).toBe(2n)
    await pool.add(tx(1, 2))
    expect(pool.nextNonce(sender, 0n)).toBe(3n)
  })
})
