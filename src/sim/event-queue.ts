/**
 * The scheduler's event queue, ordered by (time, insertion). Time is whole
 * ms and many events share an instant, so events are kept in one FIFO bucket
 * per instant (insertion order is the order within an instant) and only the
 * distinct instants go in a binary min-heap of plain numbers: scheduling into
 * an existing instant is a Map lookup and an array push, and the heap stays
 * small and cache-friendly. Cancelled events stay in their bucket (lazy
 * deletion) and are skipped, until they outnumber the live ones and the
 * queue is compacted.
 */

/** One scheduled callback; it is also the handle `SimScheduler.setTimeout` returns. */
export class SimEvent {
  /** Set to null once the event has run or was cancelled. */
  fn: ((arg: unknown) => void) | null

  constructor(
    readonly timeMs: number,
    fn: (arg: unknown) => void,
    readonly arg: unknown,
    /** The simulator's own machinery, which says when it starts promise work (SimScheduler.atSync). */
    readonly sync = false,
  ) {
    this.fn = fn
  }
}

interface Bucket {
  events: SimEvent[]
  /** Index of the next event to hand out. */
  next: number
}

/** Compaction starts only past this many cancelled entries (and when they are the majority). */
const COMPACT_CANCELLED_MIN = 1024

export class EventQueue {
  private readonly buckets = new Map<number, Bucket>()
  /** Distinct instants with a bucket, as a binary min-heap. */
  private readonly times: number[] = []
  private total = 0
  private cancelled = 0

  /** Live (not cancelled, not yet run) events. */
  get size(): number {
    return this.total - this.cancelled
  }

  push(event: SimEvent): void {
    const bucket = this.buckets.get(event.timeMs)
    if (bucket === undefined) {
      this.buckets.set(event.timeMs, { events: [event], next: 0 })
      this.heapPush(event.timeMs)
    } else {
      bucket.events.push(event)
    }
    this.total++
  }

  /** The earliest instant that holds a live event. */
  peekTimeMs(): number | undefined {
    for (;;) {
      const timeMs = this.times[0]
      if (timeMs === undefined) return undefined
      const bucket = this.buckets.get(timeMs) as Bucket
      const { events } = bucket
      while (bucket.next < events.length && (events[bucket.next] as SimEvent).fn === null) {
        bucket.next++
        this.total--
        this.cancelled--
      }
      if (bucket.next < events.length) return timeMs
      this.dropHead(timeMs)
    }
  }

  /**
   * Removes and returns the next live event due at `timeMs` (the instant
   * peekTimeMs returned), or undefined when that instant has none left.
   * Events added to the instant meanwhile are included.
   */
  shift(timeMs: number): SimEvent | undefined {
    const bucket = this.buckets.get(timeMs)
    if (bucket === undefined) return undefined
    const { events } = bucket
    while (bucket.next < events.length) {
      const event = events[bucket.next++] as SimEvent
      this.total--
      if (event.fn !== null) return event
      this.cancelled--
    }
    if (this.times[0] === timeMs) this.dropHead(timeMs)
    return undefined
  }

  /** Marks a pending event cancelled; false if it already ran or was cancelled. */
  cancel(event: SimEvent): boolean {
    if (event.fn === null) return false
    event.fn = null
    this.cancelled++
    if (this.cancelled >= COMPACT_CANCELLED_MIN && this.cancelled * 2 > this.total) this.compact()
    return true
  }

  private dropHead(timeMs: number): void {
    this.buckets.delete(timeMs)
    this.heapPop()
  }

  private compact(): void {
    this.times.length = 0
    for (const [timeMs, bucket] of this.buckets) {
      const live = bucket.events.slice(bucket.next).filter((e) => e.fn !== null)
      if (live.length === 0) {
        this.buckets.delete(timeMs)
        continue
      }
      bucket.events = live
      bucket.next = 0
      this.heapPush(timeMs)
    }
    this.total -= this.cancelled
    this.cancelled = 0
  }

  private heapPush(timeMs: number): void {
    const heap = this.times
    let i = heap.length
    heap.push(timeMs)
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent] as number
      if (p <= timeMs) break
      heap[i] = p
      i = parent
    }
    heap[i] = timeMs
  }

  private heapPop(): void {
    const heap = this.times
    const last = heap.pop() as number
    const n = heap.length
    if (n === 0) return
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= n) break
      const right = left + 1
      let child = left
      if (right < n && (heap[right] as number) < (heap[left] as number)) child = right
      const c = heap[child] as number
      if (c >= last) break
      heap[i] = c
      i = child
    }
    heap[i] = last
  }
}
