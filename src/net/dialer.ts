import type { PeerId } from '@libp2p/interface'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import type { BanList } from './bans.js'
import type { NetworkLog } from './options.js'
import type { PeerBook } from './peer-book.js'
import { parsePeerId } from './peer-ids.js'
import { describe } from './request.js'

/** How often the dialer checks its outbound count (it also wakes on every discovery). */
export const DIAL_INTERVAL_MS = 5_000
/** After a failed dial the peer waits base * 2^(failures - 1), at most max, before the next try. */
export const DIAL_BACKOFF_BASE_MS = 5_000
export const DIAL_BACKOFF_MAX_MS = 5 * 60_000
/** A known peer that failed this many dials in a row (no identify after them) leaves the peer book. */
export const FORGET_AFTER_FAILURES = 10
/** Discovered (never connected) peers remembered as candidates, at most. */
export const DISCOVERED_MAX = 1_000

/** The part of the libp2p node the dialer uses (a libp2p node satisfies it; tests pass a fake). */
export interface DialerHost {
  readonly peerId: { toString(): string }
  getConnections(): ReadonlyArray<{ direction: string; status: string; remotePeer: { toString(): string } }>
  getPeers(): ReadonlyArray<{ toString(): string }>
  dial(peer: PeerId, options: { signal: AbortSignal }): Promise<unknown>
  peerStore: { merge(peer: PeerId, data: { multiaddrs: Multiaddr[] }): Promise<unknown> }
}

export interface DialerDeps {
  host: DialerHost
  peerBook: PeerBook
  /** Banned or discouraged peers are never dialed. */
  bans: Pick<BanList, 'isBanned'>
  bootstrap: string[]
  outboundTarget: number
  dialTimeoutMs: number
  nowMs: () => number
  log: NetworkLog
}

interface Failure {
  count: number
  retryAtMs: number
}

/**
 * Keeps dialing toward `outboundTarget` outbound peers: known peers first (most
 * recently seen), then bootstrap peers, then discovered ones (bootstrap, mDNS,
 * DHT), skipping banned peers and those backing off after a failure.
 */
export class OutboundDialer {
  private readonly discovered = new Set<string>()
  private readonly failures = new Map<string, Failure>()
  private readonly dialing = new Set<string>()
  private readonly bootstrapPeers: Array<{ id: string; addr: string }>
  private timer: NodeJS.Timeout | undefined
  private running = false

  constructor(private readonly deps: DialerDeps) {
    this.bootstrapPeers = deps.bootstrap.flatMap((addr) => {
      const id = multiaddr(addr)
        .getComponents()
        .findLast((c) => c.name === 'p2p')?.value
      return id === undefined ? [] : [{ id, addr }]
    })
  }

  start(): void {
    this.running = true
    this.timer = setInterval(() => this.tick(), DIAL_INTERVAL_MS)
    this.timer.unref()
    this.tick()
  }

  stop(): void {
    this.running = false
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** A discovered peer (bootstrap, mDNS, DHT, random walk) becomes a dial candidate. */
  addCandidate(id: string): void {
    if (id === this.deps.host.peerId.toString()) return
    this.discovered.delete(id)
    this.discovered.add(id)
    if (this.discovered.size > DISCOVERED_MAX) {
      const oldest = this.discovered.values().next().value
      if (oldest !== undefined) this.discovered.delete(oldest)
    }
  }

  /** Distinct peers we hold an outbound connection to. */
  outboundCount(): number {
    const peers = new Set<string>()
    for (const conn of this.deps.host.getConnections()) {
      if (conn.direction === 'outbound' && conn.status === 'open') peers.add(conn.remotePeer.toString())
    }
    return peers.size
  }

  /** Identify ran on a connection to `id`: the peer accepted us, so its dial failures are forgiven. */
  onIdentified(id: string): void {
    this.failures.delete(id)
  }

  /** Starts as many dials as the outbound deficit allows; never awaits them. */
  tick(): void {
    if (!this.running) return
    let deficit = this.deps.outboundTarget - this.outboundCount() - this.dialing.size
    if (deficit <= 0) return
    for (const candidate of this.candidates()) {
      if (deficit <= 0) break
      deficit--
      void this.dial(candidate.id, candidate.addrs)
    }
  }

  private *candidates(): Generator<{ id: string; addrs: string[] }> {
    const seen = new Set<string>()
    const connected = new Set(this.deps.host.getPeers().map((p) => p.toString()))
    const self = this.deps.host.peerId.toString()
    const nowMs = this.deps.nowMs()
    const eligible = (id: string): boolean => {
      if (seen.has(id) || id === self || connected.has(id) || this.dialing.has(id)) return false
      seen.add(id)
      if (this.deps.bans.isBanned(id)) return false
      const failure = this.failures.get(id)
      return failure === undefined || failure.retryAtMs <= nowMs
    }
    for (const known of this.deps.peerBook.list()) if (eligible(known.id)) yield { id: known.id, addrs: known.addrs }
    for (const boot of this.bootstrapPeers) if (eligible(boot.id)) yield { id: boot.id, addrs: [boot.addr] }
    for (const id of [...this.discovered].reverse()) if (eligible(id)) yield { id, addrs: [] }
  }

  private async dial(id: string, addrs: string[]): Promise<void> {
    const peerId = parsePeerId(id)
    if (peerId === undefined) return
    this.dialing.add(id)
    const attempts = this.noteAttempt(id)
    try {
      if (addrs.length > 0) await this.deps.host.peerStore.merge(peerId, { multiaddrs: addrs.map((a) => multiaddr(a)) })
      await this.deps.host.dial(peerId, { signal: AbortSignal.timeout(this.deps.dialTimeoutMs) })
    } catch (err) {
      if (this.running) this.deps.log('net: dial failed', { peer: id, attempts, err: describe(err) })
    } finally {
      this.dialing.delete(id)
    }
  }

  /**
   * Every attempt counts as a failure until identify completes on the new
   * connection: a peer that bans us accepts the TCP + Noise handshake and only
   * then hangs up, and without this we would redial it in a tight loop.
   */
  private noteAttempt(id: string): number {
    const count = (this.failures.get(id)?.count ?? 0) + 1
    const backoffMs = Math.min(DIAL_BACKOFF_MAX_MS, DIAL_BACKOFF_BASE_MS * 2 ** (count - 1))
    this.failures.delete(id)
    this.failures.set(id, { count, retryAtMs: this.deps.nowMs() + backoffMs })
    if (this.failures.size > DISCOVERED_MAX * 4) {
      const oldest = this.failures.keys().next().value
      if (oldest !== undefined) this.failures.delete(oldest)
    }
    if (count > FORGET_AFTER_FAILURES && this.deps.peerBook.get(id) !== undefined) {
      this.deps.peerBook.forget(id)
      this.deps.log('net: forgetting an unreachable known peer', { peer: id, attempts: count - 1 })
    }
    return count
  }
}
