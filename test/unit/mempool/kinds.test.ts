/** The mempool and tx kinds: admitted only on a staking chain, and a sender's balance covers each kind's cost. */
import { describe, expect, it } from 'vitest'
import { Tx } from '../../../src/ledger/tx.js'
import { TX_KIND } from '../../../src/ledger/tx-kind.js'
import { address, CHAIN_ID, expectCode, harness, key } from './helpers.js'

/** A stake or unstake from devnet account `i` to itself. */
function bond(kind: number, i: number, nonce: number, amount: bigint, fee = 1_000n): Tx {
  return Tx.create({ chainId: CHAIN_ID, recipient: address(i), amount, fee, nonce: BigInt(nonce), kind }, key(i))
}

describe('mempool: tx kinds', () => {
  it('refuses a stake or unstake on a chain without stake', async () => {
    const { pool } = harness()
    await expectCode(pool.add(bond(TX_KIND.stake, 0, 0, 10n)), 'TX_KIND_UNSUPPORTED')
    await expectCode(pool.add(bond(TX_KIND.unstake, 0, 0, 10n)), 'TX_KIND_UNSUPPORTED')
    expect(pool.size).toBe(0)
  })

  it('admits them on a staking chain, holding the rules of their kind', async () => {
    const { pool } = harness({}, { staking: true })
    await pool.add(bond(TX_KIND.stake, 0, 0, 10n))
    await pool.add(bond(TX_KIND.unstake, 0, 1, 10n))
    expect(pool.size).toBe(2)
    await expectCode(pool.add(bond(TX_KIND.stake, 1, 0, 0n)), 'TX_BAD_FIELD')
  })

  it('an unstake costs its fee alone: its amount leaves the stake, not the balance', async () => {
    const { pool, accounts } = harness({}, { staking: true })
    accounts.set(2, { balance: 5_000n })
    await expectCode(pool.add(bond(TX_KIND.stake, 2, 0, 5_000n)), 'TX_INSUFFICIENT_BALANCE')
    await pool.add(bond(TX_KIND.unstake, 2, 0, 1_000_000n))
    // pending cost so far 1,000 of 5,000: a stake of 3,000 + fee 1,000 still fits, one more does not
    await pool.add(bond(TX_KIND.stake, 2, 1, 3_000n))
    await expectCode(pool.add(bond(TX_KIND.stake, 2, 2, 1n)), 'TX_INSUFFICIENT_BALANCE')
  })
})
