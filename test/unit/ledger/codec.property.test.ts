/**
 * Property tests of the strict codec: every object round-trips, and every
 * decoder given any bytes either throws a DecodeError or returns an object
 * that re-encodes to exactly those bytes — never any other exception.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Block, Header } from '../../../src/ledger/block.js'
import {
  type AccountFields,
  type BlockFields,
  decodeAccount,
  decodeBlock,
  decodeHeader,
  decodeTx,
  encodeAccount,
  encodeBlock,
  encodeHeader,
  encodeTx,
  type HeaderFields,
  type TxFields,
} from '../../../src/ledger/codec/codec.js'
import { DecodeError } from '../../../src/ledger/errors.js'
import { Tx } from '../../../src/ledger/tx.js'
import { U64_MAX } from '../../../src/util/bytes.js'
import { concat, hex, normalize, varint } from './fixtures.js'

const RUNS = 2000

const u64 = fc.oneof(fc.bigInt({ min: 0n, max: U64_MAX }), fc.constantFrom(0n, 1n, 127n, 128n, U64_MAX))
const bytesExactly = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n })

const txArb: fc.Arbitrary<TxFields> = fc.record({
  chainId: fc.oneof(fc.string({ maxLength: 64 }), fc.string({ unit: 'grapheme', maxLength: 16 })),
  senderPubKey: fc.oneof(bytesExactly(32), fc.uint8Array({ maxLength: 40 })),
  recipient: fc.oneof(bytesExactly(20), fc.uint8Array({ maxLength: 24 })),
  amount: u64,
  fee: u64,
  nonce: u64,
  memo: fc.uint8Array({ maxLength: 300 }),
  signature: fc.oneof(bytesExactly(64), fc.uint8Array({ maxLength: 70 })),
  kind: fc.oneof(fc.constantFrom(0, 1, 2, 3, 127, 128, 2 ** 32 - 1), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
  payload: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ maxLength: 340 })),
})

const headerArb: fc.Arbitrary<HeaderFields> = fc.record({
  version: fc.oneof(fc.constantFrom(0, 1, 2 ** 32 - 1), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
  height: u64,
  parentHash: fc.oneof(bytesExactly(32), fc.uint8Array({ maxLength: 33 })),
  timestamp: u64,
  txRoot: bytesExactly(32),
  stateRoot: bytesExactly(32),
  target: fc.oneof(bytesExactly(32), fc.uint8Array({ maxLength: 33 })),
  miner: fc.oneof(bytesExactly(20), fc.uint8Array({ maxLength: 21 })),
  reward: u64,
  nonce: u64,
  mmrRoot: fc.oneof(fc.constant(new Uint8Array(0)), bytesExactly(32), fc.uint8Array({ maxLength: 33 })),
  validatorsHash: fc.oneof(fc.constant(new Uint8Array(0)), bytesExactly(32), fc.uint8Array({ maxLength: 33 })),
})

const blockArb: fc.Arbitrary<BlockFields> = fc.record({
  header: headerArb,
  txs: fc.array(txArb, { maxLength: 5 }),
})

const accountArb: fc.Arbitrary<AccountFields> = fc.record({ balance: u64, nonce: u64 })

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; extra: Uint8Array }
  | { kind: 'insert'; at: number; extra: Uint8Array }
  | { kind: 'overwrite'; at: number; value: number }

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    extra: fc.uint8Array({ minLength: 1, maxLength: 12 }),
  }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
)

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const n = bytes.byteLength
  switch (m.kind) {
    case 'flip': {
      if (n === 0) return new Uint8Array([1 << m.bit])
      const out = new Uint8Array(bytes)
      out[m.at % n] = (out[m.at % n] ?? 0) ^ (1 << m.bit)
      return out
    }
    case 'truncate':
      return bytes.slice(0, n === 0 ? 0 : m.at % n)
    case 'append':
      return concat(bytes, m.extra)
    case 'insert': {
      const at = m.at % (n + 1)
      return concat(bytes.subarray(0, at), m.extra, bytes.subarray(at))
    }
    case 'overwrite': {
      if (n === 0) return new Uint8Array([m.value])
      const out = new Uint8Array(bytes)
      out[m.at % n] = m.value
      return out
    }
  }
}

/** Bytes shaped like protobuf (tags with plausible wire types and values), so parsing gets past the first byte. */
const protobufish: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 12 }), u64).map(([field, v]) => concat(varint(BigInt(field << 3)), varint(v))),
      fc
        .tuple(fc.integer({ min: 0, max: 12 }), fc.uint8Array({ maxLength: 40 }))
        .map(([field, b]) => concat(varint(BigInt((field << 3) | 2)), varint(BigInt(b.byteLength)), b)),
      fc
        .tuple(fc.integer({ min: 0, max: 12 }), fc.constantFrom(1, 3, 4, 5, 6, 7), fc.uint8Array({ maxLength: 8 }))
        .map(([field, wire, b]) => concat(varint(BigInt((field << 3) | wire)), b)),
    ),
    { maxLength: 12 },
  )
  .map((parts) => concat(...parts))

interface DecoderUnderTest {
  name: string
  /** Decodes, then returns what the result re-encodes to. */
  roundTrip(bytes: Uint8Array): Uint8Array
}

