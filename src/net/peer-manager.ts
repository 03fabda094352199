/**
 * The peer manager: whom this node dials, and what it learns about
 * addresses, modelled on Bitcoin Core's CConnman and addrman (src/peers/
 * holds the pure decisions; this module feeds them live events and carries
 * out their choices).
 *
 * - Addresses live in the address manager (src/peers/addrman.ts), learned
 *   from the bootstrap list, outbound peers' identify (source: the peer's
 *   IP), inbound peers' identify (source: their IP, so their group; never
 *   straight to tried), DHT and mDNS discoveries. Only our own completed
 *   outbound connections (status exchanged) move an address to tried.
 * - Outbound slots (src/peers/outbound-slots.ts): the anchors first
 *   (block-relay), then one full-relay connection, then the 2 block-relay
 *   slots, then the other 7 full-relay ones; at most one per network group.
 *   The one full-relay connection comes before any block-relay one because
 *   a node whose only outbound peers are block-relay takes transactions
 *   from nobody it chose: on a small network (a devnet of five, all dialing
 *   the one bootstrap node) no transaction would reach it. (Bitcoin Core
 *   fills all 8 full-relay slots first; then a network of fewer than 9
 *   groups would never open a block-relay slot nor save an anchor.) A
 *   feeler every ~2 minutes tests an address and hangs up once the status
 *   exchange is done.
 * - The bootstrap list is dialed directly only when the address manager
 *   offers nothing better and we hold no outbound connection: a fresh node
 *   still joins, a known one does not lean on a few well-known hosts.
 * - An address whose dial failed, or whose peer hung up before the status
 *   exchange, waits (doubling, up to 5 min) before it is dialed again.
 *
 * Everything reaches libp2p through `ManagedHost`, timers and randomness
 * come from outside: tests drive it with a fake host and virtual time.
 */
import type { AddrMan } from '../peers/addrman.js'
import { DialBackoff } from '../peers/dial-backoff.js'
import { ipOfAddr, isGroupLimited, netGroup } from '../peers/net-group.js'
import { type CurrentConnection, OutboundSlots, type OutboundSlotsDeps } from '../peers/outbound-slots.js'
import type { ConnectionType, GroupPolicy, PeerAddress } from '../peers/types.js'
import type { Rng } from '../util/rng.js'
import type { Timers } from '../util/timers.js'
import { dialableAddrs } from './dialable-addrs.js'
import { dialableBook } from './dialable-book.js'
import type { NetworkLog } from './options.js'
import { hasPeerIdShape } from './peer-ids.js'
import { describe } from './request.js'

/** How often the manager looks at its slots (it also wakes on every disconnect). */
export const MANAGER_TICK_MS = 2_000
/** A feeler that has not completed the status exchange by then is hung up on (and counts as failed). */
export const FEELER_LIFETIME_MS = 10_000

/** One open connection, as the manager sees it. */
export interface ManagedConnection {
  peer: string
  direction: 'inbound' | 'outbound'
  /** The remote multiaddr (the IP we group by). */
  remoteAddr: string
}

/** The part of the libp2p node the manager uses (the network adapts its node to it; tests pass a fake). */
export interface ManagedHost {
  readonly self: string
  /** Open connections. */
  connections(): ManagedConnection[]
  /** Dials `addr` (its peer id appended); resolves once connected. */
  dial(addr: PeerAddress, signal: AbortSignal): Promise<void>
  hangUp(peer: string): Promise<void>
}

export interface PeerManagerDeps {
  host: ManagedHost
  addrman: AddrMan
  policy: GroupPolicy
  /** The configured bootstrap peers. */
  bootstrap: PeerAddress[]
  /** The anchors of the last run (block-relay peers), dialed first. */
  anchors: PeerAddress[]
  /** Banned or discouraged peer ids: never dialed, nothing learned from them. */
  isRefused(peer: string): boolean
  /** Addresses in a banned subnet or of a discouraged IP: never dialed. */
  isAddressRefused(addr: string): boolean
  targets: { fullRelay: number; blockRelay: number }
  dialTimeoutMs: number
  timers: Timers
  nowMs(): number
  rng: Rng
  log: NetworkLog
}

