import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeTx, type TxFields } from '../../../src/ledger/codec/codec.js'
import { signingBytes, signingBytesFromCanonical, Tx } from '../../../src/ledger/tx.js'
import { hex, signedTx } from './fixtures.js'

const U64_MAX = 2n ** 64n - 1n
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: U64_MAX }), fc.constantFrom(0n, 127n, 128n, U64_MAX))
const txArb: fc.Arbitrary<TxFields> = fc.record({
  chainId: fc.string({ maxLength: 40 }),
  senderPubKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  recipient: fc.uint8Array({ minLength: 20, maxLength: 20 }),
  amount: u64,
  fee: u64,
  nonce: u64,
  memo: fc.uint8Array({ maxLength: 300 }),
  // 64 bytes, and lengths whose varint takes two bytes, or that sit next to other fields' tags.
  signature: fc.oneof(
    fc.uint8Array({ minLength: 64, maxLength: 64 }),
    fc.uint8Array({ minLength: 1, maxLength: 300 }),
    fc.uint8Array({ minLength: 128, maxLength: 130 }),
  ),
  kind: fc.oneof(fc.constantFrom(0, 1, 3, 128), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
  payload: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ maxLength: 300 })),
})

describe('signing bytes cut from the canonical encoding', () => {
  it('equal the encoding with an empty signature, for any tx read from bytes (at any offset in a buffer)', () => {
    fc.assert(
      fc.property(txArb, fc.nat({ max: 40 }), (fields, offset) => {
        const bytes = encodeTx(fields)
        const buffer = new Uint8Array(offset + bytes.byteLength + 3).fill(0x42)
        buffer.set(bytes, offset)
        const tx = Tx.fromBytes(buffer.subarray(offset, offset + bytes.byteLength))
        const cut = signingBytesFromCanonical(tx.bytes, tx.fields.signature)
        expect(cut).toBeDefined()
        expect(hex(cut as Uint8Array)).toBe(hex(signingBytes(fields)))
        expect(hex(tx.signingBytes)).toBe(hex(signingBytes(fields)))
      }),
      { seed: 12, numRuns: 400 },
    )
  })

  it('are not cut when the signature is not a view into the bytes: the tx encodes them', () => {
    const tx = signedTx({ amount: 5n })
    expect(signingBytesFromCanonical(tx.bytes, tx.fields.signature)).toBeUndefined()
    expect(signingBytesFromCanonical(tx.bytes, tx.fields.signature.slice())).toBeUndefined()
    expect(hex(tx.signingBytes)).toBe(hex(signingBytes(tx.fields)))
    const read = Tx.fromBytes(tx.bytes)
    expect(hex(read.signingBytes)).toBe(hex(tx.signingBytes))
  })

  it('are not cut from a view that is not behind the signature tag, or runs past the bytes', () => {
    const tx = Tx.fromBytes(signedTx({ memo: new Uint8Array(80).fill(7) }).bytes)
    const { memo, signature } = tx.fields
    expect(signingBytesFromCanonical(tx.bytes, memo)).toBeUndefined()
    expect(signingBytesFromCanonical(tx.bytes.subarray(0, tx.bytes.byteLength - 1), signature)).toBeUndefined()
    expect(signingBytesFromCanonical(tx.bytes, signature.subarray(1))).toBeUndefined()
    expect(signingBytesFromCanonical(tx.bytes, new Uint8Array(0))).toBeUndefined()
  })
})
