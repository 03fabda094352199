/** Shared fakes and builders for the mempool tests: devnet keys, signed txs, a Map-backed account reader. */
import { expect } from 'vitest'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import type { KeyPair } from '../../../src/ledger/crypto.js'
import { type RuleCode, VerifyError } from '../../../src/ledger/errors.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import { type ChainLimits, DEFAULT_LIMITS } from '../../../src/ledger/limits.js'
import { type Account, EMPTY_ACCOUNT } from '../../../src/ledger/state.js'
import { Tx } from '../../../src/ledger/tx.js'
import { Mempool, type MempoolDeps, type MempoolOptions } from '../../../src/mempool/index.js'
import { toHex } from '../../../src/util/bytes.js'
import { ManualClock } from '../../../src/util/clock.js'

export const CHAIN_ID = 'mempool-test'
export const LIMITS: ChainLimits = { ...DEFAULT_LIMITS }
export const RICH = 1_000_000_000n

const keys = new Map<number, KeyPair>()

export function key(i: number): KeyPair {
  let k = keys.get(i)
  if (!k) {
    k = devnetKey(i)
    keys.set(i, k)
  }
  return k
}

export function address(i: number): Uint8Array {
  return addressFromPublicKey(key(i).publicKey)
}

const RECIPIENT = new Uint8Array(20).fill(7)

export interface TxSpec {
  fee?: bigint
  amount?: bigint
  memo?: Uint8Array
  chainId?: string
}

/** A tx from devnet account `i` with `nonce`; fee 1,000 and amount 1 unless told. */
export function tx(i: number, nonce: number | bigint, spec: TxSpec = {}): Tx {
  return Tx.create(
    {
      chainId: spec.chainId ?? CHAIN_ID,
      recipient: RECIPIENT,
      amount: spec.amount ?? 1n,
      fee: spec.fee ?? 1_000n,
      nonce: BigInt(nonce),
      memo: spec.memo,
    },
    key(i),
  )
}

/** Committed accounts backed by a Map; counts calls so tests can see batching. */
export class FakeAccounts {
  readonly accounts = new Map<string, Account>()
  calls = 0
  /** While set, reads wait for it: lets a test hold one operation mid-flight. */
  gate: Promise<void> | undefined

  set(i: number, account: Partial<Account>): void {
    this.accounts.set(toHex(address(i)), { balance: RICH, nonce: 0n, ...account })
  }

  readAccounts = async (addresses: Uint8Array[]): Promise<Account[]> => {
    this.calls++
    if (this.gate) await this.gate
    return addresses.map((a) => ({ ...(this.accounts.get(toHex(a)) ?? EMPTY_ACCOUNT) }))
  }
}

export interface Harness {
  pool: Mempool
  accounts: FakeAccounts
  clock: ManualClock
}

/** A pool whose senders 0..9 are rich with nonce 0. */
export function harness(options: MempoolOptions = {}, deps: Partial<MempoolDeps> = {}): Harness {
  const accounts = new FakeAccounts()
  for (let i = 0; i < 10; i++) accounts.set(i, {})
  const clock = new ManualClock(1_000_000)
  const pool = new Mempool(
    { chainId: CHAIN_ID, limits: LIMITS, staking: false, clock, readAccounts: accounts.readAccounts, ...deps },
    options,
  )
  return { pool, accounts, clock }
}

/** Asserts that `promise` rejects with a VerifyError of exactly `code`. */
export async function expectCode(promise: Promise<unknown>, code: RuleCode): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err, `expected ${code}`).toBeInstanceOf(VerifyError)
  expect((err as VerifyError).code).toBe(code)
}

/** Ids of the pool's ready txs, in pending() order. */
export function readyIds(pool: Mempool): string[] {
  return pool.pending().map((t) => t.id)
}

export function statusOf(pool: Mempool, id: string): string | undefined {
  return pool.list().find((info) => info.id === id)?.status
}
