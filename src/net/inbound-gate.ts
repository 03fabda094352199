/**
 * Admission of inbound connections, asked by the connection gater before any
 * handshake work: caps per IP and per network group, and when every inbound
 * slot is taken, eviction of one present peer as Bitcoin Core does (the
 * decisions are src/peers/inbound-limits.ts and eviction.ts; this module
 * feeds them live connection data and carries the verdict out).
 *
 * Connections still in their handshake are not in libp2p's connection list
 * yet, so each admission holds a reservation for its IP and group until the
 * connection opens, its raw connection closes (a failed or refused
 * handshake), or the handshake timeout passes: otherwise sixteen simultaneous
 * handshakes from one IP would all see an empty table. Without the release on
 * close, a peer refused after its handshake (a discouraged one, redialing)
 * would hold a slot per attempt for the whole timeout and could fill the
 * inbound table with dead reservations.
 */
import { selectPeerToEvict } from '../peers/eviction.js'
import { type InboundLimits, type InboundPeer, inboundVerdict } from '../peers/inbound-limits.js'
import type { GroupPolicy } from '../peers/types.js'

/** An open inbound connection, with what eviction weighs. */
export interface InboundConnection {
  peer: string
  ip: string
  group: string
  connectedAtMs: number
  minPingMs?: number
  lastTxMs?: number
  lastBlockMs?: number
}

export interface InboundGateDeps {
  limits: InboundLimits
  policy: GroupPolicy
  groupOf(ip: string): string
  /** Open inbound connections now. */
  inbound(): InboundConnection[]
  /** Disconnects a peer chosen for eviction (asynchronously). */
  evict(peer: string, why: string): void
  /** Secret for eviction's keyed group protection. */
  key: Uint8Array
  nowMs(): number
  /** How long an admitted connection may take to open (the inbound handshake timeout). */
  reservationMs: number
}

interface Reservation {
  ip: string
  group: string
  untilMs: number
}

/** An admitted connection's hold on its slot while it handshakes. */
export interface Admission {
  /** The raw connection closed before opening: its slot is free again (idempotent). */
  release(): void
}

/** Reservations held at most (libp2p itself keeps at most 16 inbound handshakes pending). */
export const RESERVATIONS_MAX = 256

export class InboundGate {
  private reservations: Reservation[] = []
  /** Peers being evicted: no longer counted, so one newcomer evicts one peer. */
  private readonly leaving = new Set<string>()

  constructor(private readonly deps: InboundGateDeps) {}

  /**
   * Whether a new inbound connection from `ip` may proceed (undefined: no);
   * may evict someone to make room.
   */
  admit(ip: string): Admission | undefined {
    const nowMs = this.deps.nowMs()
    this.reservations = this.reservations.filter((r) => r.untilMs > nowMs)
    if (this.reservations.length >= RESERVATIONS_MAX) return undefined
    const open = this.deps.inbound().filter((c) => !this.leaving.has(c.peer))
    const current: InboundPeer[] = [...open, ...this.reservations]
    const newcomer = { ip, group: this.deps.groupOf(ip) }
    const verdict = inboundVerdict(current, newcomer, this.deps.limits, this.deps.policy)
    if (verdict === 'refuse') return undefined
    if (verdict === 'evict-then-accept') {
      const victim = selectPeerToEvict(
        open.map((c) => ({
          id: c.peer,
          group: c.group,
          connectedAtMs: c.connectedAtMs,
          minPingMs: c.minPingMs,
          lastTxMs: c.lastTxMs,
          lastBlockMs: c.lastBlockMs,
        })),
        this.deps.key,
      )
      if (victim === undefined) return undefined
      this.leaving.add(victim)
      this.deps.evict(victim, `inbound slots full; making room for ${newcomer.group}`)
    }
    const reservation: Reservation = { ...newcomer, untilMs: nowMs + this.deps.reservationMs }
    this.reservations.push(reservation)
    return {
      release: () => {
        const i = this.reservations.indexOf(reservation)
        if (i >= 0) this.reservations.splice(i, 1)
      },
    }
  }

  /** An inbound connection from `ip` opened: its reservation is now a connection. */
  opened(ip: string): void {
    const i = this.reservations.findIndex((r) => r.ip === ip)
    if (i >= 0) this.reservations.splice(i, 1)
  }

  /** A peer's last connection closed. */
  closed(peer: string): void {
    this.leaving.delete(peer)
  }

  /** Connections admitted and still in their handshake. */
  get pending(): number {
    return this.reservations.length
  }
}
