/**
 * The old peer management, modelled for the eclipse benchmark: the peer
 * book of src/net/peer-book.ts (PeerBook) and the dialer of
 * src/net/dialer.ts (OutboundDialer) as they were before the peer manager
 * (commit cd010f3), small enough to run a thousand simulated days. What it
 * keeps of them:
 *
 * - the book remembers every peer we are connected to, in either direction,
 *   with the listen addresses it reports in identify (at most 8, newest
 *   first), stamped with the time; at most 1,000 peers, the least recently
 *   seen leave first; an outbound connection also remembers the address
 *   dialed;
 * - the dialer fills the outbound target with known peers, most recently
 *   seen first, then discovered peers (DHT answers), newest first (at most
 *   1,000 remembered), skipping connected peers and those backing off after
 *   a failed dial (5 s doubling to 5 min; a known peer that failed 10 dials
 *   in a row leaves the book).
 *
 * No groups, no buckets, no secret: what the attacker tells us last is what
 * we dial first.
 */
import type { PeerAddress } from '../src/peers/types.js'
import type { Connection, Dial, VictimPolicy } from './eclipse-policy.js'

const PEER_BOOK_MAX = 1_000
const ADDRS_PER_PEER_MAX = 8
const DISCOVERED_MAX = 1_000
const DIAL_BACKOFF_BASE_MS = 5_000
const DIAL_BACKOFF_MAX_MS = 5 * 60_000
const FORGET_AFTER_FAILURES = 10

export class OldPeerBook {
  /** Peer id → addresses. Insertion order is last-seen order (remember() deletes and re-inserts), as the real book's lastSeenMs sort. */
  private readonly peers = new Map<string, string[]>()

  remember(id: string, addrs: string[]): void {
    const previous = this.peers.get(id)
    const merged = [...new Set([...addrs, ...(previous ?? [])])].slice(0, ADDRS_PER_PEER_MAX)
    if (merged.length === 0) return
    this.peers.delete(id)
    this.peers.set(id, merged)
    while (this.peers.size > PEER_BOOK_MAX) {
      const oldest = this.peers.keys().next().value
      if (oldest === undefined) break
      this.peers.delete(oldest)
    }
  }

  forget(id: string): void {
    this.peers.delete(id)
  }

  has(id: string): boolean {
    return this.peers.has(id)
  }

  /** Most recently seen first. */
  *list(): Generator<{ id: string; addrs: string[] }> {
    const entries = [...this.peers.entries()]
    for (let i = entries.length - 1; i >= 0; i--) {
      const [id, addrs] = entries[i] as [string, string[]]
      yield { id, addrs }
    }
  }

  get size(): number {
    return this.peers.size
  }
}

interface Discovered {
  id: string
  addr: string
}

export class OldPolicy implements VictimPolicy {
  readonly name = 'old'
  private readonly book = new OldPeerBook()
  /** Discovered peers with the last address the DHT gave (libp2p's peer store), oldest first. */
  private readonly discovered = new Map<string, Discovered>()
  /** Discovery order, for evicting the oldest in O(1): entries a rediscovery replaced are skipped. */
  private discoveredOrder: Discovered[] = []
  private discoveredHead = 0
  private readonly failures = new Map<string, { count: number; retryAtMs: number }>()

  constructor(private readonly outboundTarget: number) {}

  start(): void {
    // the dialer's failure memory and its discovered peers live in the process
    this.failures.clear()
    this.discovered.clear()
    this.discoveredOrder = []
    this.discoveredHead = 0
  }

  stop(): void {}

  nextDial(current: Connection[], nowMs: number): Dial | undefined {
    const outbound = current.filter((c) => c.type !== 'inbound').length
    if (outbound >= this.outboundTarget) return undefined
    const connected = new Set(current.map((c) => c.peer))
    const eligible = (id: string): boolean => {
      if (connected.has(id)) return false
      const failure = this.failures.get(id)
      return failure === undefined || failure.retryAtMs <= nowMs
    }
    let chosen: { id: string; addrs: string[] } | undefined
    for (const known of this.book.list())
      if (eligible(known.id)) {
        chosen = known
        break
      }
    if (chosen === undefined)
      for (const { id, addr } of [...this.discovered.values()].reverse())
        if (eligible(id)) {
          chosen = { id, addrs: [addr] }
          break
        }
    if (chosen === undefined) return undefined
    this.noteAttempt(chosen.id, nowMs)
    // libp2p dials every address it has for the peer: the first that answers wins
    return { peer: chosen.id, addrs: chosen.addrs, type: 'full-relay' }
  }

  dialFailed(): void {}

  outboundConnected(addr: PeerAddress): void {
    this.book.remember(addr.peer, [addr.addr])
  }

  identified(peer: string, _ip: string, listenAddrs: string[]): void {
    this.failures.delete(peer)
    this.book.remember(peer, listenAddrs)
  }

  learned(addrs: PeerAddress[]): void {
    for (const a of addrs) {
      const entry = { id: a.peer, addr: a.addr }
      this.discovered.delete(a.peer)
      this.discovered.set(a.peer, entry)
      this.discoveredOrder.push(entry)
      while (this.discovered.size > DISCOVERED_MAX) {
        const oldest = this.discoveredOrder[this.discoveredHead++] as Discovered
        if (this.discovered.get(oldest.id) === oldest) this.discovered.delete(oldest.id)
      }
      if (this.discoveredHead > 4 * DISCOVERED_MAX) {
        this.discoveredOrder = this.discoveredOrder.slice(this.discoveredHead)
        this.discoveredHead = 0
      }
    }
  }

  nextFeeler(): PeerAddress | undefined {
    return undefined
  }

  feelerDone(): void {}

  disconnected(): void {}

  private noteAttempt(id: string, nowMs: number): void {
    const count = (this.failures.get(id)?.count ?? 0) + 1
    const backoffMs = Math.min(DIAL_BACKOFF_MAX_MS, DIAL_BACKOFF_BASE_MS * 2 ** (count - 1))
    this.failures.set(id, { count, retryAtMs: nowMs + backoffMs })
    if (count > FORGET_AFTER_FAILURES && this.book.has(id)) this.book.forget(id)
  }
}
