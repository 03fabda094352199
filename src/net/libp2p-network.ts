import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Connection, IdentifyResult, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { ipOfAddr, netGroup } from '../peers/net-group.js'
import type { ConnectionType, GroupPolicy } from '../peers/types.js'
import { systemTimers } from '../util/timers.js'
import { ipOf } from './ban-target.js'
import { BANS_FILE, BanList, type BansFile, createConnectionGater } from './bans.js'
import { OutboundDialer } from './dialer.js'
import { DiscouragementFilter } from './discouraged.js'
import { GossipRouter } from './gossip.js'
import { createHost, type Host } from './host.js'
import { loadOrCreateNodeKey } from './identity.js'
import { type InboundConnection, InboundGate } from './inbound-gate.js'
import { JsonFile } from './json-file.js'
import type {
  AddrManStats,
  GossipMessage,
  GossipValidator,
  Network,
  NetworkEvents,
  NetworkTraffic,
  PeerActivity,
  PeerIdString,
  PeerInfo,
  RequestHandler,
  RequestLimits,
} from './network.js'
import { type NetworkInit, type NetworkOptions, resolveOptions } from './options.js'
import { PeerActivityLog } from './peer-activity.js'
import { PEERS_FILE, PeerBook, type PeerBookFile } from './peer-book.js'
import { parsePeerId } from './peer-ids.js'
import { RandomWalk } from './random-walk.js'
import { describe, sendRequest, serveRequests, streamHandlerOptions } from './request.js'
import { isAtBanThreshold, PeerScores } from './scores.js'
import { StatusDeadline } from './status-deadline.js'
import { TrafficCounter } from './traffic.js'

export type { NetworkInit } from './options.js'

/** What missing the status deadline costs: a tenth of the way to discouragement, so only a habit of it adds up. */
export const STATUS_MISSED_PENALTY = 10

/**
 * Builds the libp2p-backed Network: loads (or creates) the node key, bans and
 * known peers from `init.dataDir`, and creates the libp2p node stopped.
 * Call `start()` to listen, dial and discover.
 */
export async function createNetwork(init: NetworkInit): Promise<Network> {
  const options = resolveOptions(init)
  const nowMs = (): number => Date.now()
  const { dataDir, log } = options
  const privateKey = await loadOrCreateNodeKey(dataDir, log)
  const bans = new BanList(
    new JsonFile<BansFile>(dataDir === undefined ? undefined : join(dataDir, BANS_FILE)),
    nowMs,
    log,
  )
  await bans.load()
  const peerBook = new PeerBook(
    new JsonFile<PeerBookFile>(dataDir === undefined ? undefined : join(dataDir, PEERS_FILE)),
    nowMs,
    log,
  )
  await peerBook.load()
  const policy: GroupPolicy = { lab: options.lab, localCluster: options.localCluster }
  const activity = new PeerActivityLog(nowMs)
  let host: Host | undefined
  const inboundGate = new InboundGate({
    limits: {
      inboundMax: options.inboundMax,
      perIpMax: options.inboundPerIpMax,
      perGroupMax: options.inboundPerGroupMax,
    },
    policy,
    groupOf: (ip) => netGroup(ip, policy),
    inbound: () => (host === undefined ? [] : inboundConnections(host, policy, activity)),
    evict: (peer, why) => {
      log('net: evicting an inbound peer', { peer, why })
      void host
        ?.hangUp(toPeerId(peer))
        .catch((err: unknown) => log('net: eviction failed', { peer, err: describe(err) }))
    },
    // eviction's favoured groups only need to be unknown to others, not stable across restarts
    key: randomBytes(32),
    nowMs,
    reservationMs: options.handshakeTimeoutMs,
  })
  const discouraged = new DiscouragementFilter(nowMs)
  const gater = createConnectionGater({
    isRefused: (peer) => bans.isBanned(peer) || discouraged.has(peer),
    isAddressRefused: (address, family) => bans.isAddressBanned(address, family) || discouraged.has(address),
    admitInbound: (ip) => inboundGate.admit(ip),
  })
  const traffic = new TrafficCounter()
  const scores = new PeerScores(nowMs)
  host = await createHost(options, privateKey, gater, traffic, (peer) => scores.get(peer))
  return new Libp2pNetwork(host, options, {
    banList: bans,
    discouraged,
    peerBook,
    scores,
    trafficCounter: traffic,
    policy,
    activity,
    inboundGate,
    nowMs,
  })
}

