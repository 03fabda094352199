import { describe, expect, it } from 'vitest'
import { DecodeError } from '../../../../src/ledger/errors.js'
import * as pb from '../../../../src/relay/compact/cmpct.js'
import {
  type CompactLimits,
  decodeBlockTxs,
  decodeCompactBlock,
  decodeCompactRequest,
  encodeBlockTxs,
  encodeCompactBlock,
  encodeCompactRequest,
} from '../../../../src/relay/compact/compact-codec.js'

const limits: CompactLimits = { blockTxsMax: 10, blockBytesMax: 4096, txBytesMax: 100 }
const hash = new Uint8Array(32).fill(7)
const header = new Uint8Array(80).fill(1)
const block = {
  header,
  nonce: 42n,
  shortIds: new Uint8Array(12).fill(3),
  prefilled: [
    { index: 0, tx: new Uint8Array([1, 2]) },
    { index: 2, tx: new Uint8Array([3]) },
  ],
}

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    if (err instanceof DecodeError) return err.code
    throw err
  }
  return undefined
}

describe('compact-block codec', () => {
  it('round-trips every request kind and answer', () => {
    expect(decodeCompactRequest(encodeCompactRequest({ kind: 'block', block }), limits)).toEqual({
      kind: 'block',
      block,
    })
    expect(decodeCompactRequest(encodeCompactRequest({ kind: 'announce', blockHash: hash }), limits)).toEqual({
      kind: 'announce',
      blockHash: hash,
    })
    expect(decodeCompactRequest(encodeCompactRequest({ kind: 'getBlock', blockHash: hash }), limits)).toEqual({
      kind: 'getBlock',
      blockHash: hash,
    })
    const get = { blockHash: hash, indexes: [1, 3, 9] }
    expect(decodeCompactRequest(encodeCompactRequest({ kind: 'getBlockTxs', get }), limits)).toEqual({
      kind: 'getBlockTxs',
      get,
    })
    for (const highBandwidth of [true, false]) {
      expect(decodeCompactRequest(encodeCompactRequest({ kind: 'mode', highBandwidth }), limits)).toEqual({
        kind: 'mode',
        highBandwidth,
      })
    }
    expect(decodeCompactBlock(encodeCompactBlock(block), limits)).toEqual(block)
    const txs = { blockHash: hash, txs: [new Uint8Array([5]), new Uint8Array([6, 6])] }
    expect(decodeBlockTxs(encodeBlockTxs(txs), limits, hash, 2)).toEqual(txs)
  })

  it('refuses a request with no kind or two kinds', () => {
    expect(code(() => decodeCompactRequest(pb.CmpctRequest.encode({}), limits))).toBe('DECODE_MALFORMED')
    const two = pb.CmpctRequest.encode({ announce: hash, getBlock: hash })
    expect(code(() => decodeCompactRequest(two, limits))).toBe('DECODE_MALFORMED')
    const modeAndBlock = pb.CmpctRequest.encode({ highBandwidth: true, getBlock: hash })
    expect(code(() => decodeCompactRequest(modeAndBlock, limits))).toBe('DECODE_MALFORMED')
  })

  it('refuses short ids not in 6-byte units, too many txs, and prefilled indexes out of order or past the end', () => {
    const bad = (b: Partial<typeof block>) => () => decodeCompactBlock(encodeCompactBlock({ ...block, ...b }), limits)
    expect(code(bad({ shortIds: new Uint8Array(7) }))).toBe('DECODE_MALFORMED')
    expect(code(bad({ shortIds: new Uint8Array(6 * 10) }))).toBe('DECODE_TOO_MANY')
    const swapped = [block.prefilled[1], block.prefilled[0]] as typeof block.prefilled
    expect(code(bad({ prefilled: swapped }))).toBe('DECODE_MALFORMED')
    expect(code(bad({ prefilled: [{ index: 4, tx: new Uint8Array([1]) }] }))).toBe('DECODE_MALFORMED')
    expect(code(bad({ prefilled: [{ index: 0, tx: new Uint8Array(101) }] }))).toBe('DECODE_TOO_LARGE')
    expect(code(bad({ header: new Uint8Array(0) }))).toBe('DECODE_MALFORMED')
  })

  it('refuses an announced hash of another length than 32, and the retired header announcement (field 2)', () => {
    const short = pb.CmpctRequest.encode({ announce: hash.subarray(0, 31) })
    expect(code(() => decodeCompactRequest(short, limits))).toBe('DECODE_MALFORMED')
    // field 2, length-delimited, carrying a header: what the first cmpct/1 announced with
    const retired = Uint8Array.from([0x12, header.byteLength, ...header])
    expect(code(() => decodeCompactRequest(retired, limits))).toMatch(/^DECODE_/)
  })

  it('refuses non-canonical bytes (a trailing unknown field) and oversized messages', () => {
    const bytes = encodeCompactRequest({ kind: 'getBlock', blockHash: hash })
    const trailing = Uint8Array.from([...bytes, 0x48, 0x01])
    expect(code(() => decodeCompactRequest(trailing, limits))).toBe('DECODE_NON_CANONICAL')
    expect(code(() => decodeCompactRequest(new Uint8Array(1_000_000), limits))).toBe('DECODE_TOO_LARGE')
  })

  it('refuses missing-tx requests with indexes out of order, and answers of the wrong block or count', () => {
    const get = { blockHash: hash, indexes: [3, 3] }
    expect(code(() => decodeCompactRequest(encodeCompactRequest({ kind: 'getBlockTxs', get }), limits))).toBe(
      'DECODE_MALFORMED',
    )
    const none = { blockHash: hash, indexes: [] }
    expect(code(() => decodeCompactRequest(encodeCompactRequest({ kind: 'getBlockTxs', get: none }), limits))).toBe(
      'DECODE_MALFORMED',
    )
    const answer = encodeBlockTxs({ blockHash: hash, txs: [new Uint8Array([1])] })
    expect(code(() => decodeBlockTxs(answer, limits, new Uint8Array(32), 1))).toBe('DECODE_MALFORMED')
    expect(code(() => decodeBlockTxs(answer, limits, hash, 2))).toBe('DECODE_MALFORMED')
    const more = encodeBlockTxs({ blockHash: hash, txs: [new Uint8Array([1]), new Uint8Array([2])] })
    expect(code(() => decodeBlockTxs(more, limits, hash, 1))).toBe('DECODE_TOO_MANY')
  })
})
