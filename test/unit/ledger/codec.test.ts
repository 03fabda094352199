import { describe, expect, it } from 'vitest'
import { Block, Header } from '../../../src/ledger/block.js'
import {
  ACCOUNT_ENCODED_MAX,
  decodeAccount,
  decodeBlock,
  decodeHeader,
  decodeTx,
  encodeAccount,
  encodeBlock,
  encodeHeader,
  encodeTx,
} from '../../../src/ledger/codec/codec.js'
import { type DecodeCode, DecodeError } from '../../../src/ledger/errors.js'
import { ABS_LIMITS } from '../../../src/ledger/limits.js'
import { Tx } from '../../../src/ledger/tx.js'
import { U64_MAX } from '../../../src/util/bytes.js'
import { bytesOf, concat, headerFields, normalize, thrownBy, txFields, varint } from './fixtures.js'

const u8 = (...bytes: number[]): Uint8Array => new Uint8Array(bytes)

function expectDecodeError(fn: () => unknown, code: DecodeCode): DecodeError {
  const err = thrownBy(fn)
  expect(err).toBeInstanceOf(DecodeError)
  const d = err as DecodeError
  expect(d.code).toBe(code)
  expect(d.verdict).toBe('reject')
  expect(d.penalty).toBeGreaterThan(0)
  return d
}

const sampleTx = txFields({ amount: 1000n, fee: 7n, nonce: 3n, memo: bytesOf(5, 0x41) })
const sampleHeader = headerFields({ reward: 5n, nonce: 42n })

describe('canonical encodings', () => {
  it('round-trips a tx, a header, a block and an account', () => {
    expect(normalize(decodeTx(encodeTx(sampleTx)))).toEqual(normalize(sampleTx))
    expect(normalize(decodeHeader(encodeHeader(sampleHeader)))).toEqual(normalize(sampleHeader))
    const block = { header: sampleHeader, txs: [sampleTx, txFields({ nonce: 4n })] }
    expect(normalize(decodeBlock(encodeBlock(block)))).toEqual(normalize(block))
    expect(decodeAccount(encodeAccount({ balance: 9n, nonce: 2n }))).toEqual({ balance: 9n, nonce: 2n })
  })

  it('omits default fields: the empty account is zero bytes and decodes back', () => {
    expect(encodeAccount({ balance: 0n, nonce: 0n })).toEqual(new Uint8Array(0))
    expect(decodeAccount(new Uint8Array(0))).toEqual({ balance: 0n, nonce: 0n })
    expect(encodeAccount({ balance: 1n, nonce: 0n })).toEqual(u8(0x08, 0x01))
  })

  it('encodes u64 max as a ten-byte varint and back', () => {
    const bytes = encodeAccount({ balance: U64_MAX, nonce: U64_MAX })
    expect(bytes.byteLength).toBe(22)
    expect(decodeAccount(bytes)).toEqual({ balance: U64_MAX, nonce: U64_MAX })
  })

  it('places the header nonce last, as field 10', () => {
    const bytes = encodeHeader(headerFields({ nonce: 1n }))
    expect([...bytes.subarray(-2)]).toEqual([0x50, 0x01])
  })
})

