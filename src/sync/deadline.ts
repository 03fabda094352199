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
