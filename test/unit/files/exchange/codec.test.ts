/** The files protocol's strict codec: round trips, and every malformed or non-canonical form refused with its code. */
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { identity } from 'multiformats/hashes/identity'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import {
  decodeFilesRequest,
  decodeHaveAnswer,
  decodeWantAnswer,
  encodeFilesRequest,
  encodeHaveAnswer,
  encodeWantAnswer,
} from '../../../../src/files/exchange/codec.js'
import { FilesCidError, FilesWireError } from '../../../../src/files/exchange/errors.js'
import { HAVE_CIDS_MAX, WANT_CIDS_MAX } from '../../../../src/files/exchange/limits.js'

const rawCid = (n: number): CID => CID.createV1(raw.code, sha256.digest(new Uint8Array([n, n >> 8])) as never)

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof FilesWireError || err instanceof FilesCidError) return err.code
    throw err
  }
  throw new Error('expected a refusal')
}

describe('files codec: requests', () => {
  it('round-trips HAVE and WANT requests', () => {
    const cids = [rawCid(1), rawCid(2), rawCid(3)]
    for (const kind of ['have', 'want'] as const) {
      const back = decodeFilesRequest(encodeFilesRequest({ kind, cids }))
      expect(back.kind).toBe(kind)
      expect(back.cids.map(String)).toEqual(cids.map(String))
    }
  })

  it('refuses an unknown kind, an empty request, too many CIDs, trailing bytes and truncation', () => {
    const ok = encodeFilesRequest({ kind: 'want', cids: [rawCid(1)] })
    expect(codeOf(() => decodeFilesRequest(Uint8Array.from([9, ...ok.subarray(1)])))).toBe('WIRE_MALFORMED')
    expect(codeOf(() => decodeFilesRequest(Uint8Array.from([2, 0])))).toBe('WIRE_MALFORMED')
    expect(codeOf(() => decodeFilesRequest(Uint8Array.from([...ok, 0])))).toBe('WIRE_NON_CANONICAL')
    expect(codeOf(() => decodeFilesRequest(ok.subarray(0, ok.byteLength - 1)))).toBe('WIRE_MALFORMED')
    // WANT_CIDS_MAX + 1 in the count field
    expect(codeOf(() => decodeFilesRequest(Uint8Array.from([2, WANT_CIDS_MAX + 1])))).toBe('WIRE_TOO_MANY')
    const many = Array.from({ length: HAVE_CIDS_MAX + 1 }, (_, i) => rawCid(i))
    expect(() => encodeFilesRequest({ kind: 'have', cids: many })).toThrow(RangeError)
  })

  it('refuses a non-minimal varint', () => {
    const ok = encodeFilesRequest({ kind: 'want', cids: [rawCid(1)] })
    // count 1 written as 0x81 0x00
    const padded = Uint8Array.from([ok[0] as number, 0x81, 0x00, ...ok.subarray(2)])
    expect(codeOf(() => decodeFilesRequest(padded))).toBe('WIRE_NON_CANONICAL')
  })

  it('refuses a CID of an unknown codec or hash with a typed CID error', () => {
    const dagCbor = CID.createV1(0x71, sha256.digest(new Uint8Array([1])) as never)
    const idHash = CID.createV1(raw.code, identity.digest(new Uint8Array([1, 2, 3])))
    const junk = Uint8Array.from([2, 1, 3, 0xff, 0xff, 0xff])
    expect(codeOf(() => decodeFilesRequest(encodeFilesRequest({ kind: 'want', cids: [dagCbor] })))).toBe(
      'CID_UNSUPPORTED_CODEC',
    )
    expect(codeOf(() => decodeFilesRequest(encodeFilesRequest({ kind: 'have', cids: [idHash] })))).toBe(
      'CID_UNSUPPORTED_HASH',
    )
    expect(codeOf(() => decodeFilesRequest(junk))).toBe('CID_MALFORMED')
  })
})

describe('files codec: answers', () => {
  it('round-trips a HAVE answer and refuses a count other than asked or spare bits set', () => {
    const have = [true, false, true, true, false, false, false, false, true, false]
    const bytes = encodeHaveAnswer(have)
    expect(decodeHaveAnswer(bytes, have.length)).toEqual(have)
    expect(codeOf(() => decodeHaveAnswer(bytes, 11))).toBe('WIRE_MALFORMED')
    const spare = bytes.slice()
    spare[spare.byteLength - 1] = (spare[spare.byteLength - 1] as number) | 0x80
    expect(codeOf(() => decodeHaveAnswer(spare, have.length))).toBe('WIRE_NON_CANONICAL')
  })

  it('round-trips a WANT answer with missing marks and blocks left out for the budget', () => {
    const answer = {
      dontHave: [false, true, false, false],
      blocks: [
        { index: 0, bytes: Uint8Array.from([1, 2, 3]) },
        { index: 2, bytes: new Uint8Array(0) },
      ],
    }
    const back = decodeWantAnswer(encodeWantAnswer(4, answer), 4)
    expect(back.dontHave).toEqual(answer.dontHave)
    expect(back.blocks.map((b) => [b.index, [...b.bytes]])).toEqual([
      [0, [1, 2, 3]],
      [2, []],
    ])
  })

  it('refuses indices out of order, past the request, or both sent and marked missing', () => {
    const block = Uint8Array.from([7])
    const unordered = encodeWantAnswer(3, {
      dontHave: [false, false, false],
      blocks: [
        { index: 1, bytes: block },
        { index: 0, bytes: block },
      ],
    })
    expect(codeOf(() => decodeWantAnswer(unordered, 3))).toBe('WIRE_NON_CANONICAL')
    const past = encodeWantAnswer(3, { dontHave: [false, false, false], blocks: [{ index: 3, bytes: block }] })
    expect(codeOf(() => decodeWantAnswer(past, 3))).toBe('WIRE_TOO_MANY')
    const both = encodeWantAnswer(2, { dontHave: [true, false], blocks: [{ index: 0, bytes: block }] })
    expect(codeOf(() => decodeWantAnswer(both, 2))).toBe('WIRE_MALFORMED')
  })
})
