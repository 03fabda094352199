import type { Libp2p, Stream, StreamHandler } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { RequestError, type RequestHandler, type RequestLimits } from './network.js'
import type { NetworkLog } from './options.js'
import { parsePeerId } from './peer-ids.js'

/**
 * Request/response over one libp2p stream: the requester writes one
 * varint-length-prefixed request and half-closes; the handler writes one
 * length-prefixed response and closes. Every exchange is bounded by
 * `limits.timeoutMs` from the moment the stream is opened, and each side
 * refuses a frame larger than its limit before reading it.
 */

/** Concurrent streams per connection, per protocol, each direction. */
export const STREAMS_PER_PROTOCOL_MAX = 32

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
): StreamHandler {
  return async (stream, connection) => {
    const peer = connection.remotePeer.toString()
    const signal = AbortSignal.timeout(limits.timeoutMs)
    try {
      const lp = lpStream(stream, {
        maxDataLength: limits.requestBytesMax,
        maxBufferSize: bufferFor(limits.requestBytesMax),
      })
      const request = await lp.read({ signal })
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

/** Sends one request and reads one response; every failure becomes a RequestError. */
export async function sendRequest(
  host: Libp2p,
  peer: string,
  protocol: string,
  request: Uint8Array,
  limits: RequestLimits,
  abandon?: AbortSignal,
): Promise<Uint8Array> {
  if (request.byteLength > limits.requestBytesMax) {
    throw new RequestError('TOO_LARGE', `request of ${request.byteLength} bytes exceeds ${limits.requestBytesMax}`)
  }
  const peerId = parsePeerId(peer)
  if (peerId === undefined) throw new RequestError('DIAL_FAILED', `not a peer id: ${peer}`)
  const timeout = AbortSignal.timeout(limits.timeoutMs)
  const signal = abandon ? AbortSignal.any([timeout, abandon]) : timeout
  let stream: Stream
  try {
    stream = await host.dialProtocol(peerId, protocol, {
      signal,
      maxOutboundStreams: STREAMS_PER_PROTOCOL_MAX,
    })
  } catch (err) {
    throw toRequestError(err, signal, 'DIAL_FAILED')
  }
  try {
    const lp = lpStream(stream, {
      maxDataLength: limits.responseBytesMax,
      maxBufferSize: bufferFor(limits.responseBytesMax),
    })
    await lp.write(request, { signal })
    await stream.close({ signal })
    const response = await lp.read({ signal })
    return response.subarray()
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw toRequestError(err, signal, 'RESET')
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
