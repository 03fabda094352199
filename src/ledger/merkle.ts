/**
 * Binary Merkle tree over transaction hashes, shaped as RFC 6962 (Certificate
 * Transparency): leaves and inner nodes are hashed with distinct prefixes, so
 * a leaf can never pass for a node, and an odd node is not duplicated (no
 * CVE-2012-2459-style duplicate-leaf ambiguity). The committed root also
 * covers the leaf count, so a proof cannot be replayed at another position of
 * a tree of another size.
 */
import { sha256 } from './crypto.js'

const LEAF = new Uint8Array([0])
const NODE = new Uint8Array([1])
const SIZED = new Uint8Array([2])

const leafHash = (leaf: Uint8Array): Uint8Array => sha256(LEAF, leaf)
const nodeHash = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(NODE, l, r)

/** Largest power of two strictly less than n (n >= 2). */
function split(n: number): number {
  let k = 1
  while (k << 1 < n) k <<= 1
  return k
}

function rootOf(leaves: Uint8Array[], from: number, to: number): Uint8Array {
  const n = to - from
  if (n === 1) return leafHash(leaves[from] as Uint8Array)
  const k = split(n)
  return nodeHash(rootOf(leaves, from, from + k), rootOf(leaves, from + k, to))
}

/** The root committed in headers: SHA-256(0x02 || count (u32 BE) || tree root). */
function sizedRoot(size: number, treeRoot: Uint8Array): Uint8Array {
  const count = new Uint8Array(4)
  new DataView(count.buffer).setUint32(0, size)
  return sha256(SIZED, count, treeRoot)
}

export function merkleRoot(leaves: Uint8Array[]): Uint8Array {
  return sizedRoot(leaves.length, leaves.length === 0 ? sha256() : rootOf(leaves, 0, leaves.length))
}

export const EMPTY_ROOT = merkleRoot([])

/** Sibling hashes from the leaf up to the root, for leaf `index`. */
export function merkleProof(leaves: Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new RangeError('leaf index out of range')
  const path: Uint8Array[] = []
  const walk = (from: number, to: number): void => {
    if (to - from === 1) return
    const k = split(to - from)
    if (index < from + k) {
      walk(from, from + k)
      path.push(rootOf(leaves, from + k, to))
    } else {
      walk(from + k, to)
      path.push(rootOf(leaves, from, from + k))
    }
  }
  walk(0, leaves.length)
  return path
}

/** True when `proof` shows `leaf` at `index` in a tree of `size` leaves with `root`. */
export function verifyMerkleProof(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isInteger(index) || index < 0 || index >= size) return false
  // Recompute the same recursion as merkleProof, consuming siblings from the end.
  let used = proof.length
  const up = (from: number, to: number): Uint8Array | null => {
    if (to - from === 1) return leafHash(leaf)
    const k = split(to - from)
    const sibling = proof[--used]
    if (sibling === undefined) return null
    if (index < from + k) {
      const left = up(from, from + k)
      return left && nodeHash(left, sibling)
    }
    const right = up(from + k, to)
    return right && nodeHash(sibling, right)
  }
  if (size > 0xffffffff) return false
  const got = up(0, size)
  return got !== null && used === 0 && Buffer.from(sizedRoot(size, got)).equals(root)
}
