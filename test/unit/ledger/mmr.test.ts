import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeMmrPeaks,
  EMPTY_MMR,
  encodeMmrPeaks,
  type MmrNode,
  type MmrPeaks,
  type MmrProof,
  MmrTree,
  mmrAppend,
  mmrLeaf,
  mmrRoot,
  mmrTotalWork,
  verifyMmrProof,
} from '../../../src/ledger/mmr.js'
import { hex } from './fixtures.js'

// An independent reference, written out from the format in docs/PROTOCOL.md.
const h = (...parts: Uint8Array[]): Uint8Array => {
  const hash = createHash('sha256')
  for (const p of parts) hash.update(p)
  return new Uint8Array(hash.digest())
}
const w32 = (x: bigint): Uint8Array => Uint8Array.from(Buffer.from(x.toString(16).padStart(64, '0'), 'hex'))
const u64 = (n: number): Uint8Array => {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n))
  return out
}
const blockHash = (i: number): Uint8Array => h(new TextEncoder().encode(`block ${i}`))
const workAt = (i: number): bigint => BigInt(1 + ((i * 7919) % 1000))

function build(n: number, work = workAt): { tree: MmrTree; state: MmrPeaks } {
  const tree = new MmrTree()
  let state = EMPTY_MMR
  for (let i = 0; i < n; i++) {
    tree.append(blockHash(i), work(i))
    state = mmrAppend(state, blockHash(i), work(i))
  }
  return { tree, state }
}

describe('MMR format', () => {
  it('matches a hand-written reference for 0, 1, 2, 3 and 7 leaves', () => {
    const leaf = (i: number) => ({ hash: h(new Uint8Array([0]), blockHash(i), w32(workAt(i))), work: workAt(i) })
    const node = (l: MmrNode, r: MmrNode) => ({
      hash: h(new Uint8Array([1]), l.hash, r.hash, w32(l.work + r.work)),
      work: l.work + r.work,
    })
    const bag = (n: number, peaks: MmrNode[]) =>
      h(new Uint8Array([2]), u64(n), ...peaks.flatMap((p) => [p.hash, w32(p.work)]))
    const [l0, l1, l2, l3, l4, l5, l6] = [0, 1, 2, 3, 4, 5, 6].map(leaf) as MmrNode[]
    expect(hex(mmrRoot(EMPTY_MMR))).toBe(hex(h(new Uint8Array([2]), u64(0))))
    expect(hex(mmrRoot(build(1).state))).toBe(hex(bag(1, [l0!])))
    expect(hex(mmrRoot(build(2).state))).toBe(hex(bag(2, [node(l0!, l1!)])))
    expect(hex(mmrRoot(build(3).state))).toBe(hex(bag(3, [node(l0!, l1!), l2!])))
    const seven = [node(node(l0!, l1!), node(l2!, l3!)), node(l4!, l5!), l6!]
    expect(hex(mmrRoot(build(7).state))).toBe(hex(bag(7, seven)))
    expect(hex(build(7).tree.root())).toBe(hex(bag(7, seven)))
  })

  it('the peaks state and the full tree agree at every size, and the state round-trips through bytes', () => {
    const { tree } = build(70)
    let state = EMPTY_MMR
    for (let n = 0; n <= 70; n++) {
      expect(hex(mmrRoot(state))).toBe(hex(tree.root(n)))
      expect(state.peaks.length).toBe(n.toString(2).replaceAll('0', '').length)
      const again = decodeMmrPeaks(encodeMmrPeaks(state))
      expect(again.size).toBe(n)
      expect(hex(mmrRoot(again))).toBe(hex(mmrRoot(state)))
      expect(mmrTotalWork(again)).toBe(mmrTotalWork(state))
      if (n < 70) state = mmrAppend(state, blockHash(n), workAt(n))
    }
    expect(mmrTotalWork(state)).toBe(Array.from({ length: 70 }, (_, i) => workAt(i)).reduce((a, b) => a + b))
    expect(() => decodeMmrPeaks(encodeMmrPeaks(state).subarray(0, 8 + 64))).toThrow(RangeError)
  })
})

const flip = (bytes: Uint8Array, at: number): Uint8Array => {
  const out = Uint8Array.from(bytes)
  out[at % out.byteLength] = (out[at % out.byteLength] as number) ^ 1
  return out
}

describe('MMR proofs', () => {
  it('verify for every leaf of random sizes, with the work before each leaf', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (n) => {
        const { tree } = build(n)
        const root = tree.root()
        let before = 0n
        for (let i = 0; i < n; i++) {
          const proven = verifyMmrProof(root, n, i, tree.leaf(i), tree.prove(i))
          expect(proven).toEqual({ workBefore: before, totalWork: mmrTotalWork(tree.peaks()) })
          before += workAt(i)
        }
      }),
      { numRuns: 25 },
    )
  })

  it('verify against the root of an earlier size (a header commits to its ancestors only)', () => {
    const { tree } = build(100)
    for (const size of [1, 2, 37, 64, 99]) {
      for (const i of [0, size - 1, Math.floor(size / 2)]) {
        expect(verifyMmrProof(tree.root(size), size, i, tree.leaf(i), tree.prove(i, size))).not.toBeNull()
      }
    }
  })

  it('fail when the proof, the leaf, its position, the size or the root is tampered with', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 200 }), fc.nat(), fc.nat(), (n, pick, at) => {
        const { tree } = build(n)
        const i = pick % n
        const root = tree.root()
        const leaf = tree.leaf(i)
        const proof = tree.prove(i)
        const nodes = [...proof.siblings, ...proof.peaks]
        const k = at % nodes.length
        const swap = (p: MmrProof, node: MmrNode): MmrProof =>
          k < p.siblings.length
            ? { ...p, siblings: p.siblings.map((s, j) => (j === k ? node : s)) }
            : { ...p, peaks: p.peaks.map((s, j) => (j === k - p.siblings.length ? node : s)) }
        const target = nodes[k] as MmrNode
        const bad: Array<[string, () => unknown]> = [
          [
            'node hash',
            () => verifyMmrProof(root, n, i, leaf, swap(proof, { ...target, hash: flip(target.hash, at) })),
          ],
          ['node work', () => verifyMmrProof(root, n, i, leaf, swap(proof, { ...target, work: target.work + 1n }))],
          ['leaf', () => verifyMmrProof(root, n, i, mmrLeaf(flip(blockHash(i), at), workAt(i)), proof)],
          ['leaf work', () => verifyMmrProof(root, n, i, mmrLeaf(blockHash(i), workAt(i) + 1n), proof)],
          ['root', () => verifyMmrProof(flip(root, at), n, i, leaf, proof)],
          ['index', () => verifyMmrProof(root, n, (i + 1) % n, leaf, proof)],
          ['size', () => verifyMmrProof(root, n + 1, i, leaf, proof)],
          ['short', () => verifyMmrProof(root, n, i, leaf, { ...proof, siblings: proof.siblings.slice(1) })],
          ['no peaks', () => verifyMmrProof(root, n, i, leaf, { ...proof, peaks: [] })],
          ['out of range', () => verifyMmrProof(root, n, n, leaf, proof)],
        ]
        for (const [what, run] of bad) {
          // a proof of 1 sibling and no other peak can't be shortened and stay distinct, etc.: only skip no-ops
          if (what === 'no peaks' && proof.peaks.length === 0) continue
          if (what === 'short' && proof.siblings.length === 0) continue
          expect(run(), what).toBeNull()
        }
      }),
      { numRuns: 200 },
    )
  })
})
