/**
 * Consensus messages for heights we have not started yet: a validator a
 * little behind (still importing the last block) keeps the votes and
 * proposals of the next heights and hands them to the round machine when it
 * starts that height. Bounded: only `heightsAhead` heights, at most
 * `perHeightMax` messages each; the rest are dropped (they are gossiped
 * again by others, or the height is reached through sync).
 */
export class FutureMessages<M> {
  private readonly byHeight = new Map<bigint, M[]>()

  constructor(
    readonly heightsAhead: number,
    private readonly perHeightMax: number,
  ) {}

  /** Whether a message of `height` would be kept while `current` is being decided. */
  accepts(height: bigint, current: bigint): boolean {
    return height > current && height <= current + BigInt(this.heightsAhead)
  }

  /** Keeps `msg` for `height`; false when that height's share is full or out of the window. */
  add(height: bigint, current: bigint, msg: M): boolean {
    if (!this.accepts(height, current)) return false
    let list = this.byHeight.get(height)
    if (!list) {
      list = []
      this.byHeight.set(height, list)
    }
    if (list.length >= this.perHeightMax) return false
    list.push(msg)
    return true
  }

  /** The messages of `height`, removed; every lower height is forgotten. */
  take(height: bigint): M[] {
    const out = this.byHeight.get(height) ?? []
    for (const h of [...this.byHeight.keys()]) if (h <= height) this.byHeight.delete(h)
    return out
  }

  get size(): number {
    let n = 0
    for (const list of this.byHeight.values()) n += list.length
    return n
  }
}