/** An outbound connection we opened (or are opening). */
interface Dialed {
  addr: PeerAddress
  type: ConnectionType
  /** The status exchange completed: the address went to tried. */
  good: boolean
}

export class PeerManager {
  /** Anchors, the block-relay and full-relay slots, and feelers. */
  private readonly slots: OutboundSlots
  /** The full-relay slots alone: the first full-relay connection opens before any block-relay one. */
  private readonly fullRelaySlots: OutboundSlots
  private anchorsLeft: number
  /** Dials in flight, by peer. */
  private readonly pending = new Map<string, Dialed>()
  /** Open outbound connections we made (and the operator's), by peer. */
  private readonly dialed = new Map<string, Dialed>()
  private readonly backoff: DialBackoff
  private readonly feelerTimers = new Map<string, unknown>()
  private timer: unknown
  private running = false
  /** During a tick: the peers we hold or are dialing, and the groups our full- and block-relay connections hold. */
  private held: { peers: Set<string>; groups: Set<string> } | undefined

  constructor(private readonly deps: PeerManagerDeps) {
    this.backoff = new DialBackoff(deps.nowMs)
    const slotDeps: OutboundSlotsDeps = {
      book: dialableBook(deps.addrman, (addr) => this.dialable(addr)),
      policy: deps.policy,
      groupOf: (addr) => this.groupOf(addr.addr),
      rng: deps.rng,
      nowMs: deps.nowMs,
    }
    this.slots = new OutboundSlots(slotDeps, deps.targets)
    this.fullRelaySlots = new OutboundSlots(slotDeps, { fullRelay: deps.targets.fullRelay, blockRelay: 0 })
    this.anchorsLeft = deps.anchors.length
  }

  start(): void {
    if (this.running) return
    this.running = true
    for (const boot of this.deps.bootstrap) this.deps.addrman.add([boot], 'bootstrap', ipOfAddr(boot.addr) ?? '')
    for (const anchor of this.deps.anchors) this.deps.addrman.add([anchor], 'anchor', ipOfAddr(anchor.addr) ?? '')
    this.schedule()
    this.tick()
  }

  /** Stops dialing; returns the anchors to save: the block-relay peers we hold now. */
  stop(): PeerAddress[] {
    this.running = false
    this.deps.timers.clearTimeout(this.timer)
    for (const handle of this.feelerTimers.values()) this.deps.timers.clearTimeout(handle)
    this.feelerTimers.clear()
    return this.anchors()
  }

  /** Anchors of the last run, to be dialed first. */
  get anchorsToDial(): number {
    return this.deps.anchors.length
  }

  /** The block-relay peers we are connected to, with the address we dialed. */
  anchors(): PeerAddress[] {
    return [...this.dialed.values()].filter((d) => d.type === 'block-relay').map((d) => d.addr)
  }

  /** Why a connection to `peer` exists. Outbound connections we did not open (DHT queries) count as manual: outside the slots. */
  connectionType(peer: string, outbound: boolean): ConnectionType {
    if (!outbound) return 'inbound'
    return this.dialed.get(peer)?.type ?? this.pending.get(peer)?.type ?? 'manual'
  }

  /** The network group of a multiaddr's IP (`local` without one). */
  groupOf(addr: string): string {
    return netGroup(ipOfAddr(addr) ?? '', this.deps.policy)
  }

  /** The operator dialed `addr` (net_connect): outside the slots, and remembered as the operator's address. */
  dialedManually(addr: PeerAddress): void {
    this.deps.addrman.add([addr], 'operator', ipOfAddr(addr.addr) ?? '')
    if (!this.dialed.has(addr.peer)) this.dialed.set(addr.peer, { addr, type: 'manual', good: false })
  }

  /** An outbound connection to `peer` opened (libp2p's connection:open, or our dial resolving). */
  outboundOpened(peer: string): void {
    const record = this.pending.get(peer)
    if (record === undefined) return
    this.pending.delete(peer)
    // closed again before we heard of it (a feeler done, a peer that refused us): nothing to keep
    if (!this.deps.host.connections().some((c) => c.peer === peer)) {
      if (!record.good) this.backoff.failed(record.addr.addr)
      return
    }
    this.dialed.set(peer, record)
    if (record.type === 'feeler') {
      const handle = this.deps.timers.setTimeout(() => {
        this.feelerTimers.delete(peer)
        if (this.dialed.get(peer) === record && !record.good) void this.hangUp(peer, 'feeler without status')
      }, FEELER_LIFETIME_MS)
      this.feelerTimers.set(peer, handle)
    }
  }

