/** Byte helpers shared by every layer. Pure; no I/O. */

const HEX_RE = /^(?:[0-9a-f]{2})*$/

/** Lower-case hex digits as char codes. */
const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0))
/** Up to this many bytes (hashes, keys, addresses) are written out in JS; longer ones through a Buffer. */
const SHORT_HEX_BYTES = 64

/**
 * Lower-case hex. A short array is written out from its bytes: a Buffer over
 * it would need its `.buffer`, which makes V8 move a small array (a hash from
 * ledger/crypto.ts) out of its heap, costing more than the loop.
 */
export function toHex(bytes: Uint8Array): string {
  const n = bytes.length
  if (n > SHORT_HEX_BYTES) return Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('hex')
  const codes: number[] = new Array(n * 2)
  for (let i = 0; i < n; i++) {
    const b = bytes[i] as number
    codes[2 * i] = HEX_CODES[b >> 4] as number
    codes[2 * i + 1] = HEX_CODES[b & 15] as number
  }
  return String.fromCharCode.apply(null, codes)
}

/** Strict lower-case hex (no 0x prefix, even length). Throws TypeError otherwise. */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !HEX_RE.test(hex)) {
    throw new TypeError('expected lower-case hex with an even number of digits')
  }
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).compare(b)
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts))
}

/** Big-endian unsigned bytes of `value`, left-padded to `length`. */
export function bigintToBytes(value: bigint, length = 32): Uint8Array {
  if (value < 0n) throw new RangeError('negative value')
  const hex = value.toString(16).padStart(length * 2, '0')
  if (hex.length > length * 2) throw new RangeError(`value does not fit in ${length} bytes`)
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.byteLength === 0) return 0n
  return BigInt(`0x${toHex(bytes)}`)
}

/** 8-byte big-endian encoding, so keys sort by number in LevelDB. */
export function u64be(value: number | bigint): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(value))
  return out
}

export function readU64be(bytes: Uint8Array, offset = 0): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset)
}

export const U64_MAX = (1n << 64n) - 1n
