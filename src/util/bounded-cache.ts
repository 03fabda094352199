/**
 * A bounded map that keeps recently used entries: two generations, the young
 * one filling until it holds half the bound, then becoming the old one (the
 * previous old generation is dropped whole). A hit in the old generation is
 * promoted. Every operation is O(1).
 *
 * (The usual "delete the Map's first key" eviction is not O(1) in V8: deleted
 * slots stay as holes until a rehash, and every `keys().next()` walks them,
 * which made a 200k-entry cache the slowest part of state-root computation.)
 */
export class BoundedCache<K, V> {
  private young = new Map<K, V>()
  private old = new Map<K, V>()
  private readonly generationMax: number

  constructor(sizeMax: number) {
    if (!Number.isInteger(sizeMax) || sizeMax < 0)
      throw new RangeError(`cache size must be an integer >= 0, got ${sizeMax}`)
    this.generationMax = Math.max(1, Math.ceil(sizeMax / 2))
    if (sizeMax === 0) this.set = () => {}
  }

  /** Entries held: at most the bound given to the constructor (rounded up to even). */
  get size(): number {
    return this.young.size + this.old.size
  }

  get(key: K): V | undefined {
    const hit = this.young.get(key)
    if (hit !== undefined || this.young.has(key)) return hit
    if (!this.old.has(key)) return undefined
    const value = this.old.get(key) as V
    this.old.delete(key)
    this.set(key, value)
    return value
  }

  has(key: K): boolean {
    return this.young.has(key) || this.old.has(key)
  }

  set(key: K, value: V): void {
    this.young.set(key, value)
    if (this.young.size >= this.generationMax) {
      this.old = this.young
      this.young = new Map()
    }
  }

  delete(key: K): void {
    this.young.delete(key)
    this.old.delete(key)
  }
}
