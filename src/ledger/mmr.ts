/**
 * A Merkle Mountain Range over block hashes, each node carrying the work of
 * its subtree (FlyClient's "difficulty MMR", Bünz et al. 2019): the header
 * commitment of header version 2 (docs/PROTOCOL.md, "Header commitment").
 *
 * Leaves are appended left to right; the MMR of n leaves is the list of
 * perfect binary trees ("peaks") given by the bits of n, largest (oldest)
 * first. With W(x) the 32-byte big-endian encoding of a work x:
 *
 *   leaf(h, w)  = SHA-256(0x00 ‖ h ‖ W(w)),                     work w
 *   node(L, R)  = SHA-256(0x01 ‖ L.hash ‖ R.hash ‖ W(L.work + R.work)), work L.work + R.work
 *   root(n)     = SHA-256(0x02 ‖ u64be(n) ‖ P1.hash ‖ W(P1.work) ‖ … ‖ Pk.hash ‖ W(Pk.work))
 *
 * for peaks P1 … Pk (k = popcount(n)); the root of no leaves is
 * SHA-256(0x02 ‖ u64be(0)). The root commits to the leaf count (so a proof
 * fixes a leaf's position) and to the work under every node, so a proof of a
 * leaf also proves the work of all leaves before it: what lets a light
 * client sample blocks by cumulative work rather than by height.
 *
 * `MmrPeaks` is the compact state (O(log n) nodes) from which the next root
 * follows; `MmrTree` keeps every node, for proofs.
 */
import { bigintToBytes, bytesToBigint, equalBytes, readU64be, u64be } from '../util/bytes.js'
import { sha256 } from './crypto.js'

const LEAF = new Uint8Array([0])
const NODE = new Uint8Array([1])
const ROOT = new Uint8Array([2])

/** Bytes of a work in the hashes and encodings (work below 2^256). */
export const MMR_WORK_BYTES = 32
const NODE_BYTES = 32 + MMR_WORK_BYTES

export interface MmrNode {
  readonly hash: Uint8Array
  readonly work: bigint
}

/** The peaks of an MMR of `size` leaves, left to right. */
export interface MmrPeaks {
  readonly size: number
  readonly peaks: readonly MmrNode[]
}

export const EMPTY_MMR: MmrPeaks = Object.freeze({ size: 0, peaks: Object.freeze([]) as readonly MmrNode[] })

const work32 = (work: bigint): Uint8Array => bigintToBytes(work, MMR_WORK_BYTES)

export function mmrLeaf(blockHash: Uint8Array, work: bigint): MmrNode {
  if (blockHash.byteLength !== 32) throw new RangeError(`an MMR leaf is a 32-byte hash, got ${blockHash.byteLength}`)
  return { hash: sha256(LEAF, blockHash, work32(work)), work }
}

export function mmrNode(left: MmrNode, right: MmrNode): MmrNode {
  const work = left.work + right.work
  return { hash: sha256(NODE, left.hash, right.hash, work32(work)), work }
}

/** Number of peaks (set bits) of an MMR of `size` leaves. */
function peakCount(size: number): number {
  let count = 0
  for (let n = size; n > 0; n = Math.floor(n / 2)) count += n % 2
  return count
}

/** Heights of the peaks of an MMR of `size` leaves, left to right (largest first). */
function peakHeights(size: number): number[] {
  const heights: number[] = []
  for (let h = 52; h >= 0; h--) if (Math.floor(size / 2 ** h) % 2 === 1) heights.push(h)
  return heights
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`MMR size ${size} is not a count`)
}

/** The peaks after appending a leaf: the new leaf merges with equal-height peaks on the right. */
export function mmrAppend(state: MmrPeaks, blockHash: Uint8Array, work: bigint): MmrPeaks {
  const peaks = state.peaks.slice()
  let node = mmrLeaf(blockHash, work)
  // the trailing 1-bits of size are the peaks the new leaf merges with
  for (let n = state.size; n % 2 === 1; n = (n - 1) / 2) node = mmrNode(peaks.pop() as MmrNode, node)
  peaks.push(node)
  return { size: state.size + 1, peaks }
}

/** Bags the peaks: the root committed in a version 2 header. */
export function mmrRoot(state: MmrPeaks): Uint8Array {
  if (state.peaks.length !== peakCount(state.size)) throw new RangeError('MMR peaks do not match its size')
  const parts: Uint8Array[] = [ROOT, u64be(state.size)]
  for (const p of state.peaks) parts.push(p.hash, work32(p.work))
  return sha256(...parts)
}

/** Total work of all leaves. */
export function mmrTotalWork(state: MmrPeaks): bigint {
  let total = 0n
  for (const p of state.peaks) total += p.work
  return total
}

/** The state as bytes: u64be(size) ‖ (hash ‖ W(work)) per peak, left to right. */
export function encodeMmrPeaks(state: MmrPeaks): Uint8Array {
  const out = new Uint8Array(8 + NODE_BYTES * state.peaks.length)
  out.set(u64be(state.size), 0)
  state.peaks.forEach((p, i) => {
    out.set(p.hash, 8 + i * NODE_BYTES)
    out.set(work32(p.work), 8 + i * NODE_BYTES + 32)
  })
  return out
}

