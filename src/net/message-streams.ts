import type { Stream, StreamHandler } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { type MessageHandler, type MessageLimits, type PeerIdString, RequestError } from './network.js'
import type { NetworkLog } from './options.js'
import { describe, toRequestError } from './request.js'
import type { OpenStream } from './warm-streams.js'

/**
 * One-way messages to a peer over one long-lived stream per protocol and
 * direction, each message varint-length-prefixed, none answered.
 *
 * Why not a stream per message, as request.ts opens: libp2p 3 agrees on a new
 * stream's protocol before the stream carries a byte (multistream-select's
 * round trip; the optimistic select of earlier versions is gone, whatever
 * `negotiateFully` says), so each request costs a round trip more than its
 * own half. A message stream pays that round trip once per connection; every
 * message after it arrives half a round trip after it is sent, as a gossip
 * message does on gossipsub's long-lived streams.
 *
 * Each side bounds what it holds: the sender refuses a message past
 * `queuedBytesMax` bytes waiting for one peer (RequestError TOO_LARGE; the
 * caller falls back or drops it knowingly), the receiver reads one message at
 * a time, at most `messageBytesMax` bytes, and resets the stream on a larger
 * one. A stream that fails is dropped; the next message opens another.
 */

/** Inbound message streams one connection may hold per protocol (one, and its replacement while the old one closes). */
export const MESSAGE_STREAMS_PER_PEER_MAX = 2

export function messageStreamOptions() {
  return { maxInboundStreams: MESSAGE_STREAMS_PER_PEER_MAX, maxOutboundStreams: MESSAGE_STREAMS_PER_PEER_MAX }
}

/** The receiving side: hands each message to `handler` in order, one at a time, until the stream ends. */
export function serveMessages(
  protocol: string,
  handler: MessageHandler,
  limits: MessageLimits,
  log: NetworkLog,
): StreamHandler {
  return async (stream, connection) => {
    const peer = connection.remotePeer.toString()
    const lp = lpStream(stream, {
      maxDataLength: limits.messageBytesMax,
      maxBufferSize: Math.max(limits.queuedBytesMax, limits.messageBytesMax + 16),
    })
    try {
      for (;;) {
        const message = await readMessage(lp, stream)
        if (message === undefined) break
        try {
          await handler(message, peer)
        } catch (err) {
          log('net: message handler failed', { protocol, peer, err: describe(err) })
        }
      }
      await stream.close()
    } catch (err) {
      log('net: message stream failed; resetting it', { protocol, peer, err: describe(err) })
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
}

/** The next message, or undefined once the sender closed its side. */
async function readMessage(lp: ReturnType<typeof lpStream>, stream: Stream): Promise<Uint8Array | undefined> {
  try {
    return (await lp.read()).subarray()
  } catch (err) {
    // lpStream reports a clean end (no byte of a next message) as an unexpected EOF too
    if (err instanceof Error && err.name === 'UnexpectedEOFError' && stream.remoteWriteStatus !== 'writable') {
      return undefined
    }
    throw err
  }
}

interface Channel {
  /** The stream, ready to write, once opened. */
  ready: Promise<ReturnType<typeof lpStream>>
  stream?: Stream
  /** The last write queued: the next waits for it, so messages keep their order. */
  tail: Promise<void>
  queuedBytes: number
}

/** The sending side: one outbound stream per peer and protocol, opened on the first message. */
export class MessageSender {
  private readonly channels = new Map<string, Channel>()
  private openedCount = 0

  constructor(
    private readonly open: OpenStream,
    private readonly log: NetworkLog,
  ) {}

  /** Streams opened so far (each lives until it fails or its connection closes). */
  get opened(): number {
    return this.openedCount
  }

  /**
   * Queues `message` on the peer's stream for `protocol` (opening it first if
   * there is none) and resolves once it is written. Throws RequestError: the
   * message or the queue too large, the stream not opened or broken.
   */
  async send(peer: PeerIdString, protocol: string, message: Uint8Array, limits: MessageLimits): Promise<void> {
    if (message.byteLength > limits.messageBytesMax) {
      throw new RequestError('TOO_LARGE', `message of ${message.byteLength} bytes exceeds ${limits.messageBytesMax}`)
    }
    const key = `${protocol} ${peer}`
    const channel = this.channels.get(key) ?? this.openChannel(key, peer, protocol, limits)
    if (channel.queuedBytes + message.byteLength > limits.queuedBytesMax) {
      throw new RequestError('TOO_LARGE', `more than ${limits.queuedBytesMax} bytes queued for ${peer} on ${protocol}`)
    }
    channel.queuedBytes += message.byteLength
    const signal = AbortSignal.timeout(limits.timeoutMs)
    const write = channel.tail.then(async () => {
      const lp = await channel.ready
      await lp.write(message, { signal })
    })
    channel.tail = write.catch(() => {})
    try {
      await write
    } catch (err) {
      this.drop(key, channel, err)
      throw toRequestError(err, signal, 'RESET')
    } finally {
      channel.queuedBytes -= message.byteLength
    }
  }

  /** Closes every stream (the network stops). */
  closeAll(): void {
    for (const [key, channel] of this.channels) this.drop(key, channel, new Error('network stopping'))
  }

  private openChannel(key: string, peer: PeerIdString, protocol: string, limits: MessageLimits): Channel {
    const channel: Channel = {
      ready: this.open(peer, protocol, AbortSignal.timeout(limits.timeoutMs)).then((stream) => {
        channel.stream = stream
        stream.addEventListener('close', () => {
          if (this.channels.get(key) === channel) this.channels.delete(key)
        })
        return lpStream(stream, { maxDataLength: limits.messageBytesMax })
      }),
      tail: Promise.resolve(),
      queuedBytes: 0,
    }
    // a failed open is seen by the writes queued on it; this keeps it from counting as unhandled meanwhile
    channel.ready.catch(() => {})
    this.channels.set(key, channel)
    this.openedCount++
    return channel
  }

  private drop(key: string, channel: Channel, err: unknown): void {
    if (this.channels.get(key) === channel) this.channels.delete(key)
    if (channel.stream !== undefined && channel.stream.status === 'open') {
      this.log('net: message stream dropped', { key, err: describe(err) })
      channel.stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
}
