/** Timers on a virtual clock, fired in time order (then in the order they were set) when the test moves time. */
import { ManualClock } from '../../../../src/util/clock.js'
import type { Timers } from '../../../../src/util/timers.js'

interface Due {
  readonly atMs: number
  readonly seq: number
  readonly callback: () => void
}

export class ManualTimers implements Timers {
  readonly clock = new ManualClock(0)
  private readonly due = new Map<number, Due>()
  private seq = 0

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.seq
    this.due.set(id, { atMs: this.clock.nowMs() + ms, seq: id, callback })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number)
  }

  get pending(): number {
    return this.due.size
  }

  /** The time of the next timer, if any. */
  nextAtMs(): number | undefined {
    return this.earliest()?.[1].atMs
  }

  /** Fires the earliest timer (moving the clock to its time); false when none is set. */
  fireNext(): boolean {
    const next = this.earliest()
    if (!next) return false
    this.due.delete(next[0])
    this.clock.set(Math.max(this.clock.nowMs(), next[1].atMs))
    next[1].callback()
    return true
  }

  /** Moves time forward by `ms`, firing every timer due by then. */
  advance(ms: number): void {
    const until = this.clock.nowMs() + ms
    for (let at = this.nextAtMs(); at !== undefined && at <= until; at = this.nextAtMs()) this.fireNext()
    this.clock.set(until)
  }

  private earliest(): [number, Due] | undefined {
    let best: [number, Due] | undefined
    for (const entry of this.due) {
      const [, d] = entry
      if (!best || d.atMs < best[1].atMs || (d.atMs === best[1].atMs && d.seq < best[1].seq)) best = entry
    }
    return best
  }
}
