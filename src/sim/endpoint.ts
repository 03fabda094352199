/**
 * One node's view of the simulated network: `SimNetwork implements Network`.
 * Connections, bans, scores and events live here; gossip in its router
 * (gossip.ts), request/response in requests.ts; the fabric moves the packets.
 * Like the libp2p network, a stopped endpoint cannot be started again.
 */
import {
  type AddrManStats,
  type GossipMessage,
  type GossipValidator,
  type Network,
  type NetworkEvents,
  type NetworkTraffic,
  type PeerActivity,
  type PeerIdString,
  type PeerInfo,
  RequestError,
  type RequestHandler,
  type RequestLimits,
} from '../net/network.js'
import { isAtBanThreshold, PeerScores, SCORE_BAN_DURATION_MS } from '../net/scores.js'
import type { SimStats } from './counters.js'
import type { SimFabric } from './fabric.js'
import { type RouterHost, SimGossipRouter } from './gossip.js'
import {
  type Access,
  type Packet,
  type PacketBody,
  parseSimAddress,
  parseSimPeerId,
  type SimConnection,
  simAddress,
} from './links.js'
import { type RequestHost, SimRequests } from './requests.js'
import type { SimScheduler } from './scheduler.js'

type Listener<E extends keyof NetworkEvents> = (detail: NetworkEvents[E]) => void

interface Ban {
  reason: string
  sinceMs: number
  /** Set on temporary (score) bans. */
  untilMs?: number
}

export class SimNetwork implements Network, RouterHost, RequestHost {
  readonly peerId: PeerIdString
  readonly scheduler: SimScheduler
  readonly stats: SimStats
  private state: 'created' | 'started' | 'stopped' = 'created'
  private readonly conns = new Map<number, SimConnection>()
  private readonly listeners: { [E in keyof NetworkEvents]: Set<Listener<E>> } = {
    'peer:connect': new Set(),
    'peer:disconnect': new Set(),
    // the simulator has no identify (nor peerSupports): never emitted
    'peer:identify': new Set(),
  }
  private readonly scores: PeerScores
  private readonly banned = new Map<string, Ban>()
  private readonly router: SimGossipRouter
  private readonly requests: SimRequests
  private readonly publishTaps: Array<(topic: string, data: Uint8Array) => void> = []

  constructor(
    private readonly fabric: SimFabric,
    readonly index: number,
    /** Index into the fabric's latency matrix. */
    readonly region: number,
    readonly access: Access,
    heartbeatPhaseMs: number,
  ) {
    this.peerId = fabric.idOf(index)
    this.scheduler = fabric.scheduler
    this.stats = fabric.stats
    this.scores = new PeerScores(() => this.scheduler.nowMs())
    this.router = new SimGossipRouter(this, fabric.gossipModel, fabric.gossipParams, heartbeatPhaseMs)
    this.requests = new SimRequests(this)
  }

