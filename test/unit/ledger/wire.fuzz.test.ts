/**
 * Fuzzing of the wire decoders (Status, SyncRequest, SyncResponse, and the
 * headers and blocks a response carries): any bytes either decode to a value
 * that re-encodes to exactly those bytes and passes every field check, or are
 * refused with a DecodeError, never another exception. Inputs go up to each
 * limit: the 8 MiB response frame, 2,000 headers, and a block of 20,000
 * transactions (~7.6 MB) with every tx id; one tx more, a bad last byte, or a
 * byte past a cap is refused. How fast each is decoded or refused (50 ms a
 * frame or block, ~25 µs a header) is a benchmark's figure, not a test's:
 * `npm run bench -- decode`.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { Block, Header } from '../../../src/ledger/block.js'
import { encodeBlock, encodeHeader, type HeaderFields, type TxFields } from '../../../src/ledger/codec/codec.js'
import {
  decodeStatus,
  decodeSyncRequest,
  decodeSyncResponse,
  encodeStatus,
  encodeSyncRequest,
  encodeSyncResponse,
  STATUS_BYTES_MAX,
  STATUS_HEIGHT_MAX,
  type StatusFields,
} from '../../../src/ledger/codec/wire-codec.js'
import { DecodeError } from '../../../src/ledger/errors.js'
import { ABS_LIMITS } from '../../../src/ledger/limits.js'
import { Tx } from '../../../src/ledger/tx.js'
import type { RequestHandler } from '../../../src/net/network.js'
import { createSyncClient } from '../../../src/sync/client.js'
import { createSyncHandler } from '../../../src/sync/handler.js'
import {
  BLOCKS_MAX,
  HEADERS_MAX,
  SYNC_REQUEST_BYTES_MAX,
  SYNC_REQUEST_ITEMS_MAX,
  SYNC_RESPONSE_BYTES_MAX,
} from '../../../src/sync/limits.js'
import { U64_MAX } from '../../../src/util/bytes.js'
import { sourceChain } from '../sync/helpers.js'

const RUNS = 1000

const bytesExactly = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n })
const hash = bytesExactly(32)
const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: U64_MAX }),
  fc.constantFrom(0n, 1n, STATUS_HEIGHT_MAX, STATUS_HEIGHT_MAX + 1n, U64_MAX),
)

/** Fails the test unless `fn` either returns or throws a DecodeError. */
function decodesOrRefuses<T>(fn: () => T): T | DecodeError {
  try {
    return fn()
  } catch (err) {
    if (err instanceof DecodeError) return err
    throw err
  }
}

async function decodesOrRefusesAsync<T>(fn: () => Promise<T>): Promise<T | DecodeError> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof DecodeError) return err
    throw err
  }
}

/** Flips, cuts or extends an encoding: the inputs a fuzzer finds near valid ones. */
const mutated = (valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> =>
  fc
    .tuple(valid, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'extend', 'dup'))
    .map(([bytes, at, value, how]) => {
      if (bytes.byteLength === 0) return Uint8Array.of(value)
      const i = at % bytes.byteLength
      if (how === 'cut') return bytes.subarray(0, i)
      if (how === 'extend') return Uint8Array.from([...bytes, value])
      if (how === 'dup') return Uint8Array.from([...bytes, ...bytes.subarray(i)])
      const out = Uint8Array.from(bytes)
      out[i] = (out[i] as number) ^ (value || 1)
      return out
    })

const statusArb: fc.Arbitrary<StatusFields> = fc.record({
  chainId: fc.string({ maxLength: 80 }),
  genesisHash: fc.oneof(hash, fc.uint8Array({ maxLength: 40 })),
  headHash: fc.oneof(hash, fc.uint8Array({ maxLength: 40 })),
  headHeight: u64,
  totalWork: fc.oneof(bytesExactly(32), fc.uint8Array({ maxLength: 64 })),
  role: fc.oneof(fc.constantFrom('full', 'miner', 'light'), fc.string({ maxLength: 40 })),
})

function checkStatus(s: StatusFields, bytes: Uint8Array): void {
  expect(s.totalWork.byteLength).toBe(32)
  expect(s.genesisHash.byteLength).toBe(32)
  expect(s.headHash.byteLength).toBe(32)
  expect(s.headHeight <= STATUS_HEIGHT_MAX).toBe(true)
  expect(Buffer.from(encodeStatus(s)).equals(bytes)).toBe(true)
}

