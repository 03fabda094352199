/**
 * RLP encoding of trie nodes into one buffer: the sizes are summed first, then
 * every item is written in place. @ethereumjs/rlp allocates and concatenates
 * once per list, which made encoding a sixth of a block's commit. Decoding
 * stays with @ethereumjs/rlp; the trie's tests hold this encoder's output to
 * @ethereumjs/mpt's roots.
 */
import type { NestedUint8Array } from '@ethereumjs/rlp'

export type RlpItem = Uint8Array | NestedUint8Array

function lengthOfLength(n: number): number {
  let bytes = 0
  while (n > 0) {
    bytes++
    n = Math.floor(n / 256)
  }
  return bytes
}

/** Bytes the header of a string or list with `payload` bytes takes. */
function headerLength(payload: number): number {
  return payload <= 55 ? 1 : 1 + lengthOfLength(payload)
}

function payloadLength(item: RlpItem): number {
  if (item instanceof Uint8Array) return item.length
  let sum = 0
  for (const child of item) sum += encodedLength(child)
  return sum
}

function encodedLength(item: RlpItem): number {
  if (item instanceof Uint8Array && item.length === 1 && (item[0] as number) < 0x80) return 1
  const payload = payloadLength(item)
  return headerLength(payload) + payload
}

function writeHeader(out: Uint8Array, at: number, payload: number, shortBase: number): number {
  if (payload <= 55) {
    out[at] = shortBase + payload
    return at + 1
  }
  const n = lengthOfLength(payload)
  out[at] = shortBase + 55 + n
  for (let i = n; i > 0; i--) {
    out[at + i] = payload & 0xff
    payload = Math.floor(payload / 256)
  }
  return at + 1 + n
}

function write(item: RlpItem, out: Uint8Array, at: number): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && (item[0] as number) < 0x80) {
      out[at] = item[0] as number
      return at + 1
    }
    at = writeHeader(out, at, item.length, 0x80)
    out.set(item, at)
    return at + item.length
  }
  at = writeHeader(out, at, payloadLength(item), 0xc0)
  for (const child of item) at = write(child, out, at)
  return at
}

export function encodeRlp(item: RlpItem): Uint8Array {
  const out = new Uint8Array(encodedLength(item))
  write(item, out, 0)
  return out
}
