/** A clock and timers that move together, only when told to; and an in-memory trace sink. */
import type { TraceEvent } from '../../../src/trace/format.js'
import type { TraceSink } from '../../../src/trace/writer.js'
import type { Clock } from '../../../src/util/clock.js'
import type { Timers } from '../../../src/util/timers.js'

export class FakeTime implements Clock, Timers {
  private nextId = 1
  private readonly due = new Map<number, { atMs: number; callback: () => void }>()

  constructor(private now = 1_700_000_000_000) {}

  nowMs(): number {
    return this.now
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++
    this.due.set(id, { atMs: this.now + ms, callback })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number)
  }

  get pending(): number {
    return this.due.size
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const until = this.now + ms
    for (;;) {
      const next = [...this.due].sort((a, b) => a[1].atMs - b[1].atMs)[0]
      if (next === undefined || next[1].atMs > until) break
      this.due.delete(next[0])
      this.now = next[1].atMs
      next[1].callback()
    }
    this.now = until
  }
}

/** Records every append; `hold()` makes appends wait until `release()` (a slow disk), `fail()` makes the next one fail. */
export class MemorySink implements TraceSink {
  readonly writes: string[] = []
  closed = false
  private held: Array<() => void> | undefined
  private failNext = false

  append(text: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('append after close'))
    if (this.failNext) {
      this.failNext = false
      return Promise.reject(new Error('disk full'))
    }
    if (this.held === undefined) {
      this.writes.push(text)
      return Promise.resolve()
    }
    const held = this.held
    return new Promise((resolve) => {
      held.push(() => {
        this.writes.push(text)
        resolve()
      })
    })
  }

  async close(): Promise<void> {
    this.closed = true
  }

  hold(): void {
    this.held = []
  }

  release(): void {
    const held = this.held ?? []
    this.held = undefined
    for (const done of held) done()
  }

  fail(): void {
    this.failNext = true
  }

  events(): TraceEvent[] {
    return this.writes
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as TraceEvent)
  }
}

/** Lets pending promise callbacks run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
