/**
 * Trie paths as nibbles (one 4-bit digit per byte) and their hex-prefix
 * encoding, as the Ethereum yellow paper (appendix C) defines it.
 */

export type Nibbles = Uint8Array

export function bytesToNibbles(bytes: Uint8Array): Nibbles {
  const out = new Uint8Array(bytes.length * 2)
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number
    out[2 * i] = b >> 4
    out[2 * i + 1] = b & 0x0f
  }
  return out
}

/** Hex-prefix encoding: a flag nibble (leaf: 2, odd length: 1), padding, then the nibbles packed. */
export function encodeHexPrefix(path: Nibbles, leaf: boolean): Uint8Array {
  const odd = path.length % 2
  const out = new Uint8Array(1 + (path.length >> 1))
  const flag = (leaf ? 2 : 0) + odd
  let i = 0
  if (odd) {
    out[0] = (flag << 4) | (path[0] as number)
    i = 1
  } else {
    out[0] = flag << 4
  }
  for (let o = 1; i < path.length; i += 2, o++) out[o] = ((path[i] as number) << 4) | (path[i + 1] as number)
  return out
}

export interface HexPrefixPath {
  path: Nibbles
  leaf: boolean
}

/** Undoes encodeHexPrefix; undefined for bytes no encoder makes. */
export function decodeHexPrefix(bytes: Uint8Array): HexPrefixPath | undefined {
  if (bytes.length === 0) return undefined
  const first = bytes[0] as number
  const flag = first >> 4
  if (flag > 3) return undefined
  const odd = flag & 1
  if (!odd && (first & 0x0f) !== 0) return undefined
  const path = new Uint8Array((bytes.length - 1) * 2 + odd)
  let o = 0
  if (odd) path[o++] = first & 0x0f
  for (let i = 1; i < bytes.length; i++) {
    const b = bytes[i] as number
    path[o++] = b >> 4
    path[o++] = b & 0x0f
  }
  return { path, leaf: flag >= 2 }
}

/** How many nibbles `a` from `aStart` and `b` from `bStart` have in common. */
export function commonPrefixLength(a: Nibbles, aStart: number, b: Nibbles, bStart: number): number {
  const n = Math.min(a.length - aStart, b.length - bStart)
  let i = 0
  while (i < n && a[aStart + i] === b[bStart + i]) i++
  return i
}

/** Byte order of two nibble paths of equal length (which is also the order of the keys they spell). */
export function compareNibbles(a: Nibbles, b: Nibbles): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return a.length - b.length
}
