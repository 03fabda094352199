/**
 * What the compact relay remembers of its peers: which peers most recently
 * brought us a new block first (the high-bandwidth set: they get our compact
 * blocks pushed at once), and which blocks each peer is known to have (so a
 * block is not offered back to a peer that sent or announced it). Bounded:
 * a few blocks per peer, a capped number of peers, forgotten on disconnect.
 */
import type { PeerIdString } from '../../net/network.js'

/** Peers that get compact blocks pushed (BIP152's high-bandwidth mode). */
export const HIGH_BANDWIDTH_PEERS = 3
/** Block ids remembered per peer. */
export const PEER_KNOWN_BLOCKS_MAX = 16
/** Peers whose known blocks are remembered. */
export const PEERS_TRACKED_MAX = 1024

export class PeerBlocks {
  /** Most recent first, at most HIGH_BANDWIDTH_PEERS. */
  private firstBringers: PeerIdString[] = []
  private readonly known = new Map<PeerIdString, string[]>()

  /** `peer` was the first to bring us a new block. */
  broughtFirst(peer: PeerIdString): void {
    this.firstBringers = [peer, ...this.firstBringers.filter((p) => p !== peer)].slice(0, HIGH_BANDWIDTH_PEERS)
  }

  /** The high-bandwidth peers among `connected`, most recent first. */
  highBandwidth(connected: ReadonlySet<PeerIdString>): PeerIdString[] {
    return this.firstBringers.filter((p) => connected.has(p))
  }

  noteKnows(peer: PeerIdString, blockId: string): void {
    let ids = this.known.get(peer)
    if (!ids) {
      if (this.known.size >= PEERS_TRACKED_MAX) {
        const oldest = this.known.keys().next().value as PeerIdString
        this.known.delete(oldest)
      }
      ids = []
      this.known.set(peer, ids)
    }
    if (ids.includes(blockId)) return
    ids.push(blockId)
    if (ids.length > PEER_KNOWN_BLOCKS_MAX) ids.shift()
  }

  knows(peer: PeerIdString, blockId: string): boolean {
    return this.known.get(peer)?.includes(blockId) ?? false
  }

  forget(peer: PeerIdString): void {
    this.known.delete(peer)
    this.firstBringers = this.firstBringers.filter((p) => p !== peer)
  }
}
