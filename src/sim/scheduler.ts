/**
 * Virtual time for a simulation: a `Clock` and `Timers` over one event queue,
 * and the seeded `Rng` every simulated part draws from, so one seed gives one
 * exact run.
 *
 * Time is a whole number of milliseconds. `run()` first waits for one
 * `setImmediate`, so work its caller started can schedule its events; then it
 * takes the earliest instant in the queue, runs every event due then (in the order they were scheduled),
 * and then waits for one `setImmediate` before it moves on: every promise
 * continuation those events started (and those continuations started, and so
 * on: the microtask queue drains completely before any macrotask) runs while
 * the clock still reads that instant. Work that leaves the process (real I/O,
 * worker threads, real timers) is outside the model and is not waited for.
 * An instant whose events were all the simulator's own synchronous machinery
 * (`atSync`: duplicate gossip, IHAVE/IWANT, heartbeats) started no promise
 * work, so it skips that wait: most instants of a large run are such, and
 * each wait is a turn of Node's event loop.
 */
import type { Clock } from '../util/clock.js'
import { type Rng, seededRng } from '../util/rng.js'
import type { Timers } from '../util/timers.js'
import { EventQueue, SimEvent } from './event-queue.js'

export { SimEvent } from './event-queue.js'

/** Default start of virtual time (2023-11-14T22:13:20Z), so timestamps look real. */
export const SIM_START_MS = 1_700_000_000_000

export interface SchedulerInit {
  /** Seed of `rng` (default 1). */
  seed?: number
  /** Virtual time at creation, in ms since the epoch (default SIM_START_MS). */
  startMs?: number
}

export interface RunOptions {
  /** Runs events due at or before this time; then the clock reads `untilMs` (rounded down), even if nothing was due. */
  untilMs?: number
  /** Checked before the first instant (once what the caller started has settled) and after each settled instant. */
  until?: () => boolean
  /** Runs at most this many events in this call. */
  eventsMax?: number
}

/** Why a run stopped: no events left, the next one is after `untilMs`, `until()` held, or `eventsMax` was reached. */
export type RunStop = 'idle' | 'untilMs' | 'until' | 'eventsMax'

export interface RunResult {
  stop: RunStop
  /** Events run by this call. */
  events: number
  nowMs: number
}

const settle = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve))

export class SimScheduler implements Clock, Timers {
  readonly rng: Rng
  readonly seed: number
  readonly startMs: number
  /** Events run since creation, over all runs. */
  eventsRun = 0
  private timeMs: number
  private readonly queue = new EventQueue()
  private readonly errors: unknown[] = []
  private running = false
  /** Set when an event of this instant may have started promise work: the instant must settle. */
  private settleNeeded = false

  constructor(init: SchedulerInit = {}) {
    this.seed = init.seed ?? 1
    this.startMs = init.startMs ?? SIM_START_MS
    if (!Number.isSafeInteger(this.startMs)) throw new RangeError(`startMs must be an integer: ${this.startMs}`)
    this.timeMs = this.startMs
    this.rng = seededRng(this.seed)
  }

  nowMs(): number {
    return this.timeMs
  }

  /** Virtual ms since the start. */
  elapsedMs(): number {
    return this.timeMs - this.startMs
  }

  /** Events waiting (cancelled ones excluded). */
  get pendingCount(): number {
    return this.queue.size
  }

  /** When the next event is due, or undefined when none is. */
  nextEventMs(): number | undefined {
    return this.queue.peekTimeMs()
  }

  /**
   * Like Node's: the delay is rounded up to a whole ms and is at least 1 ms
   * (so a zero-delay polling loop still lets time pass). The handle is a SimEvent.
   */
  setTimeout(callback: () => void, ms: number): SimEvent {
    const delayMs = ms >= 1 ? Math.ceil(ms) : 1
    return this.at(this.timeMs + delayMs, callback as (arg: undefined) => void, undefined)
  }

  clearTimeout(handle: unknown): void {
    if (handle instanceof SimEvent) this.queue.cancel(handle)
  }

  /**
   * Schedules `fn(arg)` at `timeMs` (rounded up to a whole ms, never before
   * now): the fabric's way to schedule without allocating a closure per event.
   */
  at<A>(timeMs: number, fn: (arg: A) => void, arg: A): SimEvent {
    const t = timeMs > this.timeMs ? Math.ceil(timeMs) : this.timeMs
    const event = new SimEvent(t, fn as (arg: unknown) => void, arg)
    this.queue.push(event)
    return event
  }

  /**
   * Like `at`, for the simulator's own machinery: `fn` starts no promise work
   * (it calls no node code) unless it says so with `startedAsyncWork()`.
   */
  atSync<A>(timeMs: number, fn: (arg: A) => void, arg: A): SimEvent {
    const t = timeMs > this.timeMs ? Math.ceil(timeMs) : this.timeMs
    const event = new SimEvent(t, fn as (arg: unknown) => void, arg, true)
    this.queue.push(event)
    return event
  }

  /** An `atSync` event handed work to node code (a validator, a handler, a promise): its instant must settle. */
  startedAsyncWork(): void {
    this.settleNeeded = true
  }

  /**
   * Runs events in (time, insertion) order until the queue is empty (the
   * clock then moves on to `untilMs`, if given), the next event is after
   * `untilMs`, `until()` is true or `eventsMax` events ran.
   * A callback that throws does not stop the others of its instant; after
   * that instant settles, run() rejects with the error (an AggregateError if
   * several threw), so a simulation bug fails the test that ran it.
   */
  async run(opts: RunOptions = {}): Promise<RunResult> {
    if (this.running) throw new Error('SimScheduler.run() is already running')
    this.running = true
    const untilMs = opts.untilMs ?? Number.POSITIVE_INFINITY
    const eventsMax = opts.eventsMax ?? Number.POSITIVE_INFINITY
    const until = opts.until
    let events = 0
    let stop: RunStop = 'idle'
    try {
      // first, whatever the caller started gets to schedule its events
      await settle()
      if (this.errors.length > 0) throw this.takeErrors()
      if (until?.()) return { stop: 'until', events, nowMs: this.timeMs }
      for (;;) {
        const instantMs = this.queue.peekTimeMs()
        if (instantMs === undefined) {
          if (untilMs > this.timeMs && untilMs !== Number.POSITIVE_INFINITY) this.timeMs = Math.floor(untilMs)
          stop = 'idle'
          break
        }
        if (instantMs > untilMs) {
          if (untilMs > this.timeMs) this.timeMs = Math.floor(untilMs)
          stop = 'untilMs'
          break
        }
        if (events >= eventsMax) {
          stop = 'eventsMax'
          break
        }
        this.timeMs = instantMs
        while (events < eventsMax) {
          const event = this.queue.shift(instantMs)
          if (event === undefined) break
          const fn = event.fn as (arg: unknown) => void
          event.fn = null
          if (!event.sync) this.settleNeeded = true
          events++
          this.eventsRun++
          try {
            fn(event.arg)
          } catch (err) {
            this.errors.push(err)
          }
        }
        if (this.settleNeeded) {
          this.settleNeeded = false
          await settle()
        }
        if (this.errors.length > 0) throw this.takeErrors()
        if (until?.()) {
          stop = 'until'
          break
        }
      }
    } finally {
      this.running = false
    }
    return { stop, events, nowMs: this.timeMs }
  }

  private takeErrors(): unknown {
    const errors = this.errors.splice(0)
    if (errors.length === 1) return errors[0]
    return new AggregateError(errors, `${errors.length} simulated callbacks threw at ${this.timeMs}`)
  }
}
