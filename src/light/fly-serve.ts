/**
 * The light protocol's FlyProofRequest on a full node: the FlyClient proof
 * (flyclient.ts) of its main chain's work at its head, built from the chain's
 * header index, never from bodies.
 *
 * Sample points are found by binary search over the main chain's cumulative
 * work (each index entry's `totalWork`), so a proof reads O(k log n) entries.
 * The inclusion proofs need the MMR's inner nodes, which the chain does not
 * store (it keeps only each block's peaks, chain/mmr-store.ts): they come from
 * an MmrTree of the main chain's block hashes kept here, built on the first
 * request and then extended by the blocks added since (a request at the same
 * head costs nothing: the encoded proof is cached per head and sample count).
 * When the tree's last block has left the main chain (a reorganisation), the
 * tree is built again from the genesis. Everything here is synchronous, so the
 * head cannot move while a proof is built.
 *
 * A chain of version 1 headers, or one holding only its genesis, has no proof:
 * the answer is empty.
 */
import type { HeaderEntry, HeaderIndex } from '../chain/header-index.js'
import { BLOCK_VERSION_MMR } from '../ledger/block.js'
import { MmrTree } from '../ledger/mmr.js'
import { encodeFlyProofResponse } from './codec.js'
import { type FlyProof, type FlySample, samplePoints } from './flyclient.js'

/** The part of Chain a proof is built from (handler.ts's LightSource has it). */
export interface FlySource {
  readonly head: HeaderEntry
  readonly index: Pick<HeaderIndex, 'mainAt'>
}

/** Encoded proofs kept, by head and sample count (clients ask for the default count). */
const CACHED_PROOFS = 4

export class FlyServer {
  private tree = new MmrTree()
  /** Id of the tree's last leaf: while it is on the main chain, so is every leaf below it. */
  private lastLeafId: string | undefined
  private readonly cache = new Map<string, Uint8Array>()

  constructor(private readonly chain: FlySource) {}

  /** The encoded FlyProofResponse for our head and `samples` points. */
  answer(samples: number): Uint8Array {
    const head = this.chain.head
    const key = `${head.id}:${samples}`
    const cached = this.cache.get(key)
    if (cached) return cached
    const bytes = encodeFlyProofResponse(this.prove(samples))
    this.cache.set(key, bytes)
    if (this.cache.size > CACHED_PROOFS) this.cache.delete(this.cache.keys().next().value as string)
    return bytes
  }

  /** The proof of our main chain at its head, or undefined when there is none. */
  prove(samples: number): FlyProof | undefined {
    const head = this.chain.head
    const n = head.height
    if (n === 0 || head.header.fields.version !== BLOCK_VERSION_MMR) return undefined
    this.extendTo(n)
    const mainAt = (height: number): HeaderEntry => {
      const entry = this.chain.index.mainAt(height)
      if (!entry) throw new Error(`no main-chain header at ${height} below the head at ${n}`)
      return entry
    }
    /** Work of blocks 0 … i − 1. */
    const before = (i: number): bigint => (i === 0 ? 0n : mainAt(i - 1).totalWork)
    const mmrWork = before(n)
    const wanted = new Set<number>([0])
    for (const x of samplePoints(head.header.hash, mmrWork, n, samples)) {
      // the last block i with before(i) <= x
      let lo = 0
      let hi = n - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1
        if (before(mid) <= x) lo = mid
        else hi = mid - 1
      }
      wanted.add(lo)
    }
    const proven: FlySample[] = [...wanted]
      .sort((a, b) => a - b)
      .map((i) => ({ header: mainAt(i).header, proof: this.tree.prove(i, n) }))
    return { tip: head.header, mmrWork, samples: proven }
  }

  /** Makes the tree hold main-chain blocks 0 … n − 1 at least. */
  private extendTo(n: number): void {
    const last = this.lastLeafId
    if (last !== undefined && this.chain.index.mainAt(this.tree.size - 1)?.id !== last) {
      this.tree = new MmrTree()
      this.lastLeafId = undefined
    }
    let parent = this.tree.size === 0 ? undefined : this.chain.index.mainAt(this.tree.size - 1)
    for (let i = this.tree.size; i < n; i++) {
      const entry = this.chain.index.mainAt(i)
      if (!entry) throw new Error(`no main-chain header at ${i}`)
      this.tree.append(entry.header.hash, entry.totalWork - (parent?.totalWork ?? 0n))
      this.lastLeafId = entry.id
      parent = entry
    }
  }
}
