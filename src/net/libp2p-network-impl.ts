/**
 * The Network over a libp2p node. Gossip, request/response and message
 * streams delegate to gossip.ts, request.ts and message-streams.ts, its
 * listeners and the trace's taps to network-taps.ts; whom we connect to is the peer manager's
 * (peer-manager.ts); inbound admission (inbound-gate.ts), the status
 * deadline (status-deadline.ts), peer discipline (peer-discipline.ts) and
 * the DHT routing table's group limits (dht-diversity-guard.ts) each live in
 * their own module. createNetwork (libp2p-network.ts) builds it.
 */

import { isIP } from 'node:net'
import type { Connection, IdentifyResult } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Blockstore } from 'interface-blockstore'
import type { AddrMan } from '../peers/addrman.js'
import { ipOfAddr } from '../peers/net-group.js'
import type { GroupPolicy, PeerAddress } from '../peers/types.js'
import { systemRng } from '../util/rng.js'
import { systemTimers } from '../util/timers.js'
import { ipOf } from './ban-target.js'
import { BitswapError, BitswapExchange } from './bitswap.js'
import { isContentOnlyPeer } from './content-peer.js'
import { DhtContentRouting } from './content-routing.js'
import { type DhtDiversityGuard, hostDhtDiversityGuard } from './dht-diversity-guard.js'
import { dialableAddrs, splitPeerAddr } from './dialable-addrs.js'
import { GossipRouter } from './gossip.js'
import type { Host } from './host.js'
import { HostStreams } from './host-streams.js'
import { managedConnection, managedHost, peerInfos, samplePings } from './host-views.js'
import type { InboundGate } from './inbound-gate.js'
import type {
  AddrManStats,
  BlockExchange,
  ContentRouting,
  GossipMessage,
  GossipValidator,
  MessageCopy,
  MessageHandler,
  MessageLimits,
  Network,
  NetworkEvents,
  NetworkTaps,
  NetworkTraffic,
  PeerActivity,
  PeerCut,
  PeerIdString,
  PeerInfo,
  ProtocolTraffic,
  RequestHandler,
  RequestLimits,
} from './network.js'
import { checkLimits } from './network.js'
import { Listeners, type NetworkListeners, networkListeners, tapCopiesInto } from './network-taps.js'
import type { NetworkOptions } from './options.js'
import type { PeerActivityLog } from './peer-activity.js'
import type { PeerDiscipline } from './peer-discipline.js'
import { ADDRMAN_SAVE_INTERVAL_MS, type PeerFiles } from './peer-files.js'
import { toPeerId } from './peer-ids.js'
import { PeerManager } from './peer-manager.js'
import { RandomWalk } from './random-walk.js'
import { RepeatingTasks } from './repeating.js'
import { describe } from './request.js'
import type { PeerScores } from './scores.js'
import { StatusDeadline } from './status-deadline.js'
import type { TrafficCounter } from './traffic.js'

/** What missing the status deadline costs: a tenth of the way to discouragement, so only a habit of it adds up. */
export const STATUS_MISSED_PENALTY = 10

/** Connections' round-trip times are sampled this often (libp2p's connection monitor measures every 10 s). */
const PING_SAMPLE_INTERVAL_MS = 10_000

/** What the network keeps beside the libp2p node. */
export interface NetworkParts {
  discipline: PeerDiscipline
  scores: PeerScores
  trafficCounter: TrafficCounter
  policy: GroupPolicy
  activity: PeerActivityLog
  inboundGate: InboundGate
  addrman: AddrMan
  /** The anchors of the last run, read (and deleted) at creation. */
  anchors: PeerAddress[]
  files: PeerFiles
  nowMs: () => number
}

