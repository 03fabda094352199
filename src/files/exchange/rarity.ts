/**
 * The wanted blocks nobody is asked for yet, indexed by how many providers
 * hold them (their rarity), for rarest-first picks: a block is in the bucket
 * of its holder count while it waits to be asked and some provider holds it,
 * in no bucket otherwise. Buckets keep insertion order, so among equally
 * rare blocks the earliest known come first.
 */
import type { PeerIdString } from '../../net/network.js'
import type { Rng } from '../../util/rng.js'

/** What the index reads of a wanted block. */
export interface Rarity {
  /** Providers whose have-list holds the block. */
  readonly holders: ReadonlySet<PeerIdString>
  /** Requests in flight for it. */
  readonly requests: ReadonlySet<unknown>
  /** Its bucket (the index's own field): holders.size, or -1 when not waiting. */
  bucket: number
}

export class RarityIndex<W extends Rarity> {
  private readonly buckets = new Map<number, Set<W>>()

  /** No block waits to be asked. */
  get empty(): boolean {
    for (const set of this.buckets.values()) if (set.size > 0) return false
    return true
  }

  /** Puts a block in the bucket its holders and requests call for (or in none). */
  update(want: W): void {
    const bucket = want.requests.size === 0 && want.holders.size > 0 ? want.holders.size : -1
    if (bucket === want.bucket) return
    this.remove(want)
    if (bucket < 0) return
    let set = this.buckets.get(bucket)
    if (!set) {
      set = new Set()
      this.buckets.set(bucket, set)
    }
    set.add(want)
    want.bucket = bucket
  }

  remove(want: W): void {
    if (want.bucket < 0) return
    const set = this.buckets.get(want.bucket)
    set?.delete(want)
    if (set?.size === 0) this.buckets.delete(want.bucket)
    want.bucket = -1
  }

  /** One of the `choice` rarest waiting blocks `peer` holds, at random; undefined when it holds none. */
  pick(peer: PeerIdString, choice: number, rng: Rng): W | undefined {
    const candidates: W[] = []
    const counts = [...this.buckets.keys()].sort((a, b) => a - b)
    for (const count of counts) {
      for (const want of this.buckets.get(count) ?? []) {
        if (!want.holders.has(peer)) continue
        candidates.push(want)
        if (candidates.length >= choice) break
      }
      if (candidates.length >= choice) break
    }
    if (candidates.length === 0) return undefined
    return candidates[rng.int(candidates.length)]
  }
}
