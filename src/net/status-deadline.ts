/**
 * The status-exchange deadline: a peer that connects and never completes the
 * status handshake would hold a slot for free (an inbound squatter costs us a
 * slot, an outbound one a dial). Every newly connected peer gets
 * `deadlineMs` to complete it (the node reports that through
 * Network.notePeerActivity(peer, 'status')); a peer that misses it is handed
 * to `onMissed`, which disconnects and charges it a little. Timers come from
 * outside, so tests drive time.
 */
import type { Timers } from '../util/timers.js'

export interface StatusDeadlineDeps {
  timers: Timers
  deadlineMs: number
  onMissed(peer: string): void
}

export class StatusDeadline {
  private readonly pending = new Map<string, unknown>()
  private stopped = false

  constructor(private readonly deps: StatusDeadlineDeps) {}

  /** A peer connected; starts its clock unless it already runs (a second connection) or its status is done. */
  watch(peer: string): void {
    if (this.stopped || this.pending.has(peer)) return
    const handle = this.deps.timers.setTimeout(() => {
      this.pending.delete(peer)
      this.deps.onMissed(peer)
    }, this.deps.deadlineMs)
    this.pending.set(peer, handle)
  }

  /** The peer completed the status exchange, or disconnected: its clock stops. */
  clear(peer: string): void {
    const handle = this.pending.get(peer)
    if (handle === undefined) return
    this.deps.timers.clearTimeout(handle)
    this.pending.delete(peer)
  }

  /** Peers still inside their deadline. */
  get size(): number {
    return this.pending.size
  }

  stop(): void {
    this.stopped = true
    for (const handle of this.pending.values()) this.deps.timers.clearTimeout(handle)
    this.pending.clear()
  }
}