describe('DECODE_NON_CANONICAL', () => {
  it('an unknown field appended', () => {
    expectDecodeError(() => decodeTx(concat(encodeTx(sampleTx), u8(0x58, 0x01))), 'DECODE_NON_CANONICAL')
    expectDecodeError(() => decodeHeader(concat(encodeHeader(sampleHeader), u8(0x58, 0x01))), 'DECODE_NON_CANONICAL')
    expectDecodeError(() => decodeAccount(u8(0x08, 0x01, 0x18, 0x01)), 'DECODE_NON_CANONICAL')
    // an unknown length-delimited field
    expectDecodeError(() => decodeAccount(u8(0x08, 0x01, 0x22, 0x02, 0xaa, 0xbb)), 'DECODE_NON_CANONICAL')
    const block = encodeBlock({ header: sampleHeader, txs: [] })
    expectDecodeError(() => decodeBlock(concat(block, u8(0x18, 0x00))), 'DECODE_NON_CANONICAL')
  })

  it('a non-minimal varint', () => {
    expectDecodeError(() => decodeAccount(u8(0x08, 0x81, 0x00)), 'DECODE_NON_CANONICAL')
    expectDecodeError(() => decodeAccount(u8(0x08, 0x80, 0x80, 0x00)), 'DECODE_NON_CANONICAL')
    // a non-minimal tag
    expectDecodeError(() => decodeAccount(u8(0x88, 0x00, 0x01)), 'DECODE_NON_CANONICAL')
    // a non-minimal length prefix on a bytes field
    const tx = encodeTx(txFields({ chainId: '', senderPubKey: new Uint8Array(0) }))
    expect(tx[0]).toBe(0x1a) // recipient first
    const padded = concat(u8(0x1a, 0x94, 0x00), tx.subarray(2))
    expectDecodeError(() => decodeTx(padded), 'DECODE_NON_CANONICAL')
  })

  it('an explicitly encoded default value', () => {
    // amount = 0 written explicitly, in its place between recipient and fee
    const fields = txFields({ amount: 0n })
    const bytes = encodeTx(fields)
    const feeAt = bytes.indexOf(0x28, bytes.indexOf(0x1a) + 22)
    expect(bytes[feeAt]).toBe(0x28)
    const explicit = concat(bytes.subarray(0, feeAt), u8(0x20, 0x00), bytes.subarray(feeAt))
    expectDecodeError(() => decodeTx(explicit), 'DECODE_NON_CANONICAL')
    expectDecodeError(() => decodeAccount(u8(0x08, 0x00)), 'DECODE_NON_CANONICAL')
    expectDecodeError(() => decodeAccount(u8(0x10, 0x00)), 'DECODE_NON_CANONICAL')
    // an empty bytes field written explicitly (memo, field 7)
    const withMemo = encodeTx(txFields())
    const sigAt = withMemo.length - 66
    expect(withMemo[sigAt]).toBe(0x42)
    const emptyMemo = concat(withMemo.subarray(0, sigAt), u8(0x3a, 0x00), withMemo.subarray(sigAt))
    expectDecodeError(() => decodeTx(emptyMemo), 'DECODE_NON_CANONICAL')
    // version = 0 written explicitly
    expectDecodeError(
      () => decodeHeader(concat(u8(0x08, 0x00), encodeHeader(headerFields({ version: 0 })))),
      'DECODE_NON_CANONICAL',
    )
  })

  it('fields out of order', () => {
    expectDecodeError(() => decodeAccount(u8(0x10, 0x02, 0x08, 0x01)), 'DECODE_NON_CANONICAL')
    // fee before amount
    const amountOnly = encodeTx({ ...txFields(), fee: 0n, amount: 5n })
    const amountAt = amountOnly.indexOf(0x20, amountOnly.indexOf(0x1a) + 22)
    const swapped = concat(
      amountOnly.subarray(0, amountAt),
      u8(0x28, 0x01, 0x20, 0x05),
      amountOnly.subarray(amountAt + 2),
    )
    expect(swapped.byteLength).toBe(encodeTx({ ...txFields(), fee: 1n, amount: 5n }).byteLength)
    expectDecodeError(() => decodeTx(swapped), 'DECODE_NON_CANONICAL')
    // the header's nonce moved to the front
    const h = encodeHeader(headerFields({ nonce: 1n }))
    expectDecodeError(() => decodeHeader(concat(u8(0x50, 0x01), h.subarray(0, -2))), 'DECODE_NON_CANONICAL')
  })

  it('a field repeated (the last one would win)', () => {
    expectDecodeError(() => decodeAccount(u8(0x08, 0x01, 0x08, 0x02)), 'DECODE_NON_CANONICAL')
    const block = encodeBlock({ header: sampleHeader, txs: [] })
    expectDecodeError(() => decodeBlock(concat(block, block)), 'DECODE_NON_CANONICAL')
  })

  it('a known field with the wrong wire type', () => {
    // balance (field 1) tagged as length-delimited: the value parses, the tag does not re-encode
    expectDecodeError(() => decodeAccount(u8(0x0a, 0x01)), 'DECODE_NON_CANONICAL')
    // balance tagged as fixed64: refused one way or another
    expect(thrownBy(() => decodeAccount(u8(0x09, 1, 0, 0, 0, 0, 0, 0, 0)))).toBeInstanceOf(DecodeError)
  })

  it('a varint above u64 or a version above u32', () => {
    const over = u8(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)
    expect(thrownBy(() => decodeAccount(over))).toBeInstanceOf(DecodeError)
    const version = concat(u8(0x08), varint(1n << 32n), encodeHeader({ ...headerFields(), version: 0 }))
    expect(thrownBy(() => decodeHeader(version))).toBeInstanceOf(DecodeError)
  })

  it('invalid UTF-8 in the chain id', () => {
    const bytes = encodeTx(txFields({ chainId: 'ab' }))
    expect([...bytes.subarray(0, 4)]).toEqual([0x0a, 0x02, 0x61, 0x62])
    const bad = new Uint8Array(bytes)
    bad[2] = 0xff
    expectDecodeError(() => decodeTx(bad), 'DECODE_NON_CANONICAL')
  })
})

