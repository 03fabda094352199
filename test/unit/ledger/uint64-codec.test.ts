import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as pb from '../../../src/ledger/codec/peerchain.js'
import '../../../src/ledger/codec/uint64-fix.js'
import { accountFromBytes, accountToBytes } from '../../../src/ledger/state.js'
import { toHex } from '../../../src/util/bytes.js'

const U64_MAX = (1n << 64n) - 1n

describe('uint64 fields', () => {
  it('round-trip at the edges of every varint length, including [2^31, 2^32)', () => {
    const edges = [0n, 127n, 128n, (1n << 31n) - 1n, 1n << 31n, 3_000_000_000n, (1n << 32n) - 1n, 1n << 32n]
    for (const v of [...edges, 1n << 53n, (1n << 53n) + 1n, U64_MAX]) {
      const account = { balance: v, nonce: v }
      expect(accountFromBytes(accountToBytes(account))).toEqual(account)
    }
  })

  it('round-trip over the whole u64 range, each varint length drawn as often', () => {
    const lengths = Array.from({ length: 10 }, (_, i) =>
      fc.bigInt({ min: i === 0 ? 0n : 1n << BigInt(7 * i), max: i === 9 ? U64_MAX : (1n << BigInt(7 * i + 7)) - 1n }),
    )
    const u64 = fc.oneof(...lengths)
    fc.assert(
      fc.property(u64, u64, (balance, nonce) => {
        expect(accountFromBytes(accountToBytes({ balance, nonce }))).toEqual({ balance, nonce })
      }),
      { numRuns: 2_000 },
    )
  })

  it('the hand-written account encoder writes what protons writes, byte for byte', () => {
    const lengths = Array.from({ length: 10 }, (_, i) =>
      fc.bigInt({ min: i === 0 ? 0n : 1n << BigInt(7 * i), max: i === 9 ? U64_MAX : (1n << BigInt(7 * i + 7)) - 1n }),
    )
    const u64 = fc.oneof(fc.constant(0n), ...lengths)
    fc.assert(
      fc.property(u64, u64, (balance, nonce) => {
        expect(toHex(accountToBytes({ balance, nonce }))).toBe(toHex(pb.Account.encode({ balance, nonce })))
      }),
      { numRuns: 5_000 },
    )
  })

  it('refuses to encode a field outside uint64', () => {
    expect(() => accountToBytes({ balance: U64_MAX + 1n, nonce: 0n })).toThrow(RangeError)
    expect(() => accountToBytes({ balance: 0n, nonce: -1n })).toThrow(RangeError)
  })
})
