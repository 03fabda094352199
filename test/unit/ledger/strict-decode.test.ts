/**
 * The hand-written strict decoders (strict-decode.ts) against the rule they
 * replace: protons' parse, re-encode and compare (codec.ts strictDecode). On
 * any bytes both accept or both refuse, and what they accept reads the same.
 * Then what the block decoder hands out: views, ids, fields read on first use.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Block } from '../../../src/ledger/block.js'
import {
  type BlockFields,
  type Codec,
  decodeBlock,
  decodeHeader,
  decodeTx,
  encodeBlock,
  encodeHeader,
  encodeTx,
  type HeaderFields,
  strictDecode,
  type TxFields,
} from '../../../src/ledger/codec/codec.js'
import * as pb from '../../../src/ledger/codec/peerchain.js'
import { sha256 } from '../../../src/ledger/crypto.js'
import { DecodeError } from '../../../src/ledger/errors.js'
import { ABS_LIMITS } from '../../../src/ledger/limits.js'
import { Tx } from '../../../src/ledger/tx.js'
import { U64_MAX } from '../../../src/util/bytes.js'
import { concat, headerFields, hex, normalize, thrownBy, txFields, varint } from './fixtures.js'

const RUNS = 1500
const u8 = (...bytes: number[]): Uint8Array => new Uint8Array(bytes)

// The former decoders: protons, then a re-encode that must give the same bytes.
const protonsTx = (b: Uint8Array): TxFields =>
  strictDecode(pb.Transaction as unknown as Codec<TxFields>, 'transaction', b, ABS_LIMITS.txBytesMax)
const protonsHeader = (b: Uint8Array): HeaderFields =>
  strictDecode(pb.BlockHeader as unknown as Codec<HeaderFields>, 'header', b, ABS_LIMITS.headerBytesMax)
const protonsBlock = (b: Uint8Array): BlockFields =>
  strictDecode(
    pb.Block as unknown as Codec<BlockFields>,
    'block',
    b,
    ABS_LIMITS.blockBytesMax,
    (block) => {
      if (block.header == null) throw new DecodeError('DECODE_MALFORMED', 'block: missing header')
    },
    { limits: { txs: ABS_LIMITS.blockTxsMax } },
  )

const PAIRS = [
  { name: 'tx', now: (b: Uint8Array) => decodeTx(b), before: protonsTx },
  { name: 'header', now: (b: Uint8Array) => decodeHeader(b), before: protonsHeader },
  { name: 'block', now: (b: Uint8Array) => decodeBlock(b), before: protonsBlock },
  {
    name: 'Block.fromBytes',
    now: (b: Uint8Array) => {
      const block = Block.fromBytes(b)
      // accepted: every tx's fields must read back (Tx.fields), never throw later
      try {
        return { header: block.header.fields, txs: block.txs.map((tx) => tx.fields) }
      } catch (err) {
        throw new Error(`Block.fromBytes accepted a tx whose fields then failed: ${String(err)}`)
      }
    },
    before: protonsBlock,
  },
]

function outcome(decode: (b: Uint8Array) => unknown, bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: normalize(decode(bytes)) }
  } catch (err) {
    if (!(err instanceof DecodeError)) throw new Error(`not a DecodeError on ${hex(bytes)}: ${String(err)}`)
    return { ok: false }
  }
}

/** Both decoders accept `bytes` to the same value, or both refuse them. */
function agree(bytes: Uint8Array): void {
  for (const pair of PAIRS) {
    const now = outcome(pair.now, bytes)
    const before = outcome(pair.before, bytes)
    expect(now, `${pair.name} on ${hex(bytes)}`).toEqual(before)
  }
}

const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: U64_MAX }),
  fc.constantFrom(0n, 1n, 127n, 128n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 53n, U64_MAX),
)
const bytesUpTo = (n: number) => fc.uint8Array({ maxLength: n })

const txArb: fc.Arbitrary<TxFields> = fc.record({
  chainId: fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 6 }), fc.constant('')),
  senderPubKey: bytesUpTo(33),
  recipient: bytesUpTo(21),
  amount: u64,
  fee: u64,
  nonce: u64,
  memo: bytesUpTo(40),
  signature: bytesUpTo(65),
  kind: fc.oneof(fc.constantFrom(0, 1, 2, 3, 127, 128, 2 ** 31, 2 ** 32 - 1), fc.nat()),
  payload: bytesUpTo(40),
})
const headerArb: fc.Arbitrary<HeaderFields> = fc.record({
  version: fc.oneof(fc.constantFrom(0, 1, 2 ** 31, 2 ** 32 - 1), fc.nat()),
  height: u64,
  parentHash: bytesUpTo(33),
  timestamp: u64,
  txRoot: bytesUpTo(33),
  stateRoot: bytesUpTo(33),
  target: bytesUpTo(33),
  miner: bytesUpTo(21),
  reward: u64,
  nonce: u64,
  mmrRoot: bytesUpTo(33),
})
const blockArb = fc.record({ header: headerArb, txs: fc.array(txArb, { maxLength: 4 }) })

