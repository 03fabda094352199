import { describe, expect, it } from 'vitest'
import { BlockTxError, VerifyError } from '../../../src/ledger/errors.js'
import {
  type Account,
  accountFromBytes,
  accountToBytes,
  applyBlockTxs,
  applyTx,
  checkTxAgainstAccount,
  EMPTY_ACCOUNT,
  StateOverlay,
} from '../../../src/ledger/state.js'
import { toHex, U64_MAX } from '../../../src/util/bytes.js'
import { addressOf, expectVerifyError, signedTx, thrownBy } from './fixtures.js'

const ALICE = 0
const BOB = 1
const MINER = 7

/** An overlay over a fixed base of test accounts. */
function overlay(accounts: Record<number, Account>): { state: StateOverlay; reads: string[] } {
  const base = new Map(Object.entries(accounts).map(([i, a]) => [toHex(addressOf(Number(i))), a]))
  const reads: string[] = []
  const state = new StateOverlay((addressHex) => {
    reads.push(addressHex)
    return base.get(addressHex)
  })
  return { state, reads }
}

const balanceOf = (state: StateOverlay, i: number): bigint => state.get(addressOf(i)).balance
const nonceOf = (state: StateOverlay, i: number): bigint => state.get(addressOf(i)).nonce

describe('checkTxAgainstAccount', () => {
  const account = { balance: 1_000n, nonce: 5n }

  it('accepts the next nonce with enough balance, down to the exact cost', () => {
    expect(() => checkTxAgainstAccount(signedTx({ nonce: 5n, amount: 10n, fee: 1n }), account)).not.toThrow()
    expect(() => checkTxAgainstAccount(signedTx({ nonce: 5n, amount: 999n, fee: 1n }), account)).not.toThrow()
  })

  it('TX_NONCE_TOO_LOW: a nonce already used', () => {
    expectVerifyError(() => checkTxAgainstAccount(signedTx({ nonce: 4n }), account), 'TX_NONCE_TOO_LOW', 'ignore')
    expectVerifyError(() => checkTxAgainstAccount(signedTx({ nonce: 0n }), account), 'TX_NONCE_TOO_LOW', 'ignore')
  })

  it('TX_NONCE_TOO_HIGH: a nonce with a gap', () => {
    expectVerifyError(() => checkTxAgainstAccount(signedTx({ nonce: 6n }), account), 'TX_NONCE_TOO_HIGH', 'ignore')
  })

  it('TX_INSUFFICIENT_BALANCE: amount + fee above the balance by one', () => {
    expectVerifyError(
      () => checkTxAgainstAccount(signedTx({ nonce: 5n, amount: 1_000n, fee: 1n }), account),
      'TX_INSUFFICIENT_BALANCE',
      'ignore',
    )
    // the fee alone must also be covered
    expectVerifyError(
      () => checkTxAgainstAccount(signedTx({ nonce: 5n, amount: 0n, fee: 1_001n }), account),
      'TX_INSUFFICIENT_BALANCE',
      'ignore',
    )
  })

  it('treats a missing account as empty', () => {
    expectVerifyError(
      () => checkTxAgainstAccount(signedTx({ nonce: 0n }), EMPTY_ACCOUNT),
      'TX_INSUFFICIENT_BALANCE',
      'ignore',
    )
  })
})

