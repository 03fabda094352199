import type { Stream } from '@libp2p/interface'
import type { Timers } from '../util/timers.js'
import type { PeerIdString } from './network.js'
import type { NetworkLog } from './options.js'

/**
 * Request streams opened ahead, one per peer and protocol.
 *
 * libp2p 3 agrees on a new stream's protocol before the stream carries a
 * byte (multistream-select's round trip; message-streams.ts has the story),
 * so a request on a stream opened for it takes two round trips. After a
 * request to a peer is answered, the next stream for that peer and protocol
 * is opened and agreed on meanwhile; the next request within WARM_IDLE_MS
 * takes it and is answered one round trip after it is sent (sync's batches,
 * a block's missing txs, light proofs, stem hops: whatever comes in runs).
 * An unused stream is closed after WARM_IDLE_MS, well before the server's
 * wait for a request (request.ts, REQUEST_WAIT_MS) would reset it.
 */

/** An unused stream opened ahead is closed after this long. */
export const WARM_IDLE_MS = 10_000
/** Opening a stream ahead and agreeing on its protocol, at most. */
export const WARM_OPEN_TIMEOUT_MS = 10_000
/** Streams opened ahead (or being opened) at once, over all peers and protocols. */
export const WARM_STREAMS_MAX = 1024

/** Opens a stream to `peer` for `protocol` (libp2p's dialProtocol, or a test's pair). */
export type OpenStream = (peer: PeerIdString, protocol: string, signal: AbortSignal) => Promise<Stream>

interface Slot {
  /** Set once opened; until then the slot only says "opening". */
  stream?: Stream
  timer?: unknown
}

export class WarmStreams {
  private readonly slots = new Map<string, Slot>()
  private readonly counts = { opened: 0, taken: 0, expired: 0 }

  constructor(
    private readonly open: OpenStream,
    private readonly timers: Timers,
    private readonly log: NetworkLog,
  ) {}

  /** Streams opened ahead so far, taken by a request, and closed unused. */
  get stats(): { opened: number; taken: number; expired: number } {
    return { ...this.counts }
  }

  /** The stream opened ahead for `protocol` to `peer`, if one is ready and still usable; it leaves the pool. */
  take(peer: PeerIdString, protocol: string): Stream | undefined {
    const key = keyOf(peer, protocol)
    const slot = this.slots.get(key)
    if (slot?.stream === undefined) return undefined
    this.slots.delete(key)
    this.timers.clearTimeout(slot.timer)
    if (!usable(slot.stream)) {
      closeQuietly(slot.stream)
      return undefined
    }
    this.counts.taken++
    return slot.stream
  }

  /** Opens a stream for the next request to `peer` on `protocol`, unless one is ready or on its way. */
  prepare(peer: PeerIdString, protocol: string): void {
    const key = keyOf(peer, protocol)
    if (this.slots.has(key) || this.slots.size >= WARM_STREAMS_MAX) return
    const slot: Slot = {}
    this.slots.set(key, slot)
    this.open(peer, protocol, AbortSignal.timeout(WARM_OPEN_TIMEOUT_MS)).then(
      (stream) => {
        if (this.slots.get(key) !== slot) {
          closeQuietly(stream) // the peer left meanwhile, or the pool closed
          return
        }
        this.counts.opened++
        slot.stream = stream
        slot.timer = this.timers.setTimeout(() => this.expire(key, slot), WARM_IDLE_MS)
      },
      (err: unknown) => {
        if (this.slots.get(key) === slot) this.slots.delete(key)
        this.log('net: could not open a request stream ahead', { peer, protocol, err: String(err) })
      },
    )
  }

  /** The peer left: its streams went with its connection. */
  forget(peer: PeerIdString): void {
    for (const [key, slot] of this.slots) {
      if (!key.startsWith(`${peer} `)) continue
      this.slots.delete(key)
      this.timers.clearTimeout(slot.timer)
      if (slot.stream) closeQuietly(slot.stream)
    }
  }

  /** Closes every stream held (the node stops). */
  closeAll(): void {
    for (const slot of this.slots.values()) {
      this.timers.clearTimeout(slot.timer)
      if (slot.stream) closeQuietly(slot.stream)
    }
    this.slots.clear()
  }

  private expire(key: string, slot: Slot): void {
    if (this.slots.get(key) !== slot) return
    this.slots.delete(key)
    this.counts.expired++
    if (slot.stream) closeQuietly(slot.stream)
  }
}

const keyOf = (peer: PeerIdString, protocol: string): string => `${peer} ${protocol}`

/** Open both ways, nothing written or read yet: a request can go on it. */
function usable(stream: Stream): boolean {
  return (
    stream.status === 'open' &&
    stream.writeStatus === 'writable' &&
    stream.remoteWriteStatus === 'writable' &&
    stream.remoteReadStatus === 'readable'
  )
}

/** Ends our side of an unused stream; the server sees the end before any request and closes too. */
function closeQuietly(stream: Stream): void {
  stream.close({ signal: AbortSignal.timeout(WARM_OPEN_TIMEOUT_MS) }).catch(() => {
    stream.abort(new Error('closing an unused request stream failed'))
  })
}