  // --- Network -----------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.state === 'stopped') throw new Error('a stopped network cannot be restarted; create a new one')
    this.state = 'started'
  }

  /** Closes every connection; packets to and from this node are dropped from now on. */
  async stop(): Promise<void> {
    this.state = 'stopped'
    this.router.stop()
    for (const conn of [...this.conns.values()]) this.fabric.closeConnection(conn)
  }

  /** The node's one address (available before start: the simulation's addresses are fixed). */
  listenAddresses(): string[] {
    return [simAddress(this.index)]
  }

  subscribe(topic: string, validate: GossipValidator, onMessage: (msg: GossipMessage) => void): void {
    this.router.subscribe(topic, validate, onMessage)
  }

  async publish(topic: string, data: Uint8Array): Promise<number> {
    for (const tap of this.publishTaps) tap(topic, data)
    return this.router.publish(topic, data)
  }

  /** Hears every message this node publishes: for the simulator's observer, which decides nothing. */
  onPublish(tap: (topic: string, data: Uint8Array) => void): void {
    this.publishTaps.push(tap)
  }

  async handle(protocol: string, handler: RequestHandler, limits: RequestLimits): Promise<void> {
    this.requests.handle(protocol, handler, limits)
  }

  request(
    peer: PeerIdString,
    protocol: string,
    request: Uint8Array,
    limits: RequestLimits,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const index = parseSimPeerId(peer)
    return this.requests.request(
      index !== undefined && index < this.fabric.size ? index : undefined,
      protocol,
      request,
      limits,
      signal,
    )
  }

  peers(): PeerInfo[] {
    return [...this.conns].map(([peer, conn]) => {
      const direction = conn.direction(this.index)
      return {
        id: this.fabric.idOf(peer),
        addresses: [simAddress(peer)],
        direction,
        // the simulation has no IP addresses: a node's region stands in for its network group
        group: `sim:${this.fabric.node(peer).region}`,
        connectionType: direction === 'outbound' ? 'full-relay' : 'inbound',
        score: this.scores.get(this.fabric.idOf(peer)),
      }
    })
  }

  /** Connects after one round trip; rejects with RequestError DIAL_FAILED (unknown, banned, stopped, cut off: after the dial timeout). */
  async dial(multiaddr: string): Promise<PeerIdString> {
    const peer = parseSimAddress(multiaddr)
    if (peer === undefined || peer >= this.fabric.size) {
      throw new RequestError('DIAL_FAILED', `no simulated node at ${multiaddr}`)
    }
    await this.fabric.openConnection(this.index, peer)
    return this.fabric.idOf(peer)
  }

  async hangUp(peer: PeerIdString): Promise<void> {
    const conn = this.conns.get(this.parsePeer(peer))
    if (conn) this.fabric.closeConnection(conn)
  }

  /** Bans for good (in memory: a simulation has no disk) and hangs up. */
  async ban(peer: PeerIdString, reason: string): Promise<void> {
    this.parsePeer(peer)
    this.banned.set(peer, { reason, sinceMs: this.scheduler.nowMs() })
    await this.hangUp(peer)
  }

  async unban(peer: PeerIdString): Promise<void> {
    this.banned.delete(peer)
    this.scores.reset(peer)
  }

  bans(): Array<{ peer: PeerIdString; reason: string }> {
    return [...this.banned.keys()]
      .filter((peer) => this.isBanned(peer))
      .map((peer) => ({
        peer,
        reason: (this.banned.get(peer) as Ban).reason,
      }))
  }

  /** Automatic misbehaviour: refused for SCORE_BAN_DURATION_MS, as net/discouraged.ts does, and hung up on. */
  discourage(peer: PeerIdString, reason: string): void {
    this.parsePeer(peer)
    const now = this.scheduler.nowMs()
    this.banned.set(peer, { reason, sinceMs: now, untilMs: now + SCORE_BAN_DURATION_MS })
    void this.hangUp(peer)
  }

  /** The application score of net/scores.ts: at SCORE_BAN_THRESHOLD, a SCORE_BAN_DURATION_MS ban and a hang-up. */
  reportPeer(peer: PeerIdString, penalty: number, reason: string): void {
    this.parsePeer(peer)
    const score = this.scores.charge(peer, penalty)
    if (!isAtBanThreshold(score) || this.isBanned(peer)) return
    const now = this.scheduler.nowMs()
    this.banned.set(peer, { reason: `score ${score}: ${reason}`, sinceMs: now, untilMs: now + SCORE_BAN_DURATION_MS })
    this.scores.reset(peer)
    void this.hangUp(peer)
  }

  /**
   * Only checks the id: the simulation models neither inbound eviction nor
   * the status deadline, so there is nothing to protect or stop.
   */
  notePeerActivity(peer: PeerIdString, _kind: PeerActivity): void {
    this.parsePeer(peer)
  }

  /** The simulation connects by index and keeps no address manager: always empty. */
  addrman(): AddrManStats {
    return { new: 0, tried: 0, groups: [] }
  }

  /** Bytes this node put on its links and received, framing included. */
  traffic(): NetworkTraffic {
    return { bytesIn: this.access.bytesIn, bytesOut: this.access.bytesOut }
  }

  on<E extends keyof NetworkEvents>(event: E, listener: (detail: NetworkEvents[E]) => void): void {
    this.listeners[event].add(listener)
  }

  // --- for reports and tests ---------------------------------------------------------------

  /** Our gossip score of `peer` (rejected messages), apart from the application score in peers(). */
  gossipScore(peer: PeerIdString): number {
    return this.router.gossipScore(this.parsePeer(peer))
  }

  /** Our mesh peers of `topic` (gossipsub). */
  meshPeers(topic: string): PeerIdString[] {
    return [...(this.router.meshOf(topic) ?? [])].map((i) => this.fabric.idOf(i))
  }

  // --- for the fabric, the router and requests (internal) -----------------------------------

  isStarted(): boolean {
    return this.state === 'started'
  }

  isBanned(peer: PeerIdString): boolean {
    const ban = this.banned.get(peer)
    if (ban === undefined) return false
    if (ban.untilMs !== undefined && ban.untilMs <= this.scheduler.nowMs()) {
      this.banned.delete(peer)
      return false
    }
    return true
  }

  idOf(node: number): string {
    return this.fabric.idOf(node)
  }

  connectionTo(peer: number): SimConnection | undefined {
    return this.conns.get(peer)
  }

  connectedPeers(): Iterable<number> {
    return this.conns.keys()
  }

  routerOf(node: number): SimGossipRouter {
    return this.fabric.node(node).router
  }

  send(peer: number, body: PacketBody, bytes: number): void {
    const conn = this.conns.get(peer)
    if (conn) this.fabric.send(conn, this.index, peer, body, bytes)
  }

  sendOn(conn: SimConnection, to: number, body: PacketBody, bytes: number): void {
    this.fabric.send(conn, this.index, to, body, bytes)
  }

  log(msg: string, fields?: Record<string, unknown>): void {
    this.fabric.log(msg, { node: this.index, ...fields })
  }

  attach(conn: SimConnection): void {
    const peer = conn.other(this.index)
    this.conns.set(peer, conn)
    this.router.onConnect(peer)
    this.emit('peer:connect', this.fabric.idOf(peer))
  }

  /** The connection closed: its requests fail, the mesh is repaired, and 'peer:disconnect' follows at this instant. */
  detach(conn: SimConnection): void {
    const peer = conn.other(this.index)
    if (this.conns.get(peer) !== conn) return
    this.conns.delete(peer)
    this.requests.onConnectionClosed(conn)
    this.router.onDisconnect(peer)
    this.scheduler.at(this.scheduler.nowMs(), (id: string) => this.emit('peer:disconnect', id), this.fabric.idOf(peer))
  }

  deliver(packet: Packet): void {
    const { body } = packet
    if (body.kind === 'gossip' || body.kind === 'ihave' || body.kind === 'iwant') this.router.receive(packet.from, body)
    else {
      // a handler runs, or a requester's promise settles
      this.scheduler.startedAsyncWork()
      this.requests.receive(packet.from, packet.conn, body)
    }
  }

  private emit<E extends keyof NetworkEvents>(event: E, detail: NetworkEvents[E]): void {
    for (const listener of this.listeners[event]) {
      try {
        listener(detail)
      } catch (err) {
        this.stats.callbackErrors++
        this.log('sim: event listener threw', { event, err: String(err) })
      }
    }
  }

  private parsePeer(peer: PeerIdString): number {
    const index = parseSimPeerId(peer)
    if (index === undefined) throw new RangeError(`not a peer id: ${peer}`)
    return index
  }
}
