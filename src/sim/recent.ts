/**
 * Bounded, time-limited caches keyed by message id, for the gossip router:
 * entries leave in insertion order once older than `ttlMs` or beyond `max`.
 * Insertion order is time order (virtual time never goes back), so the
 * oldest entry is always the first.
 */

export class RecentIds {
  private readonly atMs = new Map<string, number>()

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  get size(): number {
    return this.atMs.size
  }

  has(id: string, nowMs: number): boolean {
    const at = this.atMs.get(id)
    return at !== undefined && nowMs - at <= this.ttlMs
  }

  add(id: string, nowMs: number): void {
    this.atMs.delete(id)
    this.atMs.set(id, nowMs)
    this.evict(nowMs)
  }

  delete(id: string): void {
    this.atMs.delete(id)
  }

  private evict(nowMs: number): void {
    for (const [id, at] of this.atMs) {
      if (this.atMs.size <= this.max && nowMs - at <= this.ttlMs) return
      this.atMs.delete(id)
    }
  }
}

export class RecentMap<V> {
  private readonly entries = new Map<string, { atMs: number; value: V }>()

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  get size(): number {
    return this.entries.size
  }

  get(id: string, nowMs: number): V | undefined {
    const entry = this.entries.get(id)
    return entry !== undefined && nowMs - entry.atMs <= this.ttlMs ? entry.value : undefined
  }

  set(id: string, value: V, nowMs: number): void {
    this.entries.delete(id)
    this.entries.set(id, { atMs: nowMs, value })
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.max && nowMs - entry.atMs <= this.ttlMs) return
      this.entries.delete(key)
    }
  }
}
