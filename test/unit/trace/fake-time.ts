/** A clock and timers that move together, only when told to; and an in-memory trace sink. */
import type { TraceEvent } from '../../../src/trace/format.js'
import type { TraceSink } from '../../../src/trace/writer.js'
import { ManualTimers } from '../net/helpers.js'

/** Manual timers and clock, starting at a plausible epoch time. */
export class FakeTime extends ManualTimers {
  constructor(now = 1_700_000_000_000) {
    super(now)
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
