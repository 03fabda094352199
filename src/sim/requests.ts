/**
 * Request/response over simulated connections, with the semantics of
 * net/request.ts: the request and the response each cross the link with their
 * size (bandwidth and latency), one round trip in all. (Production pays a
 * round trip more, libp2p's protocol negotiation, only when no stream was
 * opened ahead for the request: a peer's first on a protocol, or one after
 * 10 s idle; net/warm-streams.ts.) The requester fails with RequestError:
 * TOO_LARGE (its request over requestBytesMax, or a response over its
 * responseBytesMax), DIAL_FAILED (not connected), PROTOCOL (no handler),
 * RESET (the handler threw, timed out, refused the size, or the connection
 * closed) or TIMEOUT (no response within timeoutMs of virtual time, or
 * `signal` abandoned it, which production also reports as TIMEOUT).
 */
import { checkLimits, RequestError, type RequestHandler, type RequestLimits } from '../net/network.js'
import type { SimStats } from './counters.js'
import { FRAME_OVERHEAD_BYTES, type PacketBody, type SimConnection } from './links.js'
import type { SimEvent, SimScheduler } from './scheduler.js'

export interface RequestHost {
  readonly scheduler: SimScheduler
  readonly stats: SimStats
  idOf(node: number): string
  connectionTo(peer: number): SimConnection | undefined
  /** Sends on `conn` (dropped if it has closed by then). */
  sendOn(conn: SimConnection, to: number, body: PacketBody, bytes: number): void
  log(msg: string, fields?: Record<string, unknown>): void
}

interface Pending {
  conn: SimConnection
  limits: RequestLimits
  resolve: (response: Uint8Array) => void
  reject: (err: Error) => void
  timer: SimEvent
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

type Served = { handler: RequestHandler; limits: RequestLimits }

export class SimRequests {
  private readonly handlers = new Map<string, Served>()
  private readonly pending = new Map<number, Pending>()
  private nextId = 1

  constructor(private readonly host: RequestHost) {}

  handle(protocol: string, handler: RequestHandler, limits: RequestLimits): void {
    checkLimits(limits)
    this.handlers.set(protocol, { handler, limits })
  }

  /** `peer` undefined: not a sim peer id. Throws RangeError (synchronously) on bad limits, like production. */
  request(
    peer: number | undefined,
    protocol: string,
    data: Uint8Array,
    limits: RequestLimits,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    checkLimits(limits)
    if (data.byteLength > limits.requestBytesMax) {
      return Promise.reject(
        new RequestError('TOO_LARGE', `request of ${data.byteLength} bytes exceeds ${limits.requestBytesMax}`),
      )
    }
    if (signal?.aborted) return Promise.reject(new RequestError('TIMEOUT', 'request abandoned'))
    const conn = peer === undefined ? undefined : this.host.connectionTo(peer)
    if (peer === undefined || conn === undefined) {
      return Promise.reject(
        new RequestError('DIAL_FAILED', `not connected to ${peer === undefined ? 'that peer' : this.host.idOf(peer)}`),
      )
    }
    return new Promise<Uint8Array>((resolve, reject) => {
      const id = this.nextId++
      const timer = this.host.scheduler.setTimeout(
        () => this.fail(id, new RequestError('TIMEOUT', `no response within ${limits.timeoutMs} ms`)),
        limits.timeoutMs,
      )
      const onAbort = signal ? () => this.fail(id, new RequestError('TIMEOUT', 'request abandoned')) : undefined
      if (signal && onAbort) signal.addEventListener('abort', onAbort, { once: true })
      this.pending.set(id, { conn, limits, resolve, reject, timer, signal, onAbort })
      this.host.stats.requestsSent++
      const body: PacketBody = { kind: 'request', id, protocol, data: data.slice() }
      this.host.sendOn(conn, peer, body, data.byteLength + FRAME_OVERHEAD_BYTES)
    })
  }

  receive(from: number, conn: SimConnection, body: PacketBody): void {
    if (body.kind === 'request') this.serve(from, conn, body.id, body.protocol, body.data)
    else if (body.kind === 'response') this.succeed(body.id, body.data)
    else if (body.kind === 'failure') this.fail(body.id, new RequestError(body.code, body.reason))
  }

  /** Every request pending on `conn` fails with RESET, like a stream of a closed connection. */
  onConnectionClosed(conn: SimConnection): void {
    for (const [id, p] of this.pending) {
      if (p.conn === conn) this.fail(id, new RequestError('RESET', 'connection closed'))
    }
  }

  private serve(from: number, conn: SimConnection, id: number, protocol: string, data: Uint8Array): void {
    const { host } = this
    const answer = (body: PacketBody, bytes: number): void => {
      host.stats.responsesSent++
      host.sendOn(conn, from, body, bytes)
    }
    const failure = (code: 'RESET' | 'PROTOCOL', reason: string): void =>
      answer({ kind: 'failure', id, code, reason }, FRAME_OVERHEAD_BYTES)
    const served = this.handlers.get(protocol)
    if (served === undefined) {
      failure('PROTOCOL', `protocol ${protocol} is not supported`)
      return
    }
    const { handler, limits } = served
    if (data.byteLength > limits.requestBytesMax) {
      failure('RESET', `request of ${data.byteLength} bytes exceeds the handler's ${limits.requestBytesMax}`)
      return
    }
    let done = false
    const timer = host.scheduler.setTimeout(() => {
      done = true
      failure('RESET', `handler took longer than ${limits.timeoutMs} ms`)
    }, limits.timeoutMs)
    let call: Promise<Uint8Array>
    try {
      call = handler(data, host.idOf(from))
    } catch (err) {
      call = Promise.reject(err)
    }
    call.then(
      (response) => {
        if (done) return
        done = true
        host.scheduler.clearTimeout(timer)
        if (response.byteLength > limits.responseBytesMax) {
          return failure('RESET', `response of ${response.byteLength} bytes exceeds ${limits.responseBytesMax}`)
        }
        const copy = response.slice()
        answer({ kind: 'response', id, data: copy }, copy.byteLength + FRAME_OVERHEAD_BYTES)
      },
      (err: unknown) => {
        if (done) return
        done = true
        host.scheduler.clearTimeout(timer)
        host.log('sim: request handler failed; resetting the stream', { protocol, err: String(err) })
        failure('RESET', `handler failed: ${err instanceof Error ? err.message : String(err)}`)
      },
    )
  }

  private take(id: number): Pending | undefined {
    const p = this.pending.get(id)
    if (p === undefined) return undefined
    this.pending.delete(id)
    this.host.scheduler.clearTimeout(p.timer)
    if (p.signal && p.onAbort) p.signal.removeEventListener('abort', p.onAbort)
    return p
  }

  private succeed(id: number, response: Uint8Array): void {
    const p = this.take(id)
    if (p === undefined) return // timed out or abandoned meanwhile
    if (response.byteLength > p.limits.responseBytesMax) {
      p.reject(
        new RequestError('TOO_LARGE', `response of ${response.byteLength} bytes exceeds ${p.limits.responseBytesMax}`),
      )
    } else {
      p.resolve(response)
    }
  }

  private fail(id: number, err: RequestError): void {
    this.take(id)?.reject(err)
  }
}