describe('DECODE_MALFORMED', () => {
  it('truncated input', () => {
    const tx = encodeTx(sampleTx)
    expectDecodeError(() => decodeTx(tx.subarray(0, tx.length - 1)), 'DECODE_MALFORMED')
    expectDecodeError(() => decodeAccount(u8(0x08, 0x80)), 'DECODE_MALFORMED')
    expectDecodeError(() => decodeAccount(u8(0x08)), 'DECODE_MALFORMED')
  })

  it('a length prefix past the end', () => {
    expectDecodeError(() => decodeTx(u8(0x12, 0x7f, 0x00)), 'DECODE_MALFORMED')
    expectDecodeError(() => decodeTx(concat(u8(0x12), varint(0xffffffffn))), 'DECODE_MALFORMED')
  })

  it('a block without a header', () => {
    expectDecodeError(() => decodeBlock(encodeBlock({ txs: [sampleTx] })), 'DECODE_MALFORMED')
    expectDecodeError(() => decodeBlock(new Uint8Array(0)), 'DECODE_MALFORMED')
  })

  it('something other than bytes', () => {
    expectDecodeError(() => decodeTx('0a02' as unknown as Uint8Array), 'DECODE_MALFORMED')
  })
})

describe('DECODE_TOO_LARGE', () => {
  it('a tx above its cap, checked before parsing', () => {
    expectDecodeError(() => decodeTx(new Uint8Array(ABS_LIMITS.txBytesMax + 1)), 'DECODE_TOO_LARGE')
    const tx = encodeTx(sampleTx)
    expectDecodeError(() => decodeTx(tx, tx.byteLength - 1), 'DECODE_TOO_LARGE')
    expect(normalize(decodeTx(tx, tx.byteLength))).toEqual(normalize(sampleTx))
    expectDecodeError(() => Tx.fromBytes(tx, tx.byteLength - 1), 'DECODE_TOO_LARGE')
  })

  it('a caller cannot raise the tx cap above the absolute one', () => {
    const big = encodeTx(txFields({ memo: bytesOf(ABS_LIMITS.txBytesMax, 1) }))
    expectDecodeError(() => decodeTx(big, 1_000_000), 'DECODE_TOO_LARGE')
  })

  it('a header, an account and a block above their caps', () => {
    expectDecodeError(() => decodeHeader(new Uint8Array(ABS_LIMITS.headerBytesMax + 1)), 'DECODE_TOO_LARGE')
    expectDecodeError(() => decodeAccount(new Uint8Array(ACCOUNT_ENCODED_MAX + 1)), 'DECODE_TOO_LARGE')
    const block = encodeBlock({ header: sampleHeader, txs: [sampleTx] })
    expectDecodeError(() => decodeBlock(block, { blockBytesMax: block.byteLength - 1 }), 'DECODE_TOO_LARGE')
    expect(decodeBlock(block, { blockBytesMax: block.byteLength }).txs).toHaveLength(1)
    expectDecodeError(() => Block.fromBytes(block, { blockBytesMax: 10 }), 'DECODE_TOO_LARGE')
    expectDecodeError(
      () => decodeBlock(new Uint8Array(ABS_LIMITS.blockBytesMax + 1), { blockBytesMax: 2 ** 40 }),
      'DECODE_TOO_LARGE',
    )
  })
})

describe('DECODE_TOO_MANY', () => {
  const blockWith = (n: number): Uint8Array =>
    encodeBlock({ header: sampleHeader, txs: Array.from({ length: n }, (_, i) => txFields({ nonce: BigInt(i) })) })

  it('more txs than blockTxsMax', () => {
    expectDecodeError(() => decodeBlock(blockWith(3), { blockTxsMax: 2 }), 'DECODE_TOO_MANY')
    expect(decodeBlock(blockWith(2), { blockTxsMax: 2 }).txs).toHaveLength(2)
    expectDecodeError(() => Block.fromBytes(blockWith(3), { blockTxsMax: 2 }), 'DECODE_TOO_MANY')
  })

  it('the absolute tx count cap holds whatever the caller asks', () => {
    const emptyTx = u8(0x12, 0x00)
    const parts = [encodeBlock({ header: sampleHeader, txs: [] })]
    for (let i = 0; i <= ABS_LIMITS.blockTxsMax; i++) parts.push(emptyTx)
    const bytes = concat(...parts)
    expectDecodeError(() => decodeBlock(bytes, { blockTxsMax: 1_000_000 }), 'DECODE_TOO_MANY')
    expectDecodeError(() => decodeBlock(bytes), 'DECODE_TOO_MANY')
  })
})

describe('primitives built on the codec', () => {
  it('Header.fromBytes and Block.fromBytes keep the bytes and hash them', () => {
    const block = encodeBlock({ header: sampleHeader, txs: [sampleTx] })
    const parsed = Block.fromBytes(block)
    expect(parsed.bytes).toEqual(block)
    expect(parsed.header.bytes).toEqual(encodeHeader(sampleHeader))
    expect(parsed.id).toBe(Header.fromBytes(encodeHeader(sampleHeader)).id)
    expect(parsed.txs[0]?.id).toBe(Tx.fromBytes(encodeTx(sampleTx)).id)
  })

  it('Header.fromBytes refuses non-canonical bytes with DecodeError', () => {
    expectDecodeError(
      () => Header.fromBytes(concat(encodeHeader(sampleHeader), u8(0x58, 0x00))),
      'DECODE_NON_CANONICAL',
    )
  })
})
