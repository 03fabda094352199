/** Virtual time for the fuzzer: timers over the simulator's event queue, run synchronously. */
import type { Timers } from '../../util/timers.js'
import { EventQueue, SimEvent } from '../event-queue.js'

/** Timers over the simulator's event queue, run synchronously. */
export class VirtualTimers implements Timers {
  nowMs = 0
  events = 0
  private readonly queue = new EventQueue()

  setTimeout(callback: () => void, ms: number): SimEvent {
    return this.at(this.nowMs + (ms >= 1 ? Math.ceil(ms) : 1), callback as (arg: unknown) => void, undefined)
  }

  clearTimeout(handle: unknown): void {
    if (handle instanceof SimEvent) this.queue.cancel(handle)
  }

  at<A>(timeMs: number, fn: (arg: A) => void, arg: A): SimEvent {
    const event = new SimEvent(Math.max(this.nowMs, Math.ceil(timeMs)), fn as (arg: unknown) => void, arg)
    this.queue.push(event)
    return event
  }

  /** Runs events in time order until `done()`, nothing is left, the next is after `untilMs`, or `eventsMax` ran. */
  run(untilMs: number, eventsMax: number, done: () => boolean): 'done' | 'idle' | 'untilMs' | 'eventsMax' {
    for (;;) {
      if (done()) return 'done'
      const at = this.queue.peekTimeMs()
      if (at === undefined) return 'idle'
      if (at > untilMs) {
        this.nowMs = untilMs
        return 'untilMs'
      }
      this.nowMs = at
      for (;;) {
        const event = this.queue.shift(at)
        if (event === undefined) break
        if (this.events++ >= eventsMax) return 'eventsMax'
        const fn = event.fn as (arg: unknown) => void
        event.fn = null
        fn(event.arg)
      }
    }
  }
}