describe('applyTx', () => {
  it('debits amount + fee, bumps the nonce, credits the recipient and returns the fee', () => {
    const { state } = overlay({ [ALICE]: { balance: 100n, nonce: 3n }, [BOB]: { balance: 5n, nonce: 9n } })
    const fee = applyTx(state, signedTx({ nonce: 3n, amount: 40n, fee: 2n, recipient: addressOf(BOB) }, ALICE))
    expect(fee).toBe(2n)
    expect(state.get(addressOf(ALICE))).toEqual({ balance: 58n, nonce: 4n })
    expect(state.get(addressOf(BOB))).toEqual({ balance: 45n, nonce: 9n })
  })

  it('creates the recipient account and records what each account was before', () => {
    const { state } = overlay({ [ALICE]: { balance: 100n, nonce: 0n } })
    applyTx(state, signedTx({ amount: 10n, fee: 1n, recipient: addressOf(BOB) }, ALICE))
    const changes = new Map(state.changes().map((c) => [toHex(c.address), c]))
    expect(changes.size).toBe(2)
    expect(changes.get(toHex(addressOf(ALICE)))).toMatchObject({
      account: { balance: 89n, nonce: 1n },
      before: { balance: 100n, nonce: 0n },
    })
    expect(changes.get(toHex(addressOf(BOB)))).toMatchObject({
      account: { balance: 10n, nonce: 0n },
      before: undefined,
    })
  })

  it('a transfer to oneself near u64 max is not an overflow', () => {
    const { state } = overlay({ [ALICE]: { balance: U64_MAX, nonce: 0n } })
    applyTx(state, signedTx({ amount: 10n, fee: 1n, recipient: addressOf(ALICE) }, ALICE))
    expect(state.get(addressOf(ALICE))).toEqual({ balance: U64_MAX - 1n, nonce: 1n })
  })

  it('a transfer to oneself costs only the fee', () => {
    const { state } = overlay({ [ALICE]: { balance: 100n, nonce: 0n } })
    applyTx(state, signedTx({ amount: 60n, fee: 3n, recipient: addressOf(ALICE) }, ALICE))
    expect(state.get(addressOf(ALICE))).toEqual({ balance: 97n, nonce: 1n })
  })

  it('sees earlier changes in the same overlay (nonces chain)', () => {
    const { state } = overlay({ [ALICE]: { balance: 100n, nonce: 0n } })
    applyTx(state, signedTx({ nonce: 0n, amount: 1n, fee: 1n }, ALICE))
    applyTx(state, signedTx({ nonce: 1n, amount: 1n, fee: 1n }, ALICE))
    expectVerifyError(() => applyTx(state, signedTx({ nonce: 1n }, ALICE)), 'TX_NONCE_TOO_LOW', 'ignore')
    expect(state.get(addressOf(ALICE))).toEqual({ balance: 96n, nonce: 2n })
  })

  it('TX_NONCE_TOO_HIGH and TX_INSUFFICIENT_BALANCE change nothing', () => {
    const { state } = overlay({ [ALICE]: { balance: 10n, nonce: 0n } })
    expectVerifyError(() => applyTx(state, signedTx({ nonce: 1n }, ALICE)), 'TX_NONCE_TOO_HIGH', 'ignore')
    expectVerifyError(
      () => applyTx(state, signedTx({ amount: 10n, fee: 1n }, ALICE)),
      'TX_INSUFFICIENT_BALANCE',
      'ignore',
    )
    expect(state.changes()).toEqual([])
  })

  it('TX_AMOUNT_OVERFLOW: the recipient balance would pass u64', () => {
    const { state } = overlay({
      [ALICE]: { balance: 100n, nonce: 0n },
      [BOB]: { balance: U64_MAX - 5n, nonce: 0n },
    })
    expectVerifyError(
      () => applyTx(state, signedTx({ amount: 6n, fee: 1n, recipient: addressOf(BOB) }, ALICE)),
      'TX_AMOUNT_OVERFLOW',
      'reject',
    )
    // refused before any write: the sender is neither debited nor its nonce bumped
    expect(state.changes()).toEqual([])
    expect(state.get(addressOf(ALICE))).toEqual({ balance: 100n, nonce: 0n })
    const fresh = overlay({ [ALICE]: { balance: 100n, nonce: 0n }, [BOB]: { balance: U64_MAX - 5n, nonce: 0n } })
    applyTx(fresh.state, signedTx({ amount: 5n, fee: 1n, recipient: addressOf(BOB) }, ALICE))
    expect(balanceOf(fresh.state, BOB)).toBe(U64_MAX)
  })
})

