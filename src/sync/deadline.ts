/** One request with a backstop deadline and a stop signal, whether or not the callee honours its own signal. */
import { RequestError } from '../net/network.js'
import type { Timers } from '../util/timers.js'
import { SyncAborted } from './faults.js'

export interface DeadlineOptions {
  /** Stops the request (the run was stopped, or the peer was dropped). */
  signal: AbortSignal
  /** Without timers there is no backstop: the request function's own timeout applies. */
  timers?: Timers
  timeoutMs: number
}

/**
 * The deadline of sync requests, as Bitcoin Core's block stalling timeout:
 * each stall (a request that timed out) doubles it, up to `maxMs`, and any
 * answer puts it back to `baseMs`. When every peer seems to stall, the slow
 * link is more likely ours, so we wait longer rather than drop them all;
 * once answers flow, a stalling peer is cut at the base again.
 */
export class StallTimeout {
  private currentMs: number

  constructor(
    readonly baseMs: number,
    readonly maxMs: number,
  ) {
    if (!(baseMs > 0) || !(maxMs >= baseMs))
      throw new RangeError(`stall timeout: need 0 < base ${baseMs} <= max ${maxMs}`)
    this.currentMs = baseMs
  }

  get ms(): number {
    return this.currentMs
  }

  stalled(): void {
    this.currentMs = Math.min(this.maxMs, this.currentMs * 2)
  }

  progressed(): void {
    this.currentMs = this.baseMs
  }

  /** Runs `request` and learns from how it ends: a TIMEOUT is a stall, an answer is progress. */
  async track<T>(request: Promise<T>): Promise<T> {
    try {
      const value = await request
      this.progressed()
      return value
    } catch (err) {
      if (err instanceof RequestError && err.code === 'TIMEOUT') this.stalled()
      throw err
    }
  }
}

/**
 * Runs `fn` with a signal of its own. Rejects with RequestError TIMEOUT after
 * `timeoutMs` (when timers are given), or SyncAborted when `opts.signal`
 * fires; `fn`'s signal fires in both cases so the transport can close the stream.
 */
export function withDeadline<T>(fn: (signal: AbortSignal) => Promise<T>, opts: DeadlineOptions): Promise<T> {
  const { signal, timers, timeoutMs } = opts
  if (signal.aborted) return Promise.reject(new SyncAborted('sync stopped'))
  const inner = new AbortController()
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const finish = (settle: () => void): void => {
      if (settled) return
      settled = true
      if (timer !== undefined) timers?.clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      settle()
    }
    const onAbort = (): void => {
      inner.abort()
      finish(() => reject(new SyncAborted('sync stopped')))
    }
    const timer = timers?.setTimeout(() => {
      inner.abort()
      finish(() => reject(new RequestError('TIMEOUT', `no answer within ${timeoutMs} ms`)))
    }, timeoutMs)
    signal.addEventListener('abort', onAbort, { once: true })
    let call: Promise<T>
    try {
      call = fn(inner.signal)
    } catch (err) {
      call = Promise.reject(err)
    }
    call.then(
      (value) => finish(() => resolve(value)),
      (err: unknown) => finish(() => reject(err)),
    )
  })
}
