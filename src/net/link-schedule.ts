/**
 * The lab link shaper's schedule, pure: when each outgoing chunk reaches its
 * destination. No sockets, no timers: a caller hands in the time (lab-only;
 * see link-shaper.ts for the code that drives it).
 *
 * A node's uplink is one serialisation queue shared by all its connections:
 * a chunk of b bytes finishes at max(now, uplinkFreeAt) + b·8/bandwidth.
 * It then travels the one-way latency of the link plus a jitter drawn
 * uniformly in [0, jitterMs). A connection's release times never go
 * backwards, so jitter delays but never reorders a TCP stream.
 */
import type { Rng } from '../util/rng.js'

/** A node's uplink: one serialisation queue over all connections. */
export class Uplink {
  private freeAtMs = Number.NEGATIVE_INFINITY

  /** `bandwidthMbit` undefined: no serialisation delay (an unlimited link). */
  constructor(readonly bandwidthMbit: number | undefined) {
    if (bandwidthMbit !== undefined && !(Number.isFinite(bandwidthMbit) && bandwidthMbit > 0)) {
      throw new RangeError(`uplink bandwidth must be a positive number of Mbit/s: ${bandwidthMbit}`)
    }
  }

  /** When a chunk of `bytes` handed over at `nowMs` has left the uplink. */
  transmit(nowMs: number, bytes: number): number {
    const startMs = Math.max(nowMs, this.freeAtMs)
    // Mbit/s = 1,000 bits per millisecond
    const doneMs = this.bandwidthMbit === undefined ? startMs : startMs + (bytes * 8) / (this.bandwidthMbit * 1_000)
    this.freeAtMs = doneMs
    return doneMs
  }
}

export interface LinkParams {
  /** One-way latency to the destination. */
  latencyMs: number
  /** Each chunk waits a further uniform draw in [0, jitterMs). */
  jitterMs: number
}

/** A connection's queued bytes went past its bound. */
export class LinkQueueOverflowError extends RangeError {
  override readonly name = 'LinkQueueOverflowError'
}

interface QueuedChunk<T> {
  chunk: T
  bytes: number
  releaseMs: number
}

/** One connection's chunks waiting for their release time, in send order. */
export class LinkQueue<T> {
  private readonly chunks: QueuedChunk<T>[] = []
  private head = 0
  private lastReleaseMs = Number.NEGATIVE_INFINITY
  private bytes = 0

  constructor(
    private readonly uplink: Uplink,
    private readonly link: LinkParams,
    private readonly rng: Rng,
    /** Queued bytes at most; a push beyond throws LinkQueueOverflowError. */
    readonly bytesMax: number,
  ) {
    for (const key of ['latencyMs', 'jitterMs'] as const) {
      if (!(Number.isFinite(link[key]) && link[key] >= 0)) throw new RangeError(`${key} must be >= 0: ${link[key]}`)
    }
  }

  get queuedBytes(): number {
    return this.bytes
  }

  get length(): number {
    return this.chunks.length - this.head
  }

  /** Queues `chunk`, sent at `nowMs`; returns its release time. */
  push(nowMs: number, chunk: T, bytes: number): number {
    if (this.bytes + bytes > this.bytesMax) {
      throw new LinkQueueOverflowError(`${this.bytes + bytes} bytes queued on one link, more than ${this.bytesMax}`)
    }
    const sentMs = this.uplink.transmit(nowMs, bytes)
    const jitterMs = this.link.jitterMs > 0 ? this.rng.next() * this.link.jitterMs : 0
    const releaseMs = Math.max(this.lastReleaseMs, sentMs + this.link.latencyMs + jitterMs)
    this.lastReleaseMs = releaseMs
    this.chunks.push({ chunk, bytes, releaseMs })
    this.bytes += bytes
    return releaseMs
  }

  /** The release time of the oldest queued chunk. */
  nextReleaseMs(): number | undefined {
    return this.chunks[this.head]?.releaseMs
  }

  /** Removes and returns, in order, every chunk due by `nowMs`. */
  takeDue(nowMs: number): T[] {
    const due: T[] = []
    for (;;) {
      const next = this.chunks[this.head]
      if (next === undefined || next.releaseMs > nowMs) break
      due.push(next.chunk)
      this.bytes -= next.bytes
      this.head++
    }
    if (this.head === this.chunks.length) {
      this.chunks.length = 0
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks.splice(0, this.head)
      this.head = 0
    }
    return due
  }

  /** Drops everything queued (an aborted connection). */
  clear(): void {
    this.chunks.length = 0
    this.head = 0
    this.bytes = 0
  }
}
