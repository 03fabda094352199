/**
 * Compact blocks' short transaction ids (BIP152's, over our tx hashes): each
 * block gets its own SipHash-2-4 key, the first 16 bytes of SHA-256(header
 * bytes ‖ nonce as 8 bytes little-endian), and a tx's short id is the low 48
 * bits of SipHash(key, tx hash). The sender picks the nonce, so no one can
 * grind txs that collide in every block; a collision in one block costs one
 * full-block download.
 */
import SipHash from 'siphash'
import { sha256 } from '../../ledger/crypto.js'

/** Bytes of a short id on the wire. */
export const SHORT_ID_BYTES = 6

/** A SipHash key as the package takes it: four 32-bit words, least significant first. */
export type ShortIdKey = readonly [number, number, number, number]

export function shortIdKey(headerBytes: Uint8Array, nonce: bigint): ShortIdKey {
  const nonceBytes = new Uint8Array(8)
  new DataView(nonceBytes.buffer).setBigUint64(0, BigInt.asUintN(64, nonce), true)
  const digest = sha256(headerBytes, nonceBytes)
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength)
  return [view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true), view.getUint32(12, true)]
}

/**
 * The short id of a tx hash: the low 48 bits of its SipHash-2-4 (the 64-bit
 * value the reference defines, whose little-endian bytes are the reference's
 * output), as a number (exact below 2^53). The package gives those 8 output
 * bytes read big-endian as two 32-bit halves: output bytes 0–3 are `h`, 4–7 `l`.
 */
export function shortId(key: ShortIdKey, txHash: Uint8Array): number {
  const { h, l } = SipHash.hash(key, txHash)
  const low32 = (((h & 0xff) << 24) | (((h >>> 8) & 0xff) << 16) | (((h >>> 16) & 0xff) << 8) | (h >>> 24)) >>> 0
  const high16 = ((l >>> 24) & 0xff) | (((l >>> 16) & 0xff) << 8)
  return high16 * 2 ** 32 + low32
}

/** Writes short ids as 6-byte little-endian numbers, one after the other. */
export function packShortIds(ids: readonly number[]): Uint8Array {
  const out = new Uint8Array(ids.length * SHORT_ID_BYTES)
  const view = new DataView(out.buffer)
  ids.forEach((id, i) => {
    view.setUint32(i * SHORT_ID_BYTES, id % 2 ** 32, true)
    view.setUint16(i * SHORT_ID_BYTES + 4, Math.floor(id / 2 ** 32), true)
  })
  return out
}

/** Reads what packShortIds wrote; the length must be a multiple of 6 (the codec checks it). */
export function unpackShortIds(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const ids: number[] = []
  for (let at = 0; at + SHORT_ID_BYTES <= bytes.byteLength; at += SHORT_ID_BYTES) {
    ids.push(view.getUint16(at + 4, true) * 2 ** 32 + view.getUint32(at, true))
  }
  return ids
}