/** A valid encoding with 1–3 bytes changed, cut, or inserted: the inputs near valid ones. */
function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const edit = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'cut', 'insert', 'drop'))
  return fc.tuple(valid, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([bytes, edits]) => {
    let out: Uint8Array = Uint8Array.from(bytes)
    for (const [at, value, how] of edits) {
      const i = out.byteLength === 0 ? 0 : at % out.byteLength
      if (how === 'set' && out.byteLength > 0) out[i] = value
      else if (how === 'cut') out = out.slice(0, i)
      else if (how === 'drop') out = concat(out.subarray(0, i), out.subarray(i + 1))
      else out = concat(out.subarray(0, i), u8(value), out.subarray(i))
    }
    return out
  })
}

/** Protobuf-shaped bytes: tags of fields 0–12 with each wire type, and plausible values. */
const protobufish = fc
  .array(
    fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 12 }), u64).map(([f, v]) => concat(varint(BigInt(f << 3)), varint(v))),
      fc
        .tuple(fc.integer({ min: 0, max: 12 }), bytesUpTo(12))
        .map(([f, b]) => concat(varint(BigInt((f << 3) | 2)), varint(BigInt(b.byteLength)), b)),
      fc
        .tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 7 }), bytesUpTo(9))
        .map(([f, w, b]) => concat(varint(BigInt((f << 3) | w)), b)),
    ),
    { maxLength: 10 },
  )
  .map((parts) => concat(...parts))

describe('the strict decoders accept exactly what protons-and-compare accepted', () => {
  it('on valid encodings', () => {
    fc.assert(
      fc.property(fc.oneof(txArb.map(encodeTx), headerArb.map(encodeHeader), blockArb.map(encodeBlock)), agree),
      { numRuns: RUNS },
    )
  })

  it('on mutated valid encodings', () => {
    fc.assert(
      fc.property(
        mutated(fc.oneof(txArb.map(encodeTx), headerArb.map(encodeHeader), blockArb.map(encodeBlock))),
        agree,
      ),
      { numRuns: RUNS * 2 },
    )
  })

  it('on protobuf-shaped and random bytes, alone or as a block header and tx', () => {
    const asBlock = fc
      .tuple(protobufish, protobufish)
      .map(([h, t]) => concat(u8(0x0a), varint(BigInt(h.byteLength)), h, u8(0x12), varint(BigInt(t.byteLength)), t))
    fc.assert(fc.property(fc.oneof(protobufish, asBlock, bytesUpTo(200)), agree), { numRuns: RUNS * 2 })
  })

  it('on any bytes as a chain id: UTF-8 exactly as protons reads and writes it', () => {
    const rest = encodeTx(txFields({ chainId: '' }))
    const special = fc.constantFrom(
      u8(0xed, 0xa0, 0x80), // a lone surrogate, 3 bytes: protons writes it so
      u8(0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80), // a surrogate pair as two 3-byte sequences (CESU-8)
      u8(0xc0, 0x80), // an overlong NUL
      u8(0xf0, 0x9f, 0x98, 0x80), // U+1F600
      u8(0xe2, 0x82), // cut short
      u8(0xef, 0xbf, 0xbd), // U+FFFD itself
      u8(0xf4, 0x90, 0x80, 0x80), // past U+10FFFF
    )
    fc.assert(
      fc.property(fc.oneof(special, bytesUpTo(8), fc.string({ unit: 'binary', maxLength: 4 }).map(utf8)), (id) => {
        agree(concat(u8(0x0a), varint(BigInt(id.byteLength)), id, rest))
      }),
      { numRuns: RUNS },
    )
  })
})

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('a tx inside a block is held to every rule of a tx alone', () => {
  const none = new Uint8Array(0)
  // fields 1-5, then nonce (6) = 300, then memo (7) and signature (8)
  const head = encodeTx(txFields({ amount: 5n, fee: 1n, nonce: 0n, memo: none, signature: none }))
  const nonce = u8(0x30, 0xac, 0x02)
  const only = (memo: Uint8Array): Uint8Array =>
    encodeTx({
      ...txFields({ chainId: '', amount: 0n, fee: 0n, nonce: 0n, memo }),
      senderPubKey: none,
      recipient: none,
    })
  const tail = only(u8(1, 2))
  const valid = concat(head, nonce, tail)
  const cases: Record<string, Uint8Array> = {
    'an unknown field': concat(valid, u8(0x58, 0x01)),
    'a non-minimal varint': concat(head, u8(0x30, 0xac, 0x82, 0x00), tail),
    'a zero written': concat(head, u8(0x30, 0x00), tail),
    'empty bytes written': concat(head, nonce, u8(0x3a, 0x00), only(none)),
    'fields out of order': concat(nonce, head, tail),
    'a wrong wire type': concat(head, u8(0x32, 0x02, 0xac, 0x02), tail),
    'a length past its end': valid.subarray(0, -1),
    'an explicit kind 0': concat(valid, u8(0x48, 0x00)),
    'a non-minimal kind': concat(valid, u8(0x48, 0x81, 0x00)),
    'a kind of 2^32': concat(valid, u8(0x48), varint(2n ** 32n)),
    'an empty payload written': concat(valid, u8(0x48, 0x01, 0x52, 0x00)),
    'payload before kind': concat(valid, u8(0x52, 0x01, 0x07, 0x48, 0x01)),
  }
  const inBlock = (txBytes: Uint8Array): Uint8Array =>
    concat(encodeBlock({ header: headerFields(), txs: [] }), u8(0x12), varint(BigInt(txBytes.byteLength)), txBytes)

  it('(the valid tx these are made from decodes, alone and in a block)', () => {
    expect(decodeTx(valid).nonce).toBe(300n)
    expect(Block.fromBytes(inBlock(valid)).txs[0]?.fields.nonce).toBe(300n)
    const withKind = concat(valid, u8(0x48, 0x03, 0x52, 0x01, 0x07))
    expect(decodeTx(withKind).kind).toBe(3)
    expect(Block.fromBytes(inBlock(withKind)).txs[0]?.fields.payload).toEqual(u8(0x07))
  })

  it.each(Object.entries(cases))('%s', (_name, txBytes) => {
    const alone = thrownBy(() => decodeTx(txBytes)) as DecodeError
    expect(alone).toBeInstanceOf(DecodeError)
    const block = inBlock(txBytes)
    const refused = thrownBy(() => Block.fromBytes(block)) as DecodeError
    expect(refused).toBeInstanceOf(DecodeError)
    expect(refused.code).toBe(alone.code)
    expect(() => protonsBlock(block)).toThrow(DecodeError)
  })
})

