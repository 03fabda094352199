/**
 * The lab link shaper's moving part: a connection's outgoing chunks wait in a
 * LinkQueue (link-schedule.ts) and are handed to the real connection in
 * order at their release times. `ShapedSender` is the timer loop over any
 * byte sink (the shaper-error measurement drives it over a raw socket);
 * `shapeConnection` puts it under a libp2p MultiaddrConnection's `send`,
 * `close` and `abort`.
 */
import type { MultiaddrConnection } from '@libp2p/interface'
import type { Timers } from '../util/timers.js'
import { type LinkQueue, LinkQueueOverflowError } from './link-schedule.js'

/** Bytes queued on a connection above which `send` asks its caller to wait for `drain`. */
export const SHAPED_HIGH_WATER_BYTES = 4 * 1024 * 1024
/** `close()` waits at most this long for the queued bytes to go out, then drops them. */
export const SHAPED_CLOSE_FLUSH_MS_MAX = 5_000

export interface ShapedSenderDeps<T> {
  queue: LinkQueue<T>
  /** Hands a released chunk to the real connection. */
  deliver(chunk: T): void
  nowMs(): number
  timers: Timers
  /** The queue fell back below SHAPED_HIGH_WATER_BYTES after `send` returned false. */
  onDrain?(): void
}

export class ShapedSender<T> {
  private timer: unknown
  private timerAtMs = Number.POSITIVE_INFINITY
  private needsDrain = false
  private idleWaiters: Array<() => void> = []

  constructor(private readonly deps: ShapedSenderDeps<T>) {}

  get queuedBytes(): number {
    return this.deps.queue.queuedBytes
  }

  /**
   * Queues `chunk`; false once more than SHAPED_HIGH_WATER_BYTES wait (the
   * chunk is queued all the same). Throws LinkQueueOverflowError past the
   * queue's bound.
   */
  send(chunk: T, bytes: number): boolean {
    this.deps.queue.push(this.deps.nowMs(), chunk, bytes)
    this.arm()
    if (this.deps.queue.queuedBytes < SHAPED_HIGH_WATER_BYTES) return true
    this.needsDrain = true
    return false
  }

  /** Resolves once nothing is queued. */
  idle(): Promise<void> {
    if (this.deps.queue.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Drops everything queued and stops the timer. */
  drop(): void {
    this.deps.queue.clear()
    this.disarm()
    this.wakeIdle()
  }

  private readonly release = (): void => {
    this.timer = undefined
    this.timerAtMs = Number.POSITIVE_INFINITY
    for (const chunk of this.deps.queue.takeDue(this.deps.nowMs())) this.deps.deliver(chunk)
    if (this.needsDrain && this.deps.queue.queuedBytes < SHAPED_HIGH_WATER_BYTES) {
      this.needsDrain = false
      this.deps.onDrain?.()
    }
    if (this.deps.queue.length === 0) this.wakeIdle()
    else this.arm()
  }

  private arm(): void {
    const atMs = this.deps.queue.nextReleaseMs()
    if (atMs === undefined || atMs >= this.timerAtMs) return
    this.disarm()
    this.timerAtMs = atMs
    // timers have millisecond resolution: never fire before the release time
    this.timer = this.deps.timers.setTimeout(this.release, Math.max(0, Math.ceil(atMs - this.deps.nowMs())))
  }

  private disarm(): void {
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer)
    this.timer = undefined
    this.timerAtMs = Number.POSITIVE_INFINITY
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const wake of waiters) wake()
  }
}

type Chunk = Parameters<MultiaddrConnection['send']>[0]

export interface ShapeConnectionDeps {
  queue: LinkQueue<Chunk>
  nowMs(): number
  timers: Timers
  log(msg: string, fields?: Record<string, unknown>): void
}

/**
 * Puts `conn`'s outgoing bytes through a shaped queue, in place (as
 * traffic.ts counts them): `send` queues, the chunks reach the real
 * connection at their release times, `close` lets the queue drain first
 * (at most SHAPED_CLOSE_FLUSH_MS_MAX), `abort` and a closed connection drop it.
 */
export function shapeConnection(conn: MultiaddrConnection, deps: ShapeConnectionDeps): MultiaddrConnection {
  const send = conn.send.bind(conn)
  const close = conn.close.bind(conn)
  const abort = conn.abort.bind(conn)
  const sender = new ShapedSender<Chunk>({
    queue: deps.queue,
    deliver: (chunk) => {
      if (conn.status !== 'open') return
      try {
        send(chunk)
      } catch (err) {
        deps.log('lab links: a released chunk could not be sent', { err: (err as Error).message })
      }
    },
    nowMs: deps.nowMs,
    timers: deps.timers,
    onDrain: () => conn.dispatchEvent(new Event('drain')),
  })
  conn.send = (data) => {
    // a closing or closed connection throws as it would unshaped
    if (conn.status !== 'open') return send(data)
    try {
      return sender.send(data, data.byteLength)
    } catch (err) {
      if (!(err instanceof LinkQueueOverflowError)) throw err
      deps.log('lab links: too many bytes queued on a connection; aborting it', {
        remote: conn.remoteAddr.toString(),
        err: err.message,
      })
      conn.abort(err)
      return false
    }
  }
  conn.close = async (options) => {
    if (conn.status === 'open' && sender.queuedBytes > 0) {
      let timer: unknown
      const bound = new Promise<void>((resolve) => {
        timer = deps.timers.setTimeout(resolve, SHAPED_CLOSE_FLUSH_MS_MAX)
      })
      const aborted = new Promise<void>((resolve) => {
        options?.signal?.addEventListener('abort', () => resolve(), { once: true })
      })
      await Promise.race([sender.idle(), bound, aborted])
      deps.timers.clearTimeout(timer)
      sender.drop()
    }
    return close(options)
  }
  conn.abort = (err) => {
    sender.drop()
    abort(err)
  }
  conn.addEventListener('close', () => sender.drop(), { once: true })
  return conn
}
