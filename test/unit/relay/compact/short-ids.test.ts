import { describe, expect, it } from 'vitest'
import { sha256 } from '../../../../src/ledger/crypto.js'
import {
  packShortIds,
  SHORT_ID_BYTES,
  shortId,
  shortIdKey,
  unpackShortIds,
} from '../../../../src/relay/compact/short-ids.js'

describe('short ids', () => {
  it('are the low 48 bits of SipHash-2-4 (the reference vector: key 00..0f, message 00..0e)', () => {
    const key = [0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c] as const
    const message = Uint8Array.from({ length: 15 }, (_, i) => i)
    // The reference's output bytes are a1 29 ca 61 49 be 45 e5: the 64-bit value 0xe545be4961ca29a1.
    expect(shortId(key, message)).toBe(0xbe4961ca29a1)
  })

  it('are keyed per block by SHA-256(header bytes ‖ nonce, little-endian)', () => {
    const header = Uint8Array.from([1, 2, 3])
    const nonce = 0x0102030405060708n
    const digest = sha256(header, Uint8Array.from([8, 7, 6, 5, 4, 3, 2, 1]))
    const view = new DataView(digest.buffer, digest.byteOffset)
    expect(shortIdKey(header, nonce)).toEqual([0, 4, 8, 12].map((at) => view.getUint32(at, true)))
    const txHash = sha256(Uint8Array.from([9]))
    expect(shortId(shortIdKey(header, nonce), txHash)).not.toBe(shortId(shortIdKey(header, nonce + 1n), txHash))
  })

  it('pack to 6 bytes each, little-endian, and unpack to the same numbers', () => {
    const ids = [0, 1, 0xffff_ffff_ffff, 0x1234_5678_9abc]
    const bytes = packShortIds(ids)
    expect(bytes.byteLength).toBe(ids.length * SHORT_ID_BYTES)
    expect([...bytes.subarray(6, 12)]).toEqual([1, 0, 0, 0, 0, 0])
    expect([...bytes.subarray(18, 24)]).toEqual([0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12])
    expect(unpackShortIds(bytes)).toEqual(ids)
  })
})