describe('varints', () => {
  const amountOnly = (v: Uint8Array) => concat(u8(0x20), v)

  it('a u64 at each edge decodes to itself', () => {
    for (const v of [
      1n,
      127n,
      128n,
      2n ** 31n - 1n,
      2n ** 31n,
      2n ** 32n - 1n,
      2n ** 32n,
      2n ** 49n,
      2n ** 53n,
      U64_MAX,
    ]) {
      expect(decodeTx(amountOnly(varint(v))).amount).toBe(v)
    }
  })

  it('2^64 and more is non-canonical; past ten bytes is malformed', () => {
    const tenBytes = u8(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02)
    expect((thrownBy(() => decodeTx(amountOnly(tenBytes))) as DecodeError).code).toBe('DECODE_NON_CANONICAL')
    const elevenBytes = u8(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x01)
    expect((thrownBy(() => decodeTx(amountOnly(elevenBytes))) as DecodeError).code).toBe('DECODE_MALFORMED')
  })

  it('a version of 2^32 is refused; 2^32 - 1 is read', () => {
    expect(decodeHeader(concat(u8(0x08), varint(2n ** 32n - 1n))).version).toBe(2 ** 32 - 1)
    expect(thrownBy(() => decodeHeader(concat(u8(0x08), varint(2n ** 32n))))).toBeInstanceOf(DecodeError)
  })
})

describe('what Block.fromBytes hands out', () => {
  const txs = [txFields({ nonce: 1n }), txFields({ nonce: 2n, memo: u8(1, 2, 3) }), txFields({ chainId: 'other' })]
  const bytes = encodeBlock({ header: headerFields(), txs })

  it('each tx is a view into the block bytes, with the id of its encoding and its fields read back', () => {
    const block = Block.fromBytes(bytes)
    expect(block.txs).toHaveLength(3)
    block.txs.forEach((tx, i) => {
      const fields = txs[i] as TxFields
      expect(tx.bytes.buffer).toBe(bytes.buffer)
      expect(hex(tx.bytes)).toBe(hex(encodeTx(fields)))
      expect(tx.id).toBe(Tx.fromFields(fields).id)
      expect(hex(tx.hash)).toBe(hex(sha256(tx.bytes)))
      expect(normalize(tx.fields)).toEqual(normalize(fields))
      expect(tx.fields).toBe(tx.fields) // read once
    })
    expect(hex(block.header.bytes)).toBe(hex(encodeHeader(headerFields())))
    expect(block.header.bytes.buffer).toBe(bytes.buffer)
  })

  it('a refusal names the tx at fault', () => {
    const second = Block.fromBytes(bytes).txs[1] as Tx
    const bad = Uint8Array.from(bytes)
    bad[second.bytes.byteOffset - bytes.byteOffset] = 0x58 // its first tag: an unknown field 11
    const err = thrownBy(() => Block.fromBytes(bad)) as DecodeError
    expect(err.code).toBe('DECODE_NON_CANONICAL')
    expect(err.message).toMatch(/block: tx 1: unknown field/)
  })

  it('a block that does not start with its header is malformed', () => {
    const txOnly = encodeBlock({ txs })
    expect((thrownBy(() => Block.fromBytes(txOnly)) as DecodeError).code).toBe('DECODE_MALFORMED')
    expect((thrownBy(() => Block.fromBytes(concat(txOnly, bytes))) as DecodeError).code).toBe('DECODE_MALFORMED')
  })
})