/** Open inbound connections, one per peer (its oldest), with what eviction weighs. */
function inboundConnections(host: Host, policy: GroupPolicy, activity: PeerActivityLog): InboundConnection[] {
  const byPeer = new Map<string, InboundConnection>()
  for (const conn of host.getConnections()) {
    if (conn.direction !== 'inbound' || conn.status !== 'open') continue
    const peer = conn.remotePeer.toString()
    if (conn.rtt !== undefined) activity.notePing(peer, conn.rtt)
    const connectedAtMs = conn.timeline.open
    const known = byPeer.get(peer)
    if (known !== undefined && known.connectedAtMs <= connectedAtMs) continue
    const ip = ipOf(conn.remoteAddr)?.address ?? ''
    const { minPingMs, lastTxMs, lastBlockMs } = activity.get(peer)
    byPeer.set(peer, { peer, ip, group: netGroup(ip, policy), connectedAtMs, minPingMs, lastTxMs, lastBlockMs })
  }
  return [...byPeer.values()]
}

/** What the network keeps beside the libp2p node. */
interface NetworkParts {
  banList: BanList
  discouraged: DiscouragementFilter
  peerBook: PeerBook
  scores: PeerScores
  trafficCounter: TrafficCounter
  policy: GroupPolicy
  activity: PeerActivityLog
  inboundGate: InboundGate
  nowMs: () => number
}

type Listener<E extends keyof NetworkEvents> = (detail: NetworkEvents[E]) => void

class Libp2pNetwork implements Network {
  readonly peerId: PeerIdString
  private readonly gossip: GossipRouter
  private readonly dialer: OutboundDialer
  private readonly randomWalk: RandomWalk
  private readonly listeners: { [E in keyof NetworkEvents]: Set<Listener<E>> } = {
    'peer:connect': new Set(),
    'peer:disconnect': new Set(),
  }
  private state: 'created' | 'started' | 'stopped' = 'created'
  /** Peers the operator dialed (net_connect): their connections are `manual`, outside the slot rules. */
  private readonly manualPeers = new Set<string>()
  private readonly banList: BanList
  private readonly discouraged: DiscouragementFilter
  private readonly peerBook: PeerBook
  private readonly scores: PeerScores
  private readonly trafficCounter: TrafficCounter
  private readonly policy: GroupPolicy
  private readonly activity: PeerActivityLog
  private readonly inboundGate: InboundGate
  private readonly statusDeadline: StatusDeadline

  constructor(
    private readonly host: Host,
    private readonly options: NetworkOptions,
    parts: NetworkParts,
  ) {
    const { banList, discouraged, peerBook, nowMs } = parts
    this.banList = banList
    this.discouraged = discouraged
    this.peerBook = peerBook
    this.scores = parts.scores
    this.trafficCounter = parts.trafficCounter
    this.policy = parts.policy
    this.activity = parts.activity
    this.inboundGate = parts.inboundGate
    this.statusDeadline = new StatusDeadline({
      timers: systemTimers,
      deadlineMs: options.statusDeadlineMs,
      onMissed: (peer) => this.onStatusMissed(peer),
    })
    this.peerId = host.peerId.toString()
    this.gossip = new GossipRouter(options.log)
    this.dialer = new OutboundDialer({
      host,
      peerBook,
      bans: { isBanned: (id) => banList.isBanned(id) || discouraged.has(id) },
      bootstrap: options.bootstrap,
      outboundTarget: options.outboundTarget,
      dialTimeoutMs: options.dialTimeoutMs,
      nowMs,
      log: options.log,
    })
    this.randomWalk = new RandomWalk(host, (id) => this.dialer.addCandidate(id), options.log)
    host.addEventListener('peer:connect', (evt) => {
      this.statusDeadline.watch(evt.detail.toString())
      this.emit('peer:connect', evt.detail.toString())
    })
    host.addEventListener('peer:disconnect', (evt) => {
      const peer = evt.detail.toString()
      this.gossip.onPeerGone(peer)
      this.manualPeers.delete(peer)
      this.activity.forget(peer)
      this.statusDeadline.clear(peer)
      this.inboundGate.closed(peer)
      this.emit('peer:disconnect', peer)
      // a lost outbound peer is replaced without waiting for the next tick
      this.dialer.tick()
    })
    host.addEventListener('connection:open', (evt) => this.onConnectionOpen(evt.detail))
    host.addEventListener('peer:identify', (evt) => this.onIdentify(evt.detail))
    host.addEventListener('peer:discovery', (evt) => {
      if (this.state !== 'started') return
      this.dialer.addCandidate(evt.detail.id.toString())
      this.dialer.tick()
    })
  }

