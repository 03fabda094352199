/** Byte helpers shared by every layer. Pure; no I/O. */

const HEX_RE = /^(?:[0-9a-f]{2})*$/

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
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