  /** The status exchange with `peer` completed: an address we dialed is good; a feeler's work is done. */
  statusCompleted(peer: string): void {
    const record = this.dialed.get(peer) ?? this.pending.get(peer)
    if (record === undefined || record.good) return
    record.good = true
    this.backoff.succeeded(record.addr.addr)
    this.deps.addrman.good(record.addr)
    if (record.type === 'feeler') void this.hangUp(peer, 'feeler done')
  }

  /**
   * Identify told us where `peer` listens. From an outbound peer the source
   * is the IP we reached it at; from an inbound one, the IP it came from (so
   * its group limits what it can fill). Block-relay peers relay no
   * addresses, as in Bitcoin Core: they stay invisible to address-based
   * topology probing.
   */
  identified(peer: string, listenAddrs: ReadonlyArray<unknown>, connection: ManagedConnection): void {
    if (peer === this.deps.host.self || this.deps.isRefused(peer)) return
    if (this.dialed.get(peer)?.type === 'block-relay') return
    const addrs = dialableAddrs(listenAddrs).map((addr) => ({ peer, addr }))
    if (addrs.length === 0) return
    const origin = connection.direction === 'outbound' ? 'outbound-identify' : 'inbound-identify'
    this.deps.addrman.add(addrs, origin, ipOfAddr(connection.remoteAddr) ?? '')
  }

  /**
   * A DHT walk or mDNS found `peer` at `addrs`. Nobody we can name told us,
   * so each address is its own source: one group still reaches only the
   * buckets of one (group, group) pair.
   */
  discovered(peer: string, addrs: ReadonlyArray<unknown>, origin: 'dht' | 'mdns'): void {
    if (peer === this.deps.host.self || this.deps.isRefused(peer)) return
    let added = 0
    for (const addr of dialableAddrs(addrs))
      added += this.deps.addrman.add([{ peer, addr }], origin, ipOfAddr(addr) ?? '')
    // a free slot need not wait for the next tick
    if (added > 0) this.tick()
  }

  /** The last connection to `peer` closed. */
  disconnected(peer: string): void {
    const record = this.dialed.get(peer)
    this.dialed.delete(peer)
    const feeler = this.feelerTimers.get(peer)
    if (feeler !== undefined) {
      this.deps.timers.clearTimeout(feeler)
      this.feelerTimers.delete(peer)
    }
    if (record !== undefined) {
      if (!record.good) this.backoff.failed(record.addr.addr)
      else if (record.type !== 'feeler') this.deps.addrman.connected(record.addr)
    }
    // a lost outbound peer is replaced without waiting for the next tick
    this.tick()
  }

  /** A banned or discouraged peer: its addresses are forgotten. */
  forget(peer: string): void {
    this.deps.addrman.remove(peer)
  }

  /** Opens what the slots call for now; never awaits the dials. */
  tick(): void {
    if (!this.running) return
    try {
      this.fillSlots()
    } catch (err) {
      // a bug here must not take the node down from a timer callback; the next tick tries again
      this.deps.log('net: peer manager tick failed', { err: describe(err) })
    } finally {
      this.held = undefined
    }
  }