describe('applyBlockTxs', () => {
  const funded = (): StateOverlay =>
    overlay({ [ALICE]: { balance: 1_000n, nonce: 0n }, [BOB]: { balance: 1_000n, nonce: 0n } }).state

  it('applies txs in order and pays the miner subsidy + fees', () => {
    const state = funded()
    const txs = [
      signedTx({ nonce: 0n, amount: 100n, fee: 3n, recipient: addressOf(BOB) }, ALICE),
      signedTx({ nonce: 0n, amount: 50n, fee: 4n, recipient: addressOf(ALICE) }, BOB),
      signedTx({ nonce: 1n, amount: 10n, fee: 5n, recipient: addressOf(BOB) }, ALICE),
    ]
    applyBlockTxs(state, txs, addressOf(MINER), 62n, 50n)
    expect(balanceOf(state, ALICE)).toBe(1_000n - 103n + 50n - 15n)
    expect(balanceOf(state, BOB)).toBe(1_000n + 100n - 54n + 10n)
    expect(balanceOf(state, MINER)).toBe(62n)
    expect(nonceOf(state, ALICE)).toBe(2n)
    expect(nonceOf(state, BOB)).toBe(1n)
  })

  it('does not touch the miner when the reward is zero', () => {
    const { state } = overlay({})
    applyBlockTxs(state, [], addressOf(MINER), 0n, 0n)
    expect(state.changes()).toEqual([])
  })

  it('BLOCK_BAD_REWARD: the header claims more than subsidy + fees', () => {
    const state = funded()
    const txs = [signedTx({ fee: 3n }, ALICE)]
    const err = expectVerifyError(
      () => applyBlockTxs(state, txs, addressOf(MINER), 54n, 50n),
      'BLOCK_BAD_REWARD',
      'reject',
    )
    expect(err.message).toContain('54')
  })

  it('BLOCK_BAD_REWARD: the header claims less than subsidy + fees', () => {
    expectVerifyError(
      () => applyBlockTxs(funded(), [signedTx({ fee: 3n }, ALICE)], addressOf(MINER), 52n, 50n),
      'BLOCK_BAD_REWARD',
      'reject',
    )
    expectVerifyError(() => applyBlockTxs(funded(), [], addressOf(MINER), 0n, 50n), 'BLOCK_BAD_REWARD', 'reject')
  })

  it('BLOCK_INVALID_TX: wraps the failing tx with its index, always reject', () => {
    const txs = [
      signedTx({ nonce: 0n, amount: 990n, fee: 1n }, ALICE),
      signedTx({ nonce: 0n }, BOB),
      signedTx({ nonce: 1n, amount: 9n, fee: 1n }, ALICE), // ALICE has 9 left
    ]
    const err = expectVerifyError(
      () => applyBlockTxs(funded(), txs, addressOf(MINER), 53n, 50n),
      'BLOCK_INVALID_TX',
      'reject',
    )
    expect(err).toBeInstanceOf(BlockTxError)
    expect((err as BlockTxError).txIndex).toBe(2)
    expect((err as BlockTxError).cause.code).toBe('TX_INSUFFICIENT_BALANCE')
  })

  it.each([
    ['TX_NONCE_TOO_LOW', { nonce: 0n }],
    ['TX_NONCE_TOO_HIGH', { nonce: 2n }],
  ] as const)('BLOCK_INVALID_TX wraps %s at index 1', (code, spec) => {
    const txs = [signedTx({ nonce: 0n }, ALICE), signedTx(spec, ALICE)]
    const err = thrownBy(() => applyBlockTxs(funded(), txs, addressOf(MINER), 52n, 50n))
    expect(err).toBeInstanceOf(BlockTxError)
    expect((err as BlockTxError).code).toBe('BLOCK_INVALID_TX')
    expect((err as BlockTxError).verdict).toBe('reject')
    expect((err as BlockTxError).txIndex).toBe(1)
    expect((err as BlockTxError).cause.code).toBe(code)
  })

  it('BLOCK_INVALID_TX wraps a recipient overflow', () => {
    const { state } = overlay({ [ALICE]: { balance: 100n, nonce: 0n }, [BOB]: { balance: U64_MAX, nonce: 0n } })
    const err = thrownBy(() =>
      applyBlockTxs(
        state,
        [signedTx({ amount: 1n, fee: 1n, recipient: addressOf(BOB) }, ALICE)],
        addressOf(MINER),
        1n,
        0n,
      ),
    )
    expect(err).toBeInstanceOf(BlockTxError)
    expect((err as BlockTxError).txIndex).toBe(0)
    expect((err as BlockTxError).cause.code).toBe('TX_AMOUNT_OVERFLOW')
  })

  it('refuses a reward that would overflow the miner balance', () => {
    const { state } = overlay({ [MINER]: { balance: U64_MAX, nonce: 0n } })
    const err = thrownBy(() => applyBlockTxs(state, [], addressOf(MINER), 1n, 1n))
    expect(err).toBeInstanceOf(VerifyError)
    expect((err as VerifyError).verdict).toBe('reject')
  })
})

describe('StateOverlay', () => {
  it('reads through to the base, then from its own changes', () => {
    const { state, reads } = overlay({ [ALICE]: { balance: 5n, nonce: 1n } })
    expect(state.get(addressOf(ALICE))).toEqual({ balance: 5n, nonce: 1n })
    expect(state.get(addressOf(BOB))).toBe(EMPTY_ACCOUNT)
    state.set(addressOf(ALICE), { balance: 6n, nonce: 2n })
    state.set(addressOf(ALICE), { balance: 7n, nonce: 3n })
    reads.length = 0
    expect(state.get(addressOf(ALICE))).toEqual({ balance: 7n, nonce: 3n })
    expect(reads).toEqual([])
    const [change] = state.changes()
    expect(state.changes()).toHaveLength(1)
    expect(change?.before).toEqual({ balance: 5n, nonce: 1n })
  })

  it('EMPTY_ACCOUNT is frozen', () => {
    expect(Object.isFrozen(EMPTY_ACCOUNT)).toBe(true)
  })

  it('accounts round-trip through their canonical bytes', () => {
    for (const a of [EMPTY_ACCOUNT, { balance: 1n, nonce: 0n }, { balance: U64_MAX, nonce: U64_MAX }]) {
      expect(accountFromBytes(accountToBytes(a))).toEqual(a)
    }
    expect(accountToBytes(EMPTY_ACCOUNT).byteLength).toBe(0)
  })
})
