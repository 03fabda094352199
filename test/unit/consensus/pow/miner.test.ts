import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MinerPool, mineNonce } from '../../../../src/consensus/pow/miner.js'
import { headerNonceSplit } from '../../../../src/ledger/block.js'
import { encodeHeader, type HeaderFields } from '../../../../src/ledger/codec/codec.js'
import { bigintToBytes, bytesToBigint, U64_MAX } from '../../../../src/util/bytes.js'
import { concat, headerFields, hex, varint } from '../../ledger/fixtures.js'

const u64 = fc.bigInt({ min: 0n, max: U64_MAX })
const headerArb: fc.Arbitrary<HeaderFields> = fc.record({
  version: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  height: u64,
  parentHash: fc.uint8Array({ maxLength: 32 }),
  timestamp: u64,
  txRoot: fc.uint8Array({ maxLength: 32 }),
  stateRoot: fc.uint8Array({ maxLength: 32 }),
  target: fc.uint8Array({ maxLength: 32 }),
  miner: fc.uint8Array({ maxLength: 20 }),
  reward: u64,
  nonce: u64,
})

const NONCE_TAG = new Uint8Array([0x50])
const sha = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}
const hashWithNonce = (prefix: Uint8Array, nonce: bigint): bigint =>
  bytesToBigint(sha(prefix, NONCE_TAG, varint(nonce)))

/** The smallest nonce >= 1 that meets `target`, by brute force in the test. */
function firstNonce(prefix: Uint8Array, target: bigint): bigint {
  for (let n = 1n; ; n++) if (hashWithNonce(prefix, n) <= target) return n
}

describe('the mining prefix trick', () => {
  it('encode(header with nonce n) = encode(header with nonce 0) + [0x50, varint(n)] for n >= 1', () => {
    fc.assert(
      fc.property(
        headerArb,
        fc.oneof(fc.bigInt({ min: 1n, max: U64_MAX }), fc.constantFrom(1n, 127n, 128n, 16_383n, 16_384n, U64_MAX)),
        (fields, n) => {
          const withNonce = encodeHeader({ ...fields, nonce: n })
          const prefix = encodeHeader({ ...fields, nonce: 0n })
          expect(hex(withNonce)).toBe(hex(concat(prefix, NONCE_TAG, varint(n))))
        },
      ),
      { numRuns: 500 },
    )
  })

  it('with an mmrRoot (field 11, version 2): encode(header with nonce n) = prefix + [0x50, varint(n)] + tail', () => {
    fc.assert(
      fc.property(
        headerArb,
        fc.uint8Array({ minLength: 0, maxLength: 33 }),
        fc.bigInt({ min: 1n, max: U64_MAX }),
        (fields, mmrRoot, n) => {
          const { prefix, tail } = headerNonceSplit({ ...fields, mmrRoot })
          expect(hex(concat(prefix, tail))).toBe(hex(encodeHeader({ ...fields, mmrRoot, nonce: 0n })))
          expect(hex(encodeHeader({ ...fields, mmrRoot, nonce: n }))).toBe(
            hex(concat(prefix, NONCE_TAG, varint(n), tail)),
          )
          expect(tail.byteLength).toBe(mmrRoot.byteLength === 0 ? 0 : 2 + mmrRoot.byteLength)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('mineNonce', () => {
  it('with one thread finds the first nonce that meets the target, multi-byte varints included', async () => {
    const target = 1n << 246n // about 1 in 1024
    // pick a header whose first solution needs a nonce of two or more varint bytes
    let prefix = encodeHeader(headerFields())
    let expected = firstNonce(prefix, target)
    for (let t = 1n; expected < 128n; t++) {
      prefix = encodeHeader(headerFields({ timestamp: t, nonce: 0n }))
      expected = firstNonce(prefix, target)
    }
    const found = await mineNonce(prefix, bigintToBytes(target), 1)
    expect(found?.nonce).toBe(expected)
  })

  it('hashes the fixed tail after the nonce', async () => {
    const target = 1n << 248n
    const { prefix, tail } = headerNonceSplit(headerFields({ version: 2, mmrRoot: new Uint8Array(32).fill(7) }))
    const found = await mineNonce(prefix, bigintToBytes(target), 2, undefined, tail)
    expect(found).not.toBeNull()
    expect(bytesToBigint(sha(prefix, NONCE_TAG, varint(found!.nonce), tail)) <= target).toBe(true)
  })

  it('with several threads finds some nonce >= 1 that meets the target', async () => {
    const target = 1n << 248n
    const prefix = encodeHeader(headerFields({ reward: 5n }))
    const found = await mineNonce(prefix, bigintToBytes(target), 4)
    expect(found).not.toBeNull()
    expect(found!.nonce).toBeGreaterThanOrEqual(1n)
    expect(hashWithNonce(prefix, found!.nonce) <= target).toBe(true)
  })

  it('accepts a hash exactly equal to the target', async () => {
    const prefix = encodeHeader(headerFields({ reward: 77n }))
    const target = hashWithNonce(prefix, 3n)
    const found = await mineNonce(prefix, bigintToBytes(target), 1)
    expect(found).not.toBeNull()
    expect(found!.nonce <= 3n).toBe(true)
    expect(hashWithNonce(prefix, found!.nonce) <= target).toBe(true)
  })

  it('resolves null when aborted mid-search, and at once when aborted before', async () => {
    const prefix = encodeHeader(headerFields())
    const controller = new AbortController()
    const pending = mineNonce(prefix, new Uint8Array(32), 2, controller.signal)
    setTimeout(() => controller.abort(), 50)
    expect(await pending).toBeNull()
    const done = new AbortController()
    done.abort()
    expect(await mineNonce(prefix, new Uint8Array(32), 2, done.signal)).toBeNull()
  })
})

describe('MinerPool', () => {
  it('reuses its workers across searches, and a newer search cancels the older one', async () => {
    const pool = new MinerPool(2)
    try {
      const prefix = encodeHeader(headerFields({ reward: 9n }))
      const target = 1n << 250n
      for (let i = 0; i < 3; i++) {
        const found = await pool.mine(prefix, bigintToBytes(target))
        expect(hashWithNonce(prefix, found!.nonce) <= target).toBe(true)
      }
      const impossible = pool.mine(prefix, new Uint8Array(32)) // target 0: never found
      const next = pool.mine(prefix, bigintToBytes(target))
      expect(await impossible).toBeNull()
      expect(hashWithNonce(prefix, (await next)!.nonce) <= target).toBe(true)
    } finally {
      await pool.close()
    }
    await expect(pool.mine(new Uint8Array(1), new Uint8Array(32))).rejects.toThrow(/closed/)
  })
})