const DECODERS: DecoderUnderTest[] = [
  { name: 'decodeTx', roundTrip: (b) => encodeTx(decodeTx(b)) },
  { name: 'decodeHeader', roundTrip: (b) => encodeHeader(decodeHeader(b)) },
  { name: 'decodeBlock', roundTrip: (b) => encodeBlock(decodeBlock(b)) },
  {
    name: 'decodeBlock(limits)',
    roundTrip: (b) => encodeBlock(decodeBlock(b, { blockTxsMax: 2, blockBytesMax: 2000 })),
  },
  { name: 'decodeAccount', roundTrip: (b) => encodeAccount(decodeAccount(b)) },
  {
    name: 'Tx.fromBytes',
    roundTrip: (b) => {
      const tx = Tx.fromBytes(b)
      expect(hex(tx.bytes)).toBe(hex(b))
      return encodeTx(tx.fields)
    },
  },
  {
    name: 'Header.fromBytes',
    roundTrip: (b) => {
      const h = Header.fromBytes(b)
      expect(hex(h.bytes)).toBe(hex(b))
      return encodeHeader(h.fields)
    },
  },
  {
    name: 'Block.fromBytes',
    roundTrip: (b) => {
      const block = Block.fromBytes(b)
      // every part re-encodes from its own fields
      return encodeBlock({ header: block.header.fields, txs: block.txs.map((tx) => tx.fields) })
    },
  },
]

/** The decoder contract: a DecodeError with a DECODE_ code, or a result that re-encodes to the input. */
function checkContract(decoder: DecoderUnderTest, bytes: Uint8Array): 'accepted' | 'refused' {
  let again: Uint8Array
  try {
    again = decoder.roundTrip(bytes)
  } catch (err) {
    if (!(err instanceof DecodeError)) {
      throw new Error(`${decoder.name} threw ${String(err)} (not a DecodeError) on ${hex(bytes)}`)
    }
    expect(err.code).toMatch(/^DECODE_/)
    expect(err.verdict).toBe('reject')
    return 'refused'
  }
  expect(hex(again), `${decoder.name} accepted ${hex(bytes)}`).toBe(hex(bytes))
  return 'accepted'
}

function checkAllDecoders(bytes: Uint8Array): void {
  for (const decoder of DECODERS) checkContract(decoder, bytes)
}

describe('round trips', () => {
  it('Transaction', () => {
    fc.assert(
      fc.property(txArb, (tx) => {
        const bytes = encodeTx(tx)
        expect(normalize(decodeTx(bytes))).toEqual(normalize(tx))
        const parsed = Tx.fromBytes(bytes)
        expect(hex(encodeTx(parsed.fields))).toBe(hex(bytes))
        expect(parsed.id).toBe(Tx.fromFields(tx).id)
      }),
      { numRuns: RUNS },
    )
  })

  it('BlockHeader', () => {
    fc.assert(
      fc.property(headerArb, (header) => {
        const bytes = encodeHeader(header)
        expect(normalize(decodeHeader(bytes))).toEqual(normalize(header))
        expect(Header.fromBytes(bytes).id).toBe(Header.fromFields(header).id)
      }),
      { numRuns: RUNS },
    )
  })

  it('Block', () => {
    fc.assert(
      fc.property(blockArb, (block) => {
        const bytes = encodeBlock(block)
        expect(normalize(decodeBlock(bytes))).toEqual(normalize(block))
        const parsed = Block.fromBytes(bytes)
        expect(parsed.id).toBe(Header.fromFields(block.header as HeaderFields).id)
        expect(parsed.txs.map((tx) => tx.id)).toEqual(block.txs.map((tx) => Tx.fromFields(tx).id))
        // a block built from parts encodes to the same bytes
        expect(hex(new Block(parsed.header, parsed.txs).bytes)).toBe(hex(bytes))
      }),
      { numRuns: Math.floor(RUNS / 3) },
    )
  })

  it('Account', () => {
    fc.assert(
      fc.property(accountArb, (account) => {
        expect(decodeAccount(encodeAccount(account))).toEqual(account)
      }),
      { numRuns: RUNS },
    )
  })
})

describe('decoders on hostile bytes only ever throw DecodeError', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), checkAllDecoders), { numRuns: RUNS })
  })

  it('protobuf-shaped random bytes', () => {
    let accepted = 0
    fc.assert(
      fc.property(protobufish, (bytes) => {
        if (checkContract(DECODERS[4]!, bytes) === 'accepted') accepted++
        checkAllDecoders(bytes)
      }),
      { numRuns: RUNS },
    )
    // the generator reaches the accepting path too, not just early failures
    expect(accepted).toBeGreaterThan(0)
  })

  it.each([
    ['Transaction', txArb.map(encodeTx)],
    ['BlockHeader', headerArb.map(encodeHeader)],
    ['Block', blockArb.map(encodeBlock)],
    ['Account', accountArb.map(encodeAccount)],
  ] as const)('mutated valid %s encodings', (_name, encoded) => {
    fc.assert(
      fc.property(encoded, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (bytes, mutations) => {
        const mutated = mutations.reduce(mutate, bytes)
        checkAllDecoders(mutated)
      }),
      { numRuns: Math.floor(RUNS / 2) },
    )
  })

  it('a single bit flip in a valid tx never decodes to a different valid tx with the same id', () => {
    fc.assert(
      fc.property(txArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (fields, at, bit) => {
        const bytes = encodeTx(fields)
        const flipped = mutate(bytes, { kind: 'flip', at, bit })
        try {
          const tx = Tx.fromBytes(flipped)
          expect(tx.id).not.toBe(Tx.fromBytes(bytes).id)
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError)
        }
      }),
      { numRuns: RUNS },
    )
  })
})
