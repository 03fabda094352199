import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeAccount } from '../../../src/ledger/codec/codec.js'
import * as pb from '../../../src/ledger/codec/peerchain.js'
import '../../../src/ledger/codec/uint64-fix.js'
import { isVerifyError } from '../../../src/ledger/errors.js'
import { ABS_UNBONDING_ENTRIES_MAX, type AccountStake } from '../../../src/ledger/stake.js'
import { type Account, accountFromBytes, accountToBytes } from '../../../src/ledger/state.js'
import { toHex } from '../../../src/util/bytes.js'

const U64_MAX = (1n << 64n) - 1n
const u64 = fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 1000n }), fc.bigInt({ min: 0n, max: U64_MAX }))
const height = fc.oneof(fc.constant(0), fc.nat(1000), fc.nat({ max: Number.MAX_SAFE_INTEGER }))

const stake: fc.Arbitrary<AccountStake> = fc
  .record({
    publicKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    bonded: u64,
    unbonding: fc.array(fc.record({ amount: u64, startHeight: height, releaseHeight: height }), {
      maxLength: ABS_UNBONDING_ENTRIES_MAX,
    }),
    jailedUntil: fc.option(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { nil: undefined }),
  })
  .map(({ jailedUntil, ...rest }) => (jailedUntil === undefined ? rest : { ...rest, jailedUntil }))

const account: fc.Arbitrary<Account> = fc
  .record({ balance: u64, nonce: u64, stake: fc.option(stake, { nil: undefined }) })
  .map(({ stake: s, ...rest }) => (s === undefined ? rest : { ...rest, stake: s }))

/** The account in protons' shape: heights as bigint, a jail of 0 for none. */
function protonsShape(a: Account): pb.Account {
  const out: pb.Account = { balance: a.balance, nonce: a.nonce }
  if (a.stake) {
    out.stake = {
      publicKey: new Uint8Array(a.stake.publicKey),
      bonded: a.stake.bonded,
      unbonding: a.stake.unbonding.map((e) => ({
        amount: e.amount,
        startHeight: BigInt(e.startHeight),
        releaseHeight: BigInt(e.releaseHeight),
      })),
      jailedUntil: BigInt(a.stake.jailedUntil ?? 0),
    }
  }
  return out
}

describe('accounts with stake', () => {
  it('are written byte for byte as protons writes them, and read back equal', () => {
    fc.assert(
      fc.property(account, (a) => {
        const bytes = accountToBytes(a)
        expect(toHex(bytes)).toBe(toHex(pb.Account.encode(protonsShape(a))))
        expect(accountFromBytes(bytes)).toEqual(a)
      }),
      { numRuns: 1_000 },
    )
  })

  it('any other bytes are refused with a DecodeError, or read as an account that writes those very bytes', () => {
    const mutated = account.chain((a) => {
      const bytes = accountToBytes(a)
      return fc.record({
        bytes: fc.constant(bytes),
        at: fc.nat(Math.max(0, bytes.byteLength - 1)),
        value: fc.nat(255),
        cut: fc.nat(bytes.byteLength),
      })
    })
    fc.assert(
      fc.property(mutated, ({ bytes, at, value, cut }) => {
        for (const candidate of [withByte(bytes, at, value), bytes.subarray(0, cut)]) {
          let read: Account
          try {
            read = decodeAccount(candidate)
          } catch (err) {
            expect(isVerifyError(err)).toBe(true)
            continue
          }
          expect(toHex(accountToBytes(read))).toBe(toHex(candidate))
        }
      }),
      { numRuns: 2_000 },
    )
  })

  it('a PoW account (no stake) keeps its bytes: the stake field is absent', () => {
    expect(toHex(accountToBytes({ balance: 1n, nonce: 2n }))).toBe('08011002')
  })
})

function withByte(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = new Uint8Array(bytes)
  if (out.byteLength > 0) out[at] = value
  return out
}
