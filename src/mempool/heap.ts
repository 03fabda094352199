/**
 * A binary heap that knows where each item sits, so an item can be removed
 * from the middle in O(log n): the mempool keeps one over every pending tx
 * (eviction order) and one over future txs, and drops txs by id.
 */

/** Where the heap records an item's position (-1 = not in the heap). */
export interface HeapSlot<T> {
  get(item: T): number
  set(item: T, index: number): void
}

const NO_SLOT: HeapSlot<unknown> = { get: () => -1, set: () => {} }

export class IndexedHeap<T> {
  private readonly items: T[] = []
  private readonly slot: HeapSlot<T>

  /** `before(a, b)` is true when `a` must come out before `b`. */
  constructor(
    private readonly before: (a: T, b: T) => boolean,
    slot?: HeapSlot<T>,
  ) {
    this.slot = slot ?? (NO_SLOT as HeapSlot<T>)
  }

  get size(): number {
    return this.items.length
  }

  peek(): T | undefined {
    return this.items[0]
  }

  push(item: T): void {
    this.items.push(item)
    this.place(item, this.items.length - 1)
    this.up(this.items.length - 1)
  }

  pop(): T | undefined {
    const top = this.items[0]
    if (top !== undefined) this.removeAt(0)
    return top
  }

  /** Removes `item` if it is in this heap (needs a slot); returns whether it was. */
  remove(item: T): boolean {
    const i = this.slot.get(item)
    if (i < 0 || this.items[i] !== item) return false
    this.removeAt(i)
    return true
  }

  has(item: T): boolean {
    const i = this.slot.get(item)
    return i >= 0 && this.items[i] === item
  }

  /**
   * The items in heap order without removing them: a best-first walk of the
   * tree, O(k log k) for the first k. The heap must not change while iterating.
   */
  *ordered(): Generator<T, void, undefined> {
    const items = this.items
    if (items.length === 0) return
    const frontier = new IndexedHeap<number>((i, j) => this.before(items[i] as T, items[j] as T))
    frontier.push(0)
    for (let i = frontier.pop(); i !== undefined; i = frontier.pop()) {
      yield items[i] as T
      const left = 2 * i + 1
      if (left < items.length) frontier.push(left)
      if (left + 1 < items.length) frontier.push(left + 1)
    }
  }

  private removeAt(i: number): void {
    const removed = this.items[i] as T
    const last = this.items.pop() as T
    this.slot.set(removed, -1)
    if (i < this.items.length) {
      this.items[i] = last
      this.place(last, i)
      if (!this.up(i)) this.down(i)
    }
  }

  private place(item: T, i: number): void {
    this.items[i] = item
    this.slot.set(item, i)
  }

  /** Moves the item at `i` toward the root; returns whether it moved. */
  private up(i: number): boolean {
    const item = this.items[i] as T
    let at = i
    while (at > 0) {
      const parentAt = (at - 1) >> 1
      const parent = this.items[parentAt] as T
      if (!this.before(item, parent)) break
      this.place(parent, at)
      at = parentAt
    }
    if (at !== i) this.place(item, at)
    return at !== i
  }

  private down(i: number): void {
    const n = this.items.length
    const item = this.items[i] as T
    let at = i
    for (;;) {
      const left = 2 * at + 1
      if (left >= n) break
      const right = left + 1
      const childAt = right < n && this.before(this.items[right] as T, this.items[left] as T) ? right : left
      const child = this.items[childAt] as T
      if (!this.before(child, item)) break
      this.place(child, at)
      at = childAt
    }
    if (at !== i) this.place(item, at)
  }
}