  async start(): Promise<void> {
    if (this.state === 'started') return
    if (this.state === 'stopped') throw new Error('a stopped network cannot be restarted; create a new one')
    await this.host.start()
    this.state = 'started'
    this.gossip.attach(this.host.services.pubsub)
    this.dialer.start()
    this.randomWalk.start()
    this.options.log('net: started', {
      peerId: this.peerId,
      listen: this.listenAddresses(),
      knownPeers: this.peerBook.size,
      bans: this.banList.size,
    })
  }

  async stop(): Promise<void> {
    if (this.state !== 'started') {
      this.state = 'stopped'
      return
    }
    this.state = 'stopped'
    this.randomWalk.stop()
    this.dialer.stop()
    this.statusDeadline.stop()
    this.gossip.detach()
    await this.host.stop()
    await this.peerBook.flush()
    this.options.log('net: stopped', { peerId: this.peerId })
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
    await this.host.handle(protocol, serveRequests(protocol, handler, limits, this.options.log), streamHandlerOptions())
  }

  request(
    peer: PeerIdString,
    protocol: string,
    request: Uint8Array,
    limits: RequestLimits,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    checkLimits(limits)
    return sendRequest(this.host, peer, protocol, request, limits, signal)
  }

  peers(): PeerInfo[] {
    const byPeer = new Map<string, Connection[]>()
    for (const conn of this.host.getConnections()) {
      if (conn.status !== 'open') continue
      const id = conn.remotePeer.toString()
      byPeer.set(id, [...(byPeer.get(id) ?? []), conn])
    }
    return [...byPeer].map(([id, conns]) => {
      const outbound = conns.some((c) => c.direction === 'outbound')
      return {
        id,
        addresses: conns.map((c) => c.remoteAddr.toString()),
        direction: outbound ? 'outbound' : 'inbound',
        group: this.groupOf((conns[0] as Connection).remoteAddr.toString()),
        connectionType: this.connectionTypeOf(id, outbound),
        score: this.scores.get(id),
      }
    })
  }

  /** The network group of a multiaddr's IP (`local` without one). */
  private groupOf(addr: string): string {
    return netGroup(ipOfAddr(addr) ?? '', this.policy)
  }

  private connectionTypeOf(peer: string, outbound: boolean): ConnectionType {
    if (!outbound) return 'inbound'
    return this.manualPeers.has(peer) ? 'manual' : 'full-relay'
  }

  async dial(address: string): Promise<PeerIdString> {
    const conn = await this.host.dial(multiaddr(address), { signal: AbortSignal.timeout(this.options.dialTimeoutMs) })
    const peer = conn.remotePeer.toString()
    this.manualPeers.add(peer)
    return peer
  }

  notePeerActivity(peer: PeerIdString, kind: PeerActivity): void {
    // a report that arrives after the peer left has nothing to protect (and must not leave an entry behind)
    if (this.host.getConnections(toPeerId(peer)).length === 0) return
    this.activity.note(peer, kind)
    if (kind === 'status') this.statusDeadline.clear(peer)
  }

  /** The peer connected and never completed the status exchange: it loses the slot and a little score, no ban. */
  private onStatusMissed(peer: PeerIdString): void {
    if (this.state !== 'started' || this.activity.hasStatus(peer)) return
    if (this.host.getConnections(toPeerId(peer)).length === 0) return
    this.options.log('net: no status within the deadline; disconnecting', {
      peer,
      deadlineMs: this.options.statusDeadlineMs,
    })
    this.reportPeer(peer, STATUS_MISSED_PENALTY, 'no status within the deadline')
    void this.disconnect(peer, 'no status')
  }

  addrman(): AddrManStats {
    // the peer book holds only peers we have been connected to: Bitcoin's "tried"
    const groups = new Map<string, number>()
    for (const known of this.peerBook.list()) {
      const group = this.groupOf(known.addrs[0] ?? '')
      groups.set(group, (groups.get(group) ?? 0) + 1)
    }
    return {
      new: 0,
      tried: this.peerBook.size,
      groups: [...groups].map(([group, tried]) => ({ group, new: 0, tried })),
    }
  }

