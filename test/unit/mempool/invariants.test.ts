import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isVerifyError } from '../../../src/ledger/errors.js'
import type { Tx } from '../../../src/ledger/tx.js'
import { toHex } from '../../../src/util/bytes.js'
import { address, type FakeAccounts, harness, tx } from './helpers.js'

const SENDERS = 4
const FEES = [1_000n, 1_200n, 2_000n, 5_000n]
const txCache = new Map<string, Tx>()

function cachedTx(sender: number, nonce: number, fee: bigint): Tx {
  const key = `${sender}/${nonce}/${fee}`
  let t = txCache.get(key)
  if (!t) {
    t = tx(sender, nonce, { fee, amount: 500n })
    txCache.set(key, t)
  }
  return t
}

type Op =
  | { kind: 'add'; sender: number; nonce: number; fee: number }
  | { kind: 'mine'; count: number }
  | { kind: 'account'; sender: number; nonce: number; balance: number }
  | { kind: 'expire'; advanceMs: number }
  | { kind: 'remove'; pick: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      sender: fc.nat(SENDERS - 1),
      nonce: fc.nat(7),
      fee: fc.nat(FEES.length - 1),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mine' as const), count: fc.nat(4) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('account' as const),
      sender: fc.nat(SENDERS - 1),
      nonce: fc.nat(4),
      balance: fc.nat(8),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), advanceMs: fc.nat(600) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
)

describe('mempool invariants under random operations', () => {
  it('keeps indices, statuses, caps and balances consistent', async () => {
    const seen = { admitted: 0, future: 0, mined: 0, dropped: 0, refused: new Set<string>() }
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 20, maxLength: 60 }), async (ops) => {
        const { pool, accounts, clock } = harness({
          countMax: 12,
          futureMax: 4,
          perSenderMax: 5,
          nonceGapMax: 3,
          expiryMs: 1_000,
        })
        for (const o of ops) {
          if (o.kind === 'add') {
            await pool.add(cachedTx(o.sender, o.nonce, FEES[o.fee] as bigint)).then(
              (r) => {
                seen.admitted++
                seen.dropped += r.droppedIds.length
                if (r.status === 'future') seen.future++
              },
              (e: unknown) => {
                if (!isVerifyError(e)) throw e
                seen.refused.add(e.code)
              },
            )
          } else if (o.kind === 'mine') {
            const block = pool.template({ txsMax: o.count, bytesMax: 1 << 20 })
            for (const t of block) {
              const hex = t.senderHex
              const a = accounts.accounts.get(hex) as { balance: bigint; nonce: bigint }
              expect(t.fields.nonce).toBe(a.nonce)
              expect(a.balance >= t.cost).toBe(true)
              accounts.accounts.set(hex, { balance: a.balance - t.cost, nonce: a.nonce + 1n })
            }
            seen.mined += block.length
            await pool.reset({ included: block, returned: [] })
          } else if (o.kind === 'account') {
            accounts.set(o.sender, { nonce: BigInt(o.nonce), balance: BigInt(o.balance) * 1_500n })
            await pool.reset({ included: [], returned: [] })
          } else if (o.kind === 'expire') {
            clock.advance(o.advanceMs)
            pool.expire()
          } else {
            const list = pool.list()
            if (list.length > 0) pool.remove([(list[o.pick % list.length] as { id: string }).id])
          }
          checkInvariants(pool, accounts)
        }
      }),
      { numRuns: 100 },
    )
    // The runs did exercise the rules.
    expect(seen.admitted).toBeGreaterThan(200)
    expect(seen.future).toBeGreaterThan(10)
    expect(seen.mined).toBeGreaterThan(10)
    expect(seen.dropped).toBeGreaterThan(0)
    expect([...seen.refused].sort()).toEqual(
      expect.arrayContaining([
        'MEMPOOL_DUPLICATE',
        'MEMPOOL_NONCE_GAP',
        'MEMPOOL_REPLACEMENT_UNDERPRICED',
        'TX_NONCE_TOO_LOW',
      ]),
    )
  })
})

function checkInvariants(pool: ReturnType<typeof harness>['pool'], accounts: FakeAccounts): void {
  const list = pool.list()
  expect(pool.size).toBe(list.length)
  expect(pool.bytes).toBe(list.reduce((n, i) => n + i.tx.bytes.byteLength, 0))
  const futures = list.filter((i) => i.status === 'future')
  expect(pool.futureCount).toBe(futures.length)
  expect(pool.readyCount).toBe(list.length - futures.length)
  expect(pool.size).toBeLessThanOrEqual(12)
  expect(pool.futureCount).toBeLessThanOrEqual(4)
  const readySet = new Set(pool.pending().map((t) => t.id))
  expect(readySet).toEqual(new Set(list.filter((i) => i.status === 'ready').map((i) => i.id)))
  for (const info of list) expect(pool.get(info.id)).toBe(info.tx)

  for (let s = 0; s < SENDERS; s++) {
    const hex = toHex(address(s))
    const own = list.filter((i) => i.senderHex === hex).sort((a, b) => (a.nonce < b.nonce ? -1 : 1))
    expect(own.length).toBeLessThanOrEqual(5)
    const account = accounts.accounts.get(hex) as { balance: bigint; nonce: bigint }
    // The pool's view of the account is the last one it read; after mine/account ops that is `account`.
    let expected = own[0]?.nonce ?? 0n
    let contiguous = true
    let spent = 0n
    for (const info of own) {
      if (info.nonce !== expected) contiguous = false
      expect(info.status).toBe(contiguous && own[0]?.nonce === account.nonce ? 'ready' : 'future')
      expected = info.nonce + 1n
      spent += info.tx.cost
    }
    expect(spent <= account.balance).toBe(true)
    expect(new Set(own.map((i) => i.nonce)).size).toBe(own.length)
  }
  // The template takes every ready tx, each sender's in nonce order.
  const block = pool.template({ txsMax: 1_000, bytesMax: 1 << 20 })
  expect(new Set(block.map((t) => t.id))).toEqual(readySet)
  const last = new Map<string, bigint>()
  for (const t of block) {
    const prev = last.get(t.senderHex)
    if (prev !== undefined) expect(t.fields.nonce).toBe(prev + 1n)
    last.set(t.senderHex, t.fields.nonce)
  }
}
