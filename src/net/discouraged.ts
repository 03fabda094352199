/**
 * The discouragement filter, as Bitcoin Core's: automatic misbehaviour (a
 * score at the ban threshold, a failed status handshake) disconnects the
 * peer and refuses it for a while, in memory only. Nothing is written to
 * disk, so no peer can grow a file; entries expire, and the filter is
 * bounded: when full, the oldest entry goes. Both the peer id and the IP it
 * came from are remembered (the IP not on a local cluster, where every peer
 * shares 127.0.0.1), so a fresh key from the same address is refused too.
 * Permanent bans are the operator's alone (bans.ts).
 */
import { SCORE_BAN_DURATION_MS } from './scores.js'

/** Peer ids and IP addresses held at most; the oldest goes first. */
export const DISCOURAGED_MAX = 10_000
/** How long a discouraged peer or address is refused (the simulator uses the same). */
export const DISCOURAGE_DURATION_MS = SCORE_BAN_DURATION_MS

interface Entry {
  reason: string
  untilMs: number
}

export class DiscouragementFilter {
  /** Insertion order is age order: every add moves its key to the end. */
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly nowMs: () => number,
    private readonly sizeMax = DISCOURAGED_MAX,
    private readonly durationMs = DISCOURAGE_DURATION_MS,
  ) {
    if (!Number.isInteger(sizeMax) || sizeMax < 1) throw new RangeError(`sizeMax must be an integer >= 1: ${sizeMax}`)
  }

  get size(): number {
    return this.entries.size
  }

  /** Discourages a peer id or an IP address for the filter's duration (from now). */
  add(key: string, reason: string): void {
    this.entries.delete(key)
    this.entries.set(key, { reason, untilMs: this.nowMs() + this.durationMs })
    while (this.entries.size > this.sizeMax) {
      const oldest = this.entries.keys().next().value as string
      this.entries.delete(oldest)
    }
  }

  has(key: string): boolean {
    const entry = this.entries.get(key)
    if (entry === undefined) return false
    if (entry.untilMs > this.nowMs()) return true
    this.entries.delete(key)
    return false
  }

  remove(key: string): void {
    this.entries.delete(key)
  }

  /** Discouraged keys now, with why. */
  list(): Array<{ key: string; reason: string; untilMs: number }> {
    return [...this.entries.keys()].filter((key) => this.has(key)).map((key) => ({ key, ...this.entries.get(key)! }))
  }
}