  async hangUp(peer: PeerIdString): Promise<void> {
    await this.host.hangUp(toPeerId(peer))
  }

  async ban(target: string, reason: string): Promise<void> {
    const banned = await this.banList.ban(target, reason)
    this.options.log('net: banned', { target, reason })
    const matches =
      banned.kind === 'peer'
        ? (conn: Connection) => conn.remotePeer.toString() === banned.peer
        : (conn: Connection) => {
            const ip = ipOf(conn.remoteAddr)
            return ip !== undefined && this.banList.isAddressBanned(ip.address, ip.family)
          }
    const peers = new Set(
      this.host
        .getConnections()
        .filter(matches)
        .map((c) => c.remotePeer.toString()),
    )
    if (banned.kind === 'peer') peers.add(banned.peer)
    for (const peer of peers) this.peerBook.forget(peer)
    await Promise.all([...peers].map((peer) => this.disconnect(peer, 'banned')))
  }

  async unban(target: string): Promise<void> {
    await this.banList.unban(target)
    this.discouraged.remove(target)
    this.scores.reset(target)
    this.options.log('net: unbanned', { target })
  }

  bans(): Array<{ peer: string; reason: string }> {
    return this.banList.list().map(({ target, reason }) => ({ peer: target, reason }))
  }

  discourage(peer: PeerIdString, reason: string): void {
    const peerId = toPeerId(peer)
    this.discouraged.add(peer, reason)
    // On a local cluster every peer shares 127.0.0.1: only the id is discouraged there.
    if (!this.options.localCluster) {
      for (const conn of this.host.getConnections(peerId)) {
        const ip = ipOf(conn.remoteAddr)
        if (ip !== undefined) this.discouraged.add(ip.address, `${peer}: ${reason}`)
      }
    }
    this.options.log('net: discouraged peer; disconnecting', { peer, reason })
    void this.disconnect(peer, 'discouraged')
  }

  reportPeer(peer: PeerIdString, penalty: number, reason: string): void {
    toPeerId(peer)
    const score = this.scores.charge(peer, penalty)
    this.options.log('net: peer charged', { peer, penalty, reason, score })
    if (!isAtBanThreshold(score) || this.discouraged.has(peer)) return
    // it starts again from 0 when the discouragement ends
    this.scores.reset(peer)
    this.discourage(peer, `score ${score}: ${reason}`)
  }

  private async disconnect(peer: PeerIdString, why: string): Promise<void> {
    await this.host.hangUp(toPeerId(peer)).catch((err: unknown) => {
      this.options.log('net: hang-up failed', { peer, why, err: describe(err) })
    })
  }

  traffic(): NetworkTraffic {
    return { bytesIn: this.trafficCounter.bytesIn, bytesOut: this.trafficCounter.bytesOut }
  }

  on<E extends keyof NetworkEvents>(event: E, listener: (detail: NetworkEvents[E]) => void): void {
    this.listeners[event].add(listener)
  }

  private emit<E extends keyof NetworkEvents>(event: E, detail: NetworkEvents[E]): void {
    for (const listener of this.listeners[event]) {
      try {
        listener(detail)
      } catch (err) {
        this.options.log('net: event listener threw', { event, err: describe(err) })
      }
    }
  }

  private onConnectionOpen(conn: Connection): void {
    if (conn.direction === 'inbound') this.inboundGate.opened(ipOf(conn.remoteAddr)?.address ?? '')
    // an address we dialed successfully is worth redialing after a restart
    if (conn.direction === 'outbound') this.peerBook.remember(conn.remotePeer.toString(), [conn.remoteAddr.toString()])
  }

  private onIdentify(result: IdentifyResult): void {
    const id = result.peerId.toString()
    this.dialer.onIdentified(id)
    if (this.banList.isBanned(id) || this.host.getConnections(result.peerId).length === 0) return
    this.peerBook.remember(
      id,
      result.listenAddrs.map((ma) => ma.toString()),
    )
  }
}

function toPeerId(peer: string): PeerId {
  const peerId = parsePeerId(peer)
  if (peerId === undefined) throw new RangeError(`not a peer id: ${peer}`)
  return peerId
}

function checkLimits(limits: RequestLimits): void {
  for (const key of ['requestBytesMax', 'responseBytesMax', 'timeoutMs'] as const) {
    const value = limits[key]
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${key} must be a non-negative integer: ${value}`)
  }
}