export class Libp2pNetwork implements Network, NetworkTaps {
  readonly peerId: PeerIdString
  readonly contentRouting: ContentRouting
  private bitswap: BitswapExchange | undefined
  private readonly gossip: GossipRouter
  private readonly manager: PeerManager
  private readonly randomWalk: RandomWalk
  private readonly dhtGuard: DhtDiversityGuard | undefined
  private readonly listeners: NetworkListeners
  private state: 'created' | 'started' | 'stopped' = 'created'
  private readonly discipline: PeerDiscipline
  private readonly scores: PeerScores
  private readonly trafficCounter: TrafficCounter
  private readonly activity: PeerActivityLog
  private readonly inboundGate: InboundGate
  private readonly addrmanTable: AddrMan
  private readonly files: PeerFiles
  private readonly statusDeadline: StatusDeadline
  /** Ping samples and address-manager saves, while started. */
  private readonly repeating = new RepeatingTasks(systemTimers)
  private readonly cutListeners: Listeners<PeerCut>
  private readonly copyListeners: Listeners<MessageCopy>
  /** Our request and message protocols on the host's streams. */
  private readonly streams: HostStreams

  constructor(
    private readonly host: Host,
    private readonly options: NetworkOptions,
    parts: NetworkParts,
  ) {
    this.listeners = networkListeners(options.log)
    this.cutListeners = new Listeners('cut', options.log)
    this.copyListeners = new Listeners('message copy', options.log)
    this.discipline = parts.discipline
    this.scores = parts.scores
    this.trafficCounter = parts.trafficCounter
    this.activity = parts.activity
    this.inboundGate = parts.inboundGate
    this.addrmanTable = parts.addrman
    this.files = parts.files
    this.statusDeadline = new StatusDeadline({
      timers: systemTimers,
      deadlineMs: options.statusDeadlineMs,
      onMissed: (peer) => void this.onStatusMissed(peer),
    })
    this.peerId = host.peerId.toString()
    this.contentRouting = new DhtContentRouting(host)
    this.gossip = new GossipRouter(options.log)
    this.streams = new HostStreams(host, options.log, systemTimers)
    this.manager = new PeerManager({
      host: managedHost(host),
      addrman: parts.addrman,
      policy: parts.policy,
      bootstrap: options.bootstrap.flatMap((addr) => splitPeerAddr(addr) ?? []),
      anchors: parts.anchors,
      isRefused: (peer) => this.discipline.isRefused(peer),
      isAddressRefused: (addr) => {
        // string parsing that never throws: addresses come from peers and files
        const ip = ipOfAddr(addr)
        return ip !== undefined && this.discipline.isAddressRefused(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')
      },
      targets: { fullRelay: options.outboundTarget, blockRelay: options.blockRelayTarget },
      dialTimeoutMs: options.dialTimeoutMs,
      timers: systemTimers,
      nowMs: parts.nowMs,
      rng: systemRng,
      log: options.log,
    })
    this.randomWalk = new RandomWalk(host, (peer, addrs) => this.manager.discovered(peer, addrs, 'dht'), options.log)
    this.dhtGuard = hostDhtDiversityGuard(host, parts.policy, options.log)
    host.addEventListener('peer:connect', (evt) => {
      this.statusDeadline.watch(evt.detail.toString())
      this.emit('peer:connect', evt.detail.toString())
    })
    host.addEventListener('peer:disconnect', (evt) => {
      const peer = evt.detail.toString()
      this.gossip.onPeerGone(peer)
      this.activity.forget(peer)
      this.streams.forget(peer)
      this.statusDeadline.clear(peer)
      this.inboundGate.closed(peer)
      this.manager.disconnected(peer)
      this.emit('peer:disconnect', peer)
    })
    host.addEventListener('connection:open', (evt) => this.onConnectionOpen(evt.detail))
    host.addEventListener('peer:identify', (evt) => this.onIdentify(evt.detail))
  }

  async start(): Promise<void> {
    if (this.state === 'started') return
    if (this.state === 'stopped') throw new Error('a stopped network cannot be restarted; create a new one')
    await this.host.start()
    this.state = 'started'
    this.gossip.attach(this.host.services.pubsub)
    if (this.copyListeners.size > 0) {
      tapCopiesInto(this.host.services.pubsub, this.peerId, this.copyListeners, this.options.log)
    }
    this.dhtGuard?.start()
    this.manager.start()
    this.randomWalk.start()
    this.repeating.every(PING_SAMPLE_INTERVAL_MS, () => samplePings(this.host, this.activity))
    this.repeating.every(ADDRMAN_SAVE_INTERVAL_MS, () => void this.saveAddrMan())
    await this.bitswap?.start()
    const { new: fresh, tried } = this.addrmanTable.stats()
    this.options.log('net: started', {
      peerId: this.peerId,
      listen: this.listenAddresses(),
      addrman: { new: fresh, tried },
      anchors: this.manager.anchorsToDial,
      bans: this.discipline.bans().length,
    })
  }

  async stop(): Promise<void> {
    if (this.state !== 'started') {
      this.state = 'stopped'
      return
    }
    this.state = 'stopped'
    this.repeating.stop()
    this.randomWalk.stop()
    this.dhtGuard?.stop()
    const anchors = this.manager.stop()
    this.statusDeadline.stop()
    this.gossip.detach()
    this.streams.closeAll()
    await this.bitswap?.stop()
    await this.host.stop()
    await this.files.saveAnchors(anchors).catch((err: unknown) => {
      this.options.log('net: could not save the anchors', { err: describe(err) })
    })
    await this.saveAddrMan()
    await this.files.flushed().catch(() => {})
    this.options.log('net: stopped', { peerId: this.peerId, anchors: anchors.length })
  }

  private async saveAddrMan(): Promise<void> {
    await this.files.saveAddrMan(this.addrmanTable).catch((err: unknown) => {
      this.options.log('net: could not save the address manager', { err: describe(err) })
    })
  }

  /** A banned or discouraged peer: the address manager forgets it. */
  forgetAddresses(peer: string): void {
    this.manager.forget(peer)
  }

  /** mDNS found a peer on the LAN. */
  lanPeerFound(peer: string, addrs: string[]): void {
    if (this.state === 'started') this.manager.discovered(peer, addrs, 'mdns')
  }

  enableBitswap(blockstore: Blockstore): BlockExchange {
    if (this.bitswap !== undefined) throw new BitswapError('ALREADY_ENABLED', 'bitswap is enabled once per network')
    const bitswap = new BitswapExchange({ host: this.host, blockstore, log: this.options.log })
    this.bitswap = bitswap
    if (this.state === 'started') {
      void bitswap
        .start()
        .catch((err: unknown) => this.options.log('net: bitswap failed to start', { err: describe(err) }))
    }
    return bitswap
  }

  listenAddresses(): string[] {
    return this.host.getMultiaddrs().map((ma) => ma.toString())
  }

  subscribe(topic: string, validate: GossipValidator, onMessage: (msg: GossipMessage) => void): void {
    this.gossip.subscribe(topic, validate, onMessage)
  }

  publish(topic: string, data: Uint8Array): Promise<number> {
    return this.gossip.publish(topic, data)
  }

  async handle(protocol: string, handler: RequestHandler, limits: RequestLimits): Promise<void> {
    checkLimits(limits)
    await this.streams.serveRequests(protocol, handler, limits)
  }

  request(
    peer: PeerIdString,
    protocol: string,
    request: Uint8Array,
    limits: RequestLimits,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    checkLimits(limits)
    return this.streams.request(peer, protocol, request, limits, signal)
  }

  async handleMessages(protocol: string, handler: MessageHandler, limits: MessageLimits): Promise<void> {
    checkLimits(limits)
    await this.streams.serveMessages(protocol, handler, limits)
  }

  sendMessage(peer: PeerIdString, protocol: string, message: Uint8Array, limits: MessageLimits): Promise<void> {
    checkLimits(limits)
    return this.streams.sendMessage(peer, protocol, message, limits)
  }

  peers(): PeerInfo[] {
    return peerInfos(this.host, this.manager, (peer) => this.scores.get(peer))
  }

  async peerSupports(peer: PeerIdString, protocol: string): Promise<boolean> {
    try {
      const known = await this.host.peerStore.get(toPeerId(peer))
      return known.protocols.includes(protocol)
    } catch {
      return false // not in the peer store (gone, or never identified)
    }
  }

  async isContentOnlyPeer(peer: PeerIdString): Promise<boolean> {
    return this.bitswap !== undefined && (await isContentOnlyPeer(this.host, peer))
  }

  async dial(address: string): Promise<PeerIdString> {
    const conn = await this.host.dial(multiaddr(address), { signal: AbortSignal.timeout(this.options.dialTimeoutMs) })
    const peer = conn.remotePeer.toString()
    const [addr] = dialableAddrs([conn.remoteAddr.toString()])
    if (addr !== undefined) this.manager.dialedManually({ peer, addr })
    return peer
  }

  notePeerActivity(peer: PeerIdString, kind: PeerActivity): void {
    // a report that arrives after the peer left has nothing to protect (and must not leave an entry behind)
    if (this.host.getConnections(toPeerId(peer)).length === 0) return
    this.activity.note(peer, kind)
    if (kind !== 'status') return
    this.statusDeadline.clear(peer)
    this.manager.statusCompleted(peer)
  }

  /** The peer connected and never completed the status exchange: it loses the slot and a little score, no ban. */
  private async onStatusMissed(peer: PeerIdString): Promise<void> {
    if (this.state !== 'started' || this.activity.hasStatus(peer)) return
    if (this.host.getConnections(toPeerId(peer)).length === 0) return
    // An IPFS node fetching our files never sends a status: it is not a peer of another chain.
    if (await this.isContentOnlyPeer(peer)) return
    this.options.log('net: no status within the deadline; disconnecting', {
      peer,
      deadlineMs: this.options.statusDeadlineMs,
    })
    this.discipline.reportPeer(peer, STATUS_MISSED_PENALTY, 'no status within the deadline')
    void this.discipline.disconnect(peer, 'no status within the deadline')
  }

  addrman(): AddrManStats {
    return this.addrmanTable.stats()
  }

  async hangUp(peer: PeerIdString): Promise<void> {
    await this.host.hangUp(toPeerId(peer))
  }

  ban(target: string, reason: string): Promise<void> {
    return this.discipline.ban(target, reason)
  }

  unban(target: string): Promise<void> {
    return this.discipline.unban(target)
  }

  bans(): Array<{ peer: string; reason: string }> {
    return this.discipline.bans()
  }

  discourage(peer: PeerIdString, reason: string): void {
    this.discipline.discourage(peer, reason)
  }

  reportPeer(peer: PeerIdString, penalty: number, reason: string): void {
    this.discipline.reportPeer(peer, penalty, reason)
  }

  traffic(): NetworkTraffic {
    const { bytesIn, bytesOut } = this.trafficCounter
    return { bytesIn, bytesOut, streamsAhead: this.streams.streamsAhead }
  }

  on<E extends keyof NetworkEvents>(event: E, listener: (detail: NetworkEvents[E]) => void): void {
    ;(this.listeners[event] as Listeners<NetworkEvents[E]>).add(listener)
  }

  /** Register before start: the pubsub service is tapped at start, and only when someone listens. */
  onMessageCopy(listener: (copy: MessageCopy) => void): void {
    if (this.state !== 'created') throw new Error('onMessageCopy must be called before start')
    this.copyListeners.add(listener)
  }

  onPeerCut(listener: (cut: PeerCut) => void): void {
    this.cutListeners.add(listener)
  }

  /** Peer discipline cut a peer. */
  peerCut(cut: PeerCut): void {
    this.cutListeners.emit(cut)
  }

  protocolTraffic(): ProtocolTraffic {
    return this.trafficCounter.protocols()
  }

  private emit<E extends keyof NetworkEvents>(event: E, detail: NetworkEvents[E]): void {
    ;(this.listeners[event] as Listeners<NetworkEvents[E]>).emit(detail)
  }

  private onConnectionOpen(conn: Connection): void {
    if (conn.direction === 'inbound') this.inboundGate.opened(ipOf(conn.remoteAddr)?.address ?? '')
    else this.manager.outboundOpened(conn.remotePeer.toString())
  }

  private onIdentify(result: IdentifyResult): void {
    if (this.state !== 'started' || result.connection.status !== 'open') return
    this.manager.identified(result.peerId.toString(), result.listenAddrs, managedConnection(result.connection))
    this.emit('peer:identify', result.peerId.toString())
  }
}
