/**
 * Blocks asked for by a `getBlock` message after an announcement, each with
 * the peers that announced it (the one asked first) and a deadline on the
 * injected timers: a compact block that comes clears it; when none comes,
 * the deadline hands the entry back (compact-receive.ts then fetches the full
 * block from the announcers). Bounded by its caller (PENDING_BLOCKS_MAX).
 */
import type { PeerIdString } from '../../net/network.js'
import type { Timers } from '../../util/timers.js'

export interface AskedBlock {
  hash: Uint8Array
  /** The peer asked, then the others that announced the block meanwhile. */
  peers: PeerIdString[]
}

export class AskedBlocks {
  private readonly asked = new Map<string, AskedBlock & { timer: unknown }>()

  constructor(private readonly timers: Timers) {}

  get size(): number {
    return this.asked.size
  }

  /** Notes that `peer` announced a block already asked for; false when it is not asked. */
  alsoAnnounced(blockId: string, peer: PeerIdString): boolean {
    const asked = this.asked.get(blockId)
    if (!asked) return false
    if (!asked.peers.includes(peer)) asked.peers.push(peer)
    return true
  }

  /** Blocks asked of `peer` (it was the one asked). */
  countAskedOf(peer: PeerIdString): number {
    let count = 0
    for (const asked of this.asked.values()) if (asked.peers[0] === peer) count++
    return count
  }

  /** `peer` is asked for the block; `timedOut` gets the entry if no block clears it within `deadlineMs`. */
  ask(
    blockId: string,
    hash: Uint8Array,
    peer: PeerIdString,
    deadlineMs: number,
    timedOut: (asked: AskedBlock) => void,
  ): void {
    const timer = this.timers.setTimeout(() => {
      const asked = this.asked.get(blockId)
      if (!asked) return
      this.asked.delete(blockId)
      timedOut(asked)
    }, deadlineMs)
    this.asked.set(blockId, { hash, peers: [peer], timer })
  }

  /** Forgets a block (it came, or the message failed); false when it was not asked. */
  clear(blockId: string): boolean {
    const asked = this.asked.get(blockId)
    if (!asked) return false
    this.timers.clearTimeout(asked.timer)
    this.asked.delete(blockId)
    return true
  }
}
