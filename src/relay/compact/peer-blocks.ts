/**
 * What the compact relay remembers of its peers (BIP152's modes): the
 * HIGH_BANDWIDTH_PEERS peers that most recently brought us a new block first
 * (we ask them to push compact blocks to us), the peers that asked us to
 * push to them, and which blocks each peer is known to have (so a block is not
 * offered back to a peer that sent or announced it). Bounded: a few blocks per
 * peer, a capped number of peers, forgotten on disconnect.
 */
import type { PeerIdString } from '../../net/network.js'

/** Peers we ask to push compact blocks to us (BIP152's high-bandwidth mode). */
export const HIGH_BANDWIDTH_PEERS = 3
/** Block ids remembered per peer. */
export const PEER_KNOWN_BLOCKS_MAX = 16
/** Peers whose known blocks are remembered. */
export const PEERS_TRACKED_MAX = 1024

export class PeerBlocks {
  /** Most recent first, at most HIGH_BANDWIDTH_PEERS. */
  private firstBringers: PeerIdString[] = []
  /** Peers that asked us to push new blocks to them, bounded by PEERS_TRACKED_MAX. */
  private readonly pushTo = new Set<PeerIdString>()
  private readonly known = new Map<PeerIdString, string[]>()

  /**
   * `peer` was the first to bring us a new block: it joins the peers we ask to
   * push to us. Returns the change to ask for: `added` newly in the set,
   * `dropped` pushed out of it (to be told to announce instead).
   */
  broughtFirst(peer: PeerIdString): { added?: PeerIdString; dropped?: PeerIdString } {
    const isNew = !this.firstBringers.includes(peer)
    const before = this.firstBringers
    this.firstBringers = [peer, ...before.filter((p) => p !== peer)].slice(0, HIGH_BANDWIDTH_PEERS)
    if (!isNew) return {}
    const dropped = before.find((p) => !this.firstBringers.includes(p))
    return dropped === undefined ? { added: peer } : { added: peer, dropped }
  }

  /** The peers we ask to push to us, most recent first. */
  pushers(): PeerIdString[] {
    return [...this.firstBringers]
  }

  /** A peer asked us to push new blocks to it (true) or to announce them (false). */
  setMode(peer: PeerIdString, highBandwidth: boolean): void {
    if (!highBandwidth) this.pushTo.delete(peer)
    else if (this.pushTo.size < PEERS_TRACKED_MAX) this.pushTo.add(peer)
  }

  /** The peers among `connected` that asked us to push new blocks to them. */
  highBandwidth(connected: ReadonlySet<PeerIdString>): PeerIdString[] {
    return [...this.pushTo].filter((p) => connected.has(p))
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
    this.pushTo.delete(peer)
    this.firstBringers = this.firstBringers.filter((p) => p !== peer)
  }
}
