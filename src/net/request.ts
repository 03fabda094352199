import type { Stream, StreamHandler } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { RequestError, type RequestHandler, type RequestLimits } from './network.js'
import type { NetworkLog } from './options.js'
import type { OpenStream, WarmStreams } from './warm-streams.js'

/**
 * Request/response over one libp2p stream: the requester writes one
 * varint-length-prefixed request and half-closes; the handler writes one
 * length-prefixed response and closes. The requester's whole exchange is
 * bounded by `limits.timeoutMs` from the moment it starts; the server waits
 * for the request up to the larger of that and REQUEST_WAIT_MS from the
 * stream's opening (a stream may be opened ahead of its request:
 * warm-streams.ts), then gives its handler and answer `limits.timeoutMs`.
 * Each side refuses a frame larger than its limit before reading it.
 */

/** Concurrent streams per connection, per protocol, each direction. */
export const STREAMS_PER_PROTOCOL_MAX = 32
/** How long a server waits for the request on a stream opened ahead (above warm-streams.ts's WARM_IDLE_MS). */
export const REQUEST_WAIT_MS = 20_000

/** lpStream buffers unread bytes: room for one whole frame and its length prefix. */
const LP_BUFFER_DEFAULT = 4 * 1024 * 1024
function bufferFor(frameBytesMax: number): number {
  return Math.max(LP_BUFFER_DEFAULT, frameBytesMax + 16)
}

export function streamHandlerOptions() {
  return { maxInboundStreams: STREAMS_PER_PROTOCOL_MAX, maxOutboundStreams: STREAMS_PER_PROTOCOL_MAX }
}

/** Wraps an application handler; nothing it does (throw, stall, oversize) can escape the stream. */
export function serveRequests(
  protocol: string,
  handler: RequestHandler,
  limits: RequestLimits,
  log: NetworkLog,
  requestWaitMs = REQUEST_WAIT_MS,
): StreamHandler {
  return async (stream, connection) => {
    const peer = connection.remotePeer.toString()
    try {
      const lp = lpStream(stream, {
        maxDataLength: limits.requestBytesMax,
        maxBufferSize: bufferFor(limits.requestBytesMax),
      })
      const request = await readRequest(lp, stream, Math.max(limits.timeoutMs, requestWaitMs))
      if (request === undefined) {
        await stream.close({ signal: AbortSignal.timeout(limits.timeoutMs) })
        return
      }
      const signal = AbortSignal.timeout(limits.timeoutMs)
      const response = await raceAbort(handler(request.subarray(), peer), signal)
      if (response.byteLength > limits.responseBytesMax) {
        throw new Error(`response of ${response.byteLength} bytes exceeds responseBytesMax ${limits.responseBytesMax}`)
      }
      await lp.write(response, { signal })
      await stream.close({ signal })
    } catch (err) {
      log('net: request handler failed; resetting the stream', { protocol, peer, err: describe(err) })
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
}

/**
 * The request on a new stream, or undefined when the requester closed the
 * stream without sending one (a stream opened ahead and not needed).
 */
async function readRequest(
  lp: ReturnType<typeof lpStream>,
  stream: Stream,
  waitMs: number,
): Promise<Uint8Array | undefined> {
  try {
    return (await lp.read({ signal: AbortSignal.timeout(waitMs) })).subarray()
  } catch (err) {
    // lpStream reports an end with no byte of a request as an unexpected EOF
    if (err instanceof Error && err.name === 'UnexpectedEOFError' && stream.remoteWriteStatus !== 'writable') {
      return undefined
    }
    throw err
  }
}

/**
 * Sends one request and reads one response; every failure becomes a
 * RequestError. With `warm`, a stream opened ahead for this peer and
 * protocol is used when there is one (a round trip less), and the next is
 * opened once the answer is in; a stream opened ahead that fails before the
 * request is written (its connection or its server closed it) is given up
 * for a new one, within the same deadline.
 */
export async function sendRequest(
  open: OpenStream,
  peer: string,
  protocol: string,
  request: Uint8Array,
  limits: RequestLimits,
  abandon?: AbortSignal,
  warm?: WarmStreams,
): Promise<Uint8Array> {
  if (request.byteLength > limits.requestBytesMax) {
    throw new RequestError('TOO_LARGE', `request of ${request.byteLength} bytes exceeds ${limits.requestBytesMax}`)
  }
  const timeout = AbortSignal.timeout(limits.timeoutMs)
  const signal = abandon ? AbortSignal.any([timeout, abandon]) : timeout
  let response: Uint8Array | undefined
  const ready = warm?.take(peer, protocol)
  if (ready) response = await exchange(ready, request, limits, signal, 'retry-unwritten')
  if (response === undefined) {
    let stream: Stream
    try {
      stream = await open(peer, protocol, signal)
    } catch (err) {
      throw toRequestError(err, signal, 'DIAL_FAILED')
    }
    response = (await exchange(stream, request, limits, signal, 'throw')) as Uint8Array
  }
  warm?.prepare(peer, protocol)
  return response
}

/** One exchange on `stream`; undefined (with 'retry-unwritten') when it failed before the request could be written. */
async function exchange(
  stream: Stream,
  request: Uint8Array,
  limits: RequestLimits,
  signal: AbortSignal,
  onUnwritten: 'retry-unwritten' | 'throw',
): Promise<Uint8Array | undefined> {
  let written = false
  try {
    const lp = lpStream(stream, {
      maxDataLength: limits.responseBytesMax,
      maxBufferSize: bufferFor(limits.responseBytesMax),
    })
    await lp.write(request, { signal })
    written = true
    await stream.close({ signal })
    const response = await lp.read({ signal })
    return response.subarray()
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    const failure = toRequestError(err, signal, 'RESET')
    if (!written && onUnwritten === 'retry-unwritten' && failure.code === 'RESET') return undefined
    throw failure
  }
}

const TOO_LARGE = new Set(['InvalidDataLengthError', 'InvalidDataLengthLengthError', 'StreamBufferError'])
const PROTOCOL = new Set(['UnsupportedProtocolError', 'InvalidMessageLengthError', 'ProtocolError'])
const TIMEOUT = new Set(['TimeoutError', 'AbortError'])

export function toRequestError(err: unknown, signal: AbortSignal, fallback: RequestError['code']): RequestError {
  if (err instanceof RequestError) return err
  const name = err instanceof Error ? err.name : ''
  const message = describe(err)
  if (signal.aborted || TIMEOUT.has(name)) return new RequestError('TIMEOUT', message)
  if (TOO_LARGE.has(name)) return new RequestError('TOO_LARGE', message)
  if (PROTOCOL.has(name)) return new RequestError('PROTOCOL', message)
  return new RequestError(fallback, message)
}

/** Settles with `promise`, or rejects once `signal` aborts, whichever comes first. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}

export function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}
