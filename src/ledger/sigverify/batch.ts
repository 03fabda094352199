/**
 * The one buffer a verify worker receives per job. It is transferred, not
 * cloned, so a chunk of thousands of signatures crosses threads as a single
 * move instead of thousands of structured-clone copies.
 *
 *   u32 count, then per item: public key (32 B) | signature (64 B) | u32 message length | message
 *
 * Integers are little-endian. worker-source.ts reads the same layout.
 */
import { PUBKEY_BYTES, SIGNATURE_BYTES } from '../limits.js'

export const COUNT_BYTES = 4
export const ITEM_HEADER_BYTES = PUBKEY_BYTES + SIGNATURE_BYTES + 4

export interface SignedMessage {
  publicKey: Uint8Array
  signature: Uint8Array
  message: Uint8Array
}

/** Packs `items` into one ArrayBuffer. Wrong key or signature lengths are our bug (the caller filters them): RangeError. */
export function packBatch(items: readonly SignedMessage[]): ArrayBuffer {
  let size = COUNT_BYTES
  for (const item of items) {
    if (item.publicKey.byteLength !== PUBKEY_BYTES || item.signature.byteLength !== SIGNATURE_BYTES) {
      throw new RangeError('packBatch: a public key is 32 bytes and a signature 64 bytes')
    }
    size += ITEM_HEADER_BYTES + item.message.byteLength
  }
  const buffer = new ArrayBuffer(size)
  const bytes = new Uint8Array(buffer)
  const view = new DataView(buffer)
  view.setUint32(0, items.length, true)
  let offset = COUNT_BYTES
  for (const item of items) {
    bytes.set(item.publicKey, offset)
    bytes.set(item.signature, offset + PUBKEY_BYTES)
    view.setUint32(offset + PUBKEY_BYTES + SIGNATURE_BYTES, item.message.byteLength, true)
    offset += ITEM_HEADER_BYTES
    bytes.set(item.message, offset)
    offset += item.message.byteLength
  }
  return buffer
}