/** Reads encodeMmrPeaks' bytes; throws RangeError on any other length. */
export function decodeMmrPeaks(bytes: Uint8Array): MmrPeaks {
  if (bytes.byteLength < 8) throw new RangeError('MMR peaks: cut short')
  const size = Number(readU64be(bytes, 0))
  checkSize(size)
  const count = peakCount(size)
  if (bytes.byteLength !== 8 + NODE_BYTES * count) throw new RangeError(`MMR peaks: ${bytes.byteLength} bytes`)
  const peaks: MmrNode[] = []
  for (let i = 0; i < count; i++) {
    const at = 8 + i * NODE_BYTES
    peaks.push({ hash: bytes.slice(at, at + 32), work: bytesToBigint(bytes.subarray(at + 32, at + NODE_BYTES)) })
  }
  return { size, peaks }
}

/** An inclusion proof of one leaf: its siblings from the leaf up to its peak, then the other peaks left to right. */
export interface MmrProof {
  readonly siblings: readonly MmrNode[]
  readonly peaks: readonly MmrNode[]
}

/** Bytes a proof takes on the wire: a hash and a work per node. */
export function mmrProofBytes(proof: MmrProof): number {
  return (proof.siblings.length + proof.peaks.length) * NODE_BYTES
}

/** What a verified proof shows besides inclusion: the work of the leaves before it and of all leaves. */
export interface MmrProven {
  /** Sum of the work of leaves 0 … index − 1. */
  workBefore: bigint
  totalWork: bigint
}

/**
 * Checks that `leaf` (mmrLeaf of the block hash and its work) is leaf `index`
 * of the MMR of `size` leaves with `root`. Returns the work before the leaf
 * and the total work the root commits to, or null when the proof fails.
 */
export function verifyMmrProof(
  root: Uint8Array,
  size: number,
  index: number,
  leaf: MmrNode,
  proof: MmrProof,
): MmrProven | null {
  if (!Number.isSafeInteger(size) || !Number.isSafeInteger(index) || index < 0 || index >= size) return null
  const heights = peakHeights(size)
  if (proof.peaks.length !== heights.length - 1) return null
  // find the peak holding the leaf
  let start = 0
  let slot = 0
  while (index >= start + 2 ** (heights[slot] as number)) start += 2 ** (heights[slot++] as number)
  const height = heights[slot] as number
  if (proof.siblings.length !== height) return null
  let node = leaf
  let workBefore = 0n
  let offset = index - start
  for (const sibling of proof.siblings) {
    if (offset % 2 === 1) {
      workBefore += sibling.work
      node = mmrNode(sibling, node)
    } else node = mmrNode(node, sibling)
    offset = Math.floor(offset / 2)
  }
  const peaks = [...proof.peaks.slice(0, slot), node, ...proof.peaks.slice(slot)]
  for (let i = 0; i < slot; i++) workBefore += (peaks[i] as MmrNode).work
  const got = mmrRoot({ size, peaks })
  if (!equalBytes(got, root)) return null
  return { workBefore, totalWork: mmrTotalWork({ size, peaks }) }
}

/**
 * Every node of an MMR, by level: `levels[k][j]` is the node over leaves
 * j·2^k … (j+1)·2^k − 1. Proofs and roots for any size up to the leaves held
 * (the MMR of the first m leaves is made of the same nodes).
 */
export class MmrTree {
  private readonly levels: MmrNode[][] = [[]]

  get size(): number {
    return (this.levels[0] as MmrNode[]).length
  }

  append(blockHash: Uint8Array, work: bigint): void {
    let node = mmrLeaf(blockHash, work)
    for (let k = 0; ; k++) {
      const level = this.levels[k] ?? []
      this.levels[k] = level
      level.push(node)
      if (level.length % 2 === 1) return
      node = mmrNode(level[level.length - 2] as MmrNode, node)
    }
  }

  leaf(index: number): MmrNode {
    const leaf = this.levels[0]?.[index]
    if (!leaf) throw new RangeError(`no MMR leaf ${index}`)
    return leaf
  }

  /** The peaks of the MMR of the first `size` leaves. */
  peaks(size: number = this.size): MmrPeaks {
    this.checkHeld(size)
    const peaks: MmrNode[] = []
    let start = 0
    for (const h of peakHeights(size)) {
      peaks.push(this.levels[h]?.[start / 2 ** h] as MmrNode)
      start += 2 ** h
    }
    return { size, peaks }
  }

  root(size: number = this.size): Uint8Array {
    return mmrRoot(this.peaks(size))
  }

  /** The proof of leaf `index` in the MMR of the first `size` leaves. */
  prove(index: number, size: number = this.size): MmrProof {
    this.checkHeld(size)
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError(`leaf ${index} of ${size}`)
    const heights = peakHeights(size)
    let start = 0
    let slot = 0
    while (index >= start + 2 ** (heights[slot] as number)) start += 2 ** (heights[slot++] as number)
    const siblings: MmrNode[] = []
    for (let k = 0; k < (heights[slot] as number); k++) {
      const at = Math.floor(index / 2 ** k)
      siblings.push(this.levels[k]?.[at % 2 === 0 ? at + 1 : at - 1] as MmrNode)
    }
    const all = this.peaks(size).peaks
    return { siblings, peaks: [...all.slice(0, slot), ...all.slice(slot + 1)] }
  }

  private checkHeld(size: number): void {
    checkSize(size)
    if (size > this.size) throw new RangeError(`MMR of ${size} leaves: only ${this.size} held`)
  }
}
