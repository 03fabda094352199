import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { EMPTY_ROOT, merkleProof, merkleRoot, verifyMerkleProof } from '../../../src/ledger/merkle.js'
import { hex, thrownBy } from './fixtures.js'

// An independent RFC 6962 reference, written out by hand for small trees.
const h = (...parts: Uint8Array[]): Uint8Array => {
  const hash = createHash('sha256')
  for (const p of parts) hash.update(p)
  return new Uint8Array(hash.digest())
}
const leaf = (x: Uint8Array): Uint8Array => h(new Uint8Array([0]), x)
const node = (l: Uint8Array, r: Uint8Array): Uint8Array => h(new Uint8Array([1]), l, r)
const sha256 = (): Uint8Array => h()
/** The committed root: 0x02 || count (u32 BE) || tree root. */
const sized = (n: number, root: Uint8Array): Uint8Array =>
  h(new Uint8Array([2, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]), root)

const leaves = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => h(new Uint8Array([i, n])))

describe('merkleRoot', () => {
  it('of no leaves commits to a count of 0 over SHA-256 of nothing', () => {
    expect(hex(merkleRoot([]))).toBe(hex(sized(0, sha256())))
    expect(hex(EMPTY_ROOT)).toBe(hex(merkleRoot([])))
  })

  it('of known small trees (RFC 6962 shape: leaf/node prefixes, left subtree a power of two)', () => {
    const [a, b, c, d, e] = leaves(5) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array]
    expect(hex(merkleRoot([a]))).toBe(hex(sized(1, leaf(a))))
    expect(hex(merkleRoot([a, b]))).toBe(hex(sized(2, node(leaf(a), leaf(b)))))
    expect(hex(merkleRoot([a, b, c]))).toBe(hex(sized(3, node(node(leaf(a), leaf(b)), leaf(c)))))
    expect(hex(merkleRoot([a, b, c, d]))).toBe(hex(sized(4, node(node(leaf(a), leaf(b)), node(leaf(c), leaf(d))))))
    expect(hex(merkleRoot([a, b, c, d, e]))).toBe(
      hex(sized(5, node(node(node(leaf(a), leaf(b)), node(leaf(c), leaf(d))), leaf(e)))),
    )
  })

  it('a leaf is never its own root, and an odd leaf is not duplicated', () => {
    const [a, b, c] = leaves(3) as [Uint8Array, Uint8Array, Uint8Array]
    expect(hex(merkleRoot([a]))).not.toBe(hex(a))
    expect(hex(merkleRoot([a, b, c]))).not.toBe(hex(merkleRoot([a, b, c, c])))
    // an inner node cannot pass as a leaf (second-preimage)
    expect(hex(merkleRoot([node(leaf(a), leaf(b)), leaf(c)]))).not.toBe(hex(merkleRoot([a, b, c])))
  })

  it('depends on order and on every leaf', () => {
    const ls = leaves(6)
    const root = hex(merkleRoot(ls))
    expect(hex(merkleRoot([...ls].reverse()))).not.toBe(root)
    for (let i = 0; i < ls.length; i++) {
      const changed = [...ls]
      changed[i] = h(new Uint8Array([0xee, i]))
      expect(hex(merkleRoot(changed))).not.toBe(root)
    }
  })
})

describe('merkle proofs', () => {
  it('cannot be replayed at another position of a tree of another size', () => {
    const ls = leaves(3)
    const proof = merkleProof(ls, 2)
    const root = merkleRoot(ls)
    expect(verifyMerkleProof(ls[2]!, 2, 3, proof, root)).toBe(true)
    expect(verifyMerkleProof(ls[2]!, 1, 2, proof, root)).toBe(false)
    expect(verifyMerkleProof(ls[0]!, 0, 4, merkleProof(ls, 0), root)).toBe(false)
  })

  it('verify for every index of trees of 1..17 leaves', () => {
    for (let size = 1; size <= 17; size++) {
      const ls = leaves(size)
      const root = merkleRoot(ls)
      for (let i = 0; i < size; i++) {
        const proof = merkleProof(ls, i)
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(size)))
        expect(verifyMerkleProof(ls[i]!, i, size, proof, root), `size ${size} index ${i}`).toBe(true)
      }
    }
  })

  it('fail with a wrong index, leaf, root, or a proof too short or too long', () => {
    for (let size = 1; size <= 17; size++) {
      const ls = leaves(size)
      const root = merkleRoot(ls)
      for (let i = 0; i < size; i++) {
        const proof = merkleProof(ls, i)
        const l = ls[i]!
        for (let j = 0; j < size; j++) {
          if (j !== i) expect(verifyMerkleProof(l, j, size, proof, root), `size ${size}: ${i} as ${j}`).toBe(false)
        }
        expect(verifyMerkleProof(h(new Uint8Array([0xff])), i, size, proof, root)).toBe(false)
        expect(verifyMerkleProof(leaf(l), i, size, proof, root)).toBe(false)
        const badRoot = new Uint8Array(root)
        badRoot[31] = (badRoot[31] ?? 0) ^ 1
        expect(verifyMerkleProof(l, i, size, proof, badRoot)).toBe(false)
        expect(verifyMerkleProof(l, i, size, [...proof, root], root)).toBe(false)
        if (proof.length > 0) {
          expect(verifyMerkleProof(l, i, size, proof.slice(1), root)).toBe(false)
          expect(verifyMerkleProof(l, i, size, proof.slice(0, -1), root)).toBe(false)
          const badSibling = proof.map((p) => new Uint8Array(p))
          badSibling[0]![0] = (badSibling[0]![0] ?? 0) ^ 1
          expect(verifyMerkleProof(l, i, size, badSibling, root)).toBe(false)
        }
      }
    }
  })

  it('fail for an index outside the tree or not an integer', () => {
    const ls = leaves(4)
    const root = merkleRoot(ls)
    const proof = merkleProof(ls, 0)
    for (const index of [-1, 4, 100, 0.5, Number.NaN]) {
      expect(verifyMerkleProof(ls[0]!, index, 4, proof, root)).toBe(false)
    }
    expect(verifyMerkleProof(ls[0]!, 0, 0, [], EMPTY_ROOT)).toBe(false)
  })

  it('merkleProof refuses an index outside the tree', () => {
    for (const index of [-1, 3, 1.5]) expect(thrownBy(() => merkleProof(leaves(3), index))).toBeInstanceOf(RangeError)
    expect(thrownBy(() => merkleProof([], 0))).toBeInstanceOf(RangeError)
  })
})