describe('fuzz: Status', () => {
  it('any bytes decode to a well-formed status or are refused with a DecodeError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), mutated(statusArb.map(encodeStatus))), (bytes) => {
        const out = decodesOrRefuses(() => decodeStatus(bytes))
        if (!(out instanceof DecodeError)) checkStatus(out, bytes)
      }),
      { numRuns: RUNS },
    )
  })

  it('a status is accepted exactly when every field has its shape', () => {
    fc.assert(
      fc.property(statusArb, (fields) => {
        const bytes = encodeStatus(fields)
        const wellFormed =
          fields.totalWork.byteLength === 32 &&
          fields.genesisHash.byteLength === 32 &&
          fields.headHash.byteLength === 32 &&
          fields.headHeight <= STATUS_HEIGHT_MAX &&
          bytes.byteLength <= STATUS_BYTES_MAX
        const out = decodesOrRefuses(() => decodeStatus(bytes))
        expect(out instanceof DecodeError).toBe(!wellFormed)
        if (!(out instanceof DecodeError)) checkStatus(out, bytes)
      }),
      { numRuns: RUNS },
    )
  })

  it(`decodes a status of ${STATUS_BYTES_MAX} bytes, and refuses one byte more`, () => {
    const base: StatusFields = {
      chainId: '',
      genesisHash: new Uint8Array(32),
      headHash: new Uint8Array(32),
      headHeight: STATUS_HEIGHT_MAX,
      totalWork: new Uint8Array(32).fill(0xff),
      role: 'full',
    }
    // The longest chain id that fits (its tag and 2-byte length included).
    let room = STATUS_BYTES_MAX - encodeStatus(base).byteLength
    while (encodeStatus({ ...base, chainId: 'c'.repeat(room) }).byteLength > STATUS_BYTES_MAX) room--
    const largest = encodeStatus({ ...base, chainId: 'c'.repeat(room) })
    expect(largest.byteLength).toBe(STATUS_BYTES_MAX)
    expect(decodeStatus(largest).chainId.length).toBe(room)
    const over = encodeStatus({ ...base, chainId: 'c'.repeat(room + 1) })
    expect(() => decodeStatus(over)).toThrow(DecodeError)
  })
})

let handler: RequestHandler
let validHeaders: Uint8Array[]
let validBlocks: Uint8Array[]

beforeAll(async () => {
  const { source, blocks } = await sourceChain(12)
  handler = createSyncHandler(source.chain)
  validHeaders = blocks.map((b) => b.header.bytes)
  validBlocks = blocks.map((b) => b.bytes)
})

const syncRequestArb = fc.record({
  locator: fc.array(fc.oneof(hash, fc.uint8Array({ maxLength: 40 })), { maxLength: 110 }),
  max: fc.oneof(fc.constantFrom(0, 1, HEADERS_MAX, 2 ** 32 - 1), fc.nat({ max: 2 ** 32 - 1 })),
  blockHashes: fc.array(fc.oneof(hash, fc.uint8Array({ maxLength: 40 })), { maxLength: 140 }),
})

describe('fuzz: SyncRequest', () => {
  it('any bytes decode and re-encode exactly, or are refused with a DecodeError, by the decoder and the handler', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 6000 }), mutated(syncRequestArb.map(encodeSyncRequest))),
        async (bytes) => {
          const out = decodesOrRefuses(() => decodeSyncRequest(bytes, SYNC_REQUEST_ITEMS_MAX))
          if (!(out instanceof DecodeError)) {
            expect(Buffer.from(encodeSyncRequest(out)).equals(bytes)).toBe(true)
            expect(out.locator.length).toBeLessThanOrEqual(SYNC_REQUEST_ITEMS_MAX)
            expect(out.blockHashes.length).toBeLessThanOrEqual(SYNC_REQUEST_ITEMS_MAX)
          }
          const answer = await decodesOrRefusesAsync(() => handler(bytes, 'fuzzer'))
          if (out instanceof DecodeError) expect(answer).toBeInstanceOf(DecodeError)
          if (!(answer instanceof DecodeError)) decodeSyncResponse(answer, SYNC_RESPONSE_BYTES_MAX, HEADERS_MAX)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it(`the largest request (${BLOCKS_MAX} hashes) is answered, and an oversized one refused`, async () => {
    const hashes = Array.from({ length: BLOCKS_MAX }, (_, i) => new Uint8Array(32).fill(i))
    const largest = encodeSyncRequest({ locator: [], max: 0, blockHashes: hashes })
    expect(largest.byteLength).toBeLessThanOrEqual(SYNC_REQUEST_BYTES_MAX)
    expect(await handler(largest, 'fuzzer')).toBeInstanceOf(Uint8Array)
    const tooMany = encodeSyncRequest({ locator: [], max: 0, blockHashes: [...hashes, ...hashes] })
    await expect(handler(tooMany, 'fuzzer')).rejects.toBeInstanceOf(DecodeError)
    const garbage = new Uint8Array(SYNC_REQUEST_BYTES_MAX + 1).fill(0x0a)
    expect(decodesOrRefuses(() => decodeSyncRequest(garbage, SYNC_REQUEST_ITEMS_MAX))).toBeInstanceOf(DecodeError)
  })
})