  private fillSlots(): void {
    this.deps.addrman.resolveCollisions()
    const current = this.current()
    const held = { peers: new Set<string>(), groups: new Set<string>() }
    const hold = (c: CurrentConnection): void => {
      held.peers.add(c.peer)
      if ((c.type === 'full-relay' || c.type === 'block-relay') && isGroupLimited(c.group)) held.groups.add(c.group)
    }
    for (const c of current) hold(c)
    this.held = held
    const open = (addr: PeerAddress, type: ConnectionType): void => {
      this.startDial(addr, type)
      const c = { peer: addr.peer, group: this.groupOf(addr.addr), type }
      current.push(c)
      hold(c)
    }
    // the anchors: the slots hand each out once (as block-relay), then offer the book
    while (this.anchorsLeft > 0) {
      const next = this.slots.next(current, this.deps.anchors)
      const anchor = next !== undefined && this.deps.anchors.some((a) => a.peer === next.addr.peer)
      this.anchorsLeft = anchor ? this.anchorsLeft - 1 : 0
      if (next !== undefined && anchor) open(next.addr, next.type)
    }
    const fullRelayFirst = Math.min(1, this.deps.targets.fullRelay)
    if (current.filter((c) => c.type === 'full-relay').length < fullRelayFirst) {
      const next = this.fullRelaySlots.next(current, [])
      if (next !== undefined) open(next.addr, next.type)
    }
    if (current.filter((c) => c.type === 'full-relay').length >= fullRelayFirst) {
      // the slots fill block-relay, then full-relay
      for (let next = this.slots.next(current, []); next !== undefined; next = this.slots.next(current, []))
        open(next.addr, next.type)
    }
    const feeler = this.slots.nextFeeler(current, this.deps.nowMs())
    if (feeler !== undefined) open(feeler, 'feeler')
    if (!current.some((c) => c.type === 'full-relay' || c.type === 'block-relay')) this.dialBootstrap(current)
  }

  /** Every connection we hold or are opening, by peer, with its type and group. */
  private current(): CurrentConnection[] {
    const byPeer = new Map<string, CurrentConnection>()
    const outbound = new Set<string>()
    for (const conn of this.deps.host.connections()) {
      if (conn.direction === 'outbound') outbound.add(conn.peer)
      if (!byPeer.has(conn.peer))
        byPeer.set(conn.peer, { peer: conn.peer, group: this.groupOf(conn.remoteAddr), type: 'inbound' })
    }
    for (const entry of byPeer.values()) entry.type = this.connectionType(entry.peer, outbound.has(entry.peer))
    for (const [peer, record] of this.pending) {
      if (!byPeer.has(peer)) byPeer.set(peer, { peer, group: this.groupOf(record.addr.addr), type: record.type })
    }
    return [...byPeer.values()]
  }

  /** Nothing better: the bootstrap peers we are not connected to, as full-relay connections. */
  private dialBootstrap(current: CurrentConnection[]): void {
    const present = new Set(current.map((c) => c.peer))
    let room = this.deps.targets.fullRelay
    for (const boot of this.deps.bootstrap) {
      if (room <= 0) break
      if (present.has(boot.peer) || !this.dialable(boot)) continue
      present.add(boot.peer)
      room--
      this.startDial(boot, 'full-relay')
    }
  }

  private startDial(addr: PeerAddress, type: ConnectionType): void {
    const record: Dialed = { addr, type, good: false }
    this.pending.set(addr.peer, record)
    this.deps.addrman.attempt(addr)
    void this.dial(record)
  }

  private async dial(record: Dialed): Promise<void> {
    const { peer } = record.addr
    try {
      await this.deps.host.dial(record.addr, AbortSignal.timeout(this.deps.dialTimeoutMs))
      this.outboundOpened(peer)
    } catch (err) {
      if (this.pending.get(peer) === record) {
        this.pending.delete(peer)
        this.backoff.failed(record.addr.addr)
        if (this.running) this.deps.log('net: dial failed', { peer, addr: record.addr.addr, err: describe(err) })
      }
    }
  }

  private dialable(addr: PeerAddress): boolean {
    if (addr.peer === this.deps.host.self || !hasPeerIdShape(addr.peer) || this.pending.has(addr.peer)) return false
    if (this.held?.peers.has(addr.peer) || this.held?.groups.has(this.groupOf(addr.addr))) return false
    if (this.deps.isRefused(addr.peer) || this.deps.isAddressRefused(addr.addr)) return false
    return this.backoff.ready(addr.addr)
  }

  private async hangUp(peer: string, why: string): Promise<void> {
    await this.deps.host.hangUp(peer).catch((err: unknown) => {
      this.deps.log('net: hang-up failed', { peer, why, err: describe(err) })
    })
  }

  private schedule(): void {
    this.timer = this.deps.timers.setTimeout(() => {
      this.tick()
      if (this.running) this.schedule()
    }, MANAGER_TICK_MS)
  }
}
