/**
 * Gossip validations, shared fairly between the peers that forward messages.
 * One global cap alone lets a single flooding peer fill every slot, so honest
 * peers' messages are dropped; here each peer has its own cap on validations
 * in flight and its own bounded waiting line, and a freed slot goes to the
 * next peer in turn (round robin) that has a message waiting. A peer over its
 * waiting line loses only its own new messages.
 */

export interface ValidationLimits {
  /** Validations running at once, over all peers. */
  inFlightMax: number
  /** Validations running at once for one peer. */
  perPeerInFlightMax: number
  /** Messages of one peer waiting for a slot, at most. */
  perPeerQueuedMax: number
  /** Bytes of one peer's waiting messages, at most (blocks are large). */
  perPeerQueuedBytesMax: number
}

export const VALIDATION_LIMITS: ValidationLimits = Object.freeze({
  inFlightMax: 1_024,
  perPeerInFlightMax: 64,
  perPeerQueuedMax: 512,
  perPeerQueuedBytesMax: 16 * 1024 * 1024,
})

export interface QueuedValidation {
  /** Bytes of the message, counted against the peer's waiting bytes. */
  sizeBytes: number
}

interface PeerLine<T> {
  inFlight: number
  queued: T[]
  queuedBytes: number
}

export class FairValidationQueue<T extends QueuedValidation> {
  private readonly lines = new Map<string, PeerLine<T>>()
  /** Peers with a message waiting, in turn order: the first is served next. */
  private readonly turns = new Set<string>()
  private inFlight = 0

  constructor(
    private readonly limits: ValidationLimits,
    private readonly run: (peer: string, item: T) => Promise<void>,
  ) {
    for (const [key, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${key} must be an integer >= 1: ${value}`)
    }
  }

  get inFlightCount(): number {
    return this.inFlight
  }

  /** Messages waiting for a slot, over all peers. */
  get queuedCount(): number {
    let count = 0
    for (const line of this.lines.values()) count += line.queued.length
    return count
  }

  /** Runs `item` now or queues it in `peer`'s line; false when that line is full (the message is dropped). */
  push(peer: string, item: T): boolean {
    const line = this.line(peer)
    if (line.queued.length === 0 && this.hasSlotFor(line)) {
      this.start(peer, line, item)
      return true
    }
    const { perPeerQueuedMax, perPeerQueuedBytesMax } = this.limits
    if (line.queued.length >= perPeerQueuedMax || line.queuedBytes + item.sizeBytes > perPeerQueuedBytesMax) {
      this.forgetIfIdle(peer, line)
      return false
    }
    line.queued.push(item)
    line.queuedBytes += item.sizeBytes
    this.turns.add(peer)
    return true
  }

  /** Takes `peer`'s waiting messages out of line (it disconnected): returns them, for the caller to settle. */
  dropQueued(peer: string): T[] {
    const line = this.lines.get(peer)
    if (line === undefined) return []
    const dropped = line.queued
    line.queued = []
    line.queuedBytes = 0
    this.turns.delete(peer)
    this.forgetIfIdle(peer, line)
    return dropped
  }

  private hasSlotFor(line: PeerLine<T>): boolean {
    return this.inFlight < this.limits.inFlightMax && line.inFlight < this.limits.perPeerInFlightMax
  }

  private start(peer: string, line: PeerLine<T>, item: T): void {
    this.inFlight++
    line.inFlight++
    void this.run(peer, item)
      .catch(() => {}) // the runner reports its own failures
      .finally(() => {
        this.inFlight--
        line.inFlight--
        this.forgetIfIdle(peer, line)
        this.drain()
      })
  }

  /** Fills free slots, one message per peer in turn. */
  private drain(): void {
    while (this.inFlight < this.limits.inFlightMax) {
      let served = false
      for (const peer of this.turns) {
        const line = this.lines.get(peer)
        if (line === undefined || line.queued.length === 0) {
          this.turns.delete(peer)
          continue
        }
        if (line.inFlight >= this.limits.perPeerInFlightMax) continue
        const item = line.queued.shift() as T
        line.queuedBytes -= item.sizeBytes
        // to the back of the turn order (or out of it when its line is empty)
        this.turns.delete(peer)
        if (line.queued.length > 0) this.turns.add(peer)
        this.start(peer, line, item)
        served = true
        break
      }
      if (!served) return
    }
  }

  private line(peer: string): PeerLine<T> {
    let line = this.lines.get(peer)
    if (line === undefined) {
      line = { inFlight: 0, queued: [], queuedBytes: 0 }
      this.lines.set(peer, line)
    }
    return line
  }

  private forgetIfIdle(peer: string, line: PeerLine<T>): void {
    if (line.inFlight === 0 && line.queued.length === 0 && this.lines.get(peer) === line) this.lines.delete(peer)
  }
}