describe('fuzz: SyncResponse', () => {
  /** What the client makes of `response` as the answer to a headers request and to a blocks request. */
  async function asClient(response: Uint8Array) {
    const client = createSyncClient(async () => response)
    const headers = await decodesOrRefusesAsync(() => client.requestHeaders('p', [new Uint8Array(32)], HEADERS_MAX))
    const hashes = Array.from({ length: 16 }, () => new Uint8Array(32))
    const blocks = await decodesOrRefusesAsync(() => client.requestBlocks('p', hashes))
    return { headers, blocks }
  }

  const responseArb = fc.record({
    headers: fc.array(fc.oneof(fc.constantFrom(...Array.from({ length: 4 }, (_, i) => i)), fc.uint8Array()), {
      maxLength: 20,
    }),
    blocks: fc.array(fc.oneof(fc.constantFrom(0, 1, 2), fc.uint8Array({ maxLength: 300 })), { maxLength: 20 }),
  })
  /** A response mixing real headers and blocks with junk. */
  const mixedResponse = () =>
    responseArb.map(({ headers, blocks }) =>
      encodeSyncResponse({
        headers: headers.map((h) => (typeof h === 'number' ? (validHeaders[h] as Uint8Array) : h)),
        blocks: blocks.map((b) => (typeof b === 'number' ? (validBlocks[b] as Uint8Array) : b)),
      }),
    )

  it('any bytes give headers or blocks that re-encode exactly, or a DecodeError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 4000 }), mixedResponse(), mutated(mixedResponse())),
        async (bytes) => {
          const { headers, blocks } = await asClient(bytes)
          if (!(headers instanceof DecodeError)) {
            for (const h of headers) expect(Buffer.from(encodeHeader(h.fields)).equals(h.bytes)).toBe(true)
          }
          if (!(blocks instanceof DecodeError)) {
            expect(blocks.length).toBeLessThanOrEqual(16)
            for (const b of blocks) expect(Block.fromBytes(b.bytes).id).toBe(b.id)
          }
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('decodes an 8 MiB frame, and refuses a larger one or 8 MiB of junk', () => {
    const payload = new Uint8Array(ABS_LIMITS.blockBytesMax).fill(7)
    const full = encodeSyncResponse({ headers: [], blocks: [payload] })
    expect(full.byteLength).toBeGreaterThan(8 * 1024 * 1024)
    expect(full.byteLength).toBeLessThanOrEqual(SYNC_RESPONSE_BYTES_MAX)
    expect(decodeSyncResponse(full, SYNC_RESPONSE_BYTES_MAX, BLOCKS_MAX).blocks[0]?.byteLength).toBe(payload.byteLength)
    // The block inside is junk: refused.
    expect(decodesOrRefuses(() => Block.fromBytes(payload))).toBeInstanceOf(DecodeError)
    const over = new Uint8Array(SYNC_RESPONSE_BYTES_MAX + 1)
    expect(() => decodeSyncResponse(over, SYNC_RESPONSE_BYTES_MAX, BLOCKS_MAX)).toThrow(DecodeError)
    const junk = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24)
    expect(decodesOrRefuses(() => decodeSyncResponse(junk, SYNC_RESPONSE_BYTES_MAX, BLOCKS_MAX))).toBeInstanceOf(
      DecodeError,
    )
  })

  it(`decodes and parses a frame of ${HEADERS_MAX} headers, refuses one more`, () => {
    const header = validHeaders[0] as Uint8Array
    const fields = Header.fromBytes(header).fields
    const headers = Array.from({ length: HEADERS_MAX }, (_, i) => encodeHeader({ ...fields, nonce: BigInt(i) }))
    const frame = encodeSyncResponse({ headers, blocks: [] })
    const decodeAll = () =>
      decodeSyncResponse(frame, SYNC_RESPONSE_BYTES_MAX, HEADERS_MAX).headers.map(Header.fromBytes)
    expect(decodeAll().length).toBe(HEADERS_MAX)
    const more = encodeSyncResponse({ headers: [...headers, header], blocks: [] })
    expect(() => decodeSyncResponse(more, SYNC_RESPONSE_BYTES_MAX, HEADERS_MAX)).toThrow(DecodeError)
  })
})

describe('fuzz: the largest block', () => {
  const header: HeaderFields = {
    version: 1,
    height: 1n,
    parentHash: new Uint8Array(32),
    timestamp: 1n,
    txRoot: new Uint8Array(32),
    stateRoot: new Uint8Array(32),
    target: new Uint8Array(32).fill(0xff),
    miner: new Uint8Array(20),
    reward: 0n,
    nonce: 0n,
  }
  const tx = (i: number, memoBytes: number): TxFields => ({
    chainId: 'fuzz',
    senderPubKey: new Uint8Array(32).fill(1),
    recipient: new Uint8Array(20).fill(2),
    amount: BigInt(i),
    fee: 1n,
    nonce: BigInt(i),
    memo: new Uint8Array(memoBytes).fill(3),
    signature: new Uint8Array(64).fill(4),
    kind: 0,
    payload: new Uint8Array(0),
  })

  it(`a block of ${ABS_LIMITS.blockTxsMax} txs near ${ABS_LIMITS.blockBytesMax} bytes decodes, with every tx id; one tx more or a bad last byte is refused`, () => {
    const txs = Array.from({ length: ABS_LIMITS.blockTxsMax }, (_, i) => tx(i, 240))
    const bytes = encodeBlock({ header, txs })
    expect(bytes.byteLength).toBeGreaterThan(7 * 1024 * 1024)
    expect(bytes.byteLength).toBeLessThanOrEqual(ABS_LIMITS.blockBytesMax)
    const block = Block.fromBytes(bytes, ABS_LIMITS)
    expect(block.txs.length).toBe(ABS_LIMITS.blockTxsMax)
    // the decoded block is whole: every tx's id is its hash, and the last tx reads back its fields
    const last = block.txs[ABS_LIMITS.blockTxsMax - 1] as Tx
    expect(last.id).toBe(Tx.fromFields(tx(ABS_LIMITS.blockTxsMax - 1, 240)).id)
    expect(last.fields.amount).toBe(BigInt(ABS_LIMITS.blockTxsMax - 1))
    const tooMany = encodeBlock({ header, txs: [...txs, tx(0, 0)] })
    expect(() => Block.fromBytes(tooMany, ABS_LIMITS)).toThrow(DecodeError)
    // the last tx's signature one byte shorter, its last byte now the tag of an unknown field 11: found at the very end
    const badEnd = Uint8Array.from(bytes)
    expect([badEnd[badEnd.byteLength - 66], badEnd[badEnd.byteLength - 65]]).toEqual([0x42, 64])
    badEnd[badEnd.byteLength - 65] = 63
    badEnd[badEnd.byteLength - 1] = 0x58
    expect(() => Block.fromBytes(badEnd, ABS_LIMITS)).toThrow(/tx 19999/)
    // Past the byte cap: refused before a single field is read.
    const tooBig = new Uint8Array(ABS_LIMITS.blockBytesMax + 1)
    expect(() => Block.fromBytes(tooBig, ABS_LIMITS)).toThrow(DecodeError)
  })

  it('mutated blocks decode to a block that re-encodes exactly, or are refused with a DecodeError', () => {
    fc.assert(
      fc.property(mutated(fc.constantFrom(...validBlocks)), (bytes) => {
        const out = decodesOrRefuses(() => Block.fromBytes(bytes))
        if (!(out instanceof DecodeError)) {
          expect(
            Buffer.from(encodeBlock({ header: out.header.fields, txs: out.txs.map((t) => t.fields) })).equals(bytes),
          ).toBe(true)
        }
      }),
      { numRuns: RUNS },
    )
  })
})
