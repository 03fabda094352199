import { join } from 'node:path'
import type { Connection, IdentifyResult, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { ConnectionType } from '../peers/types.js'
import { ipOf } from './ban-target.js'
import { BANS_FILE, BanList, type BansFile, createConnectionGater } from './bans.js'
import { OutboundDialer } from './dialer.js'
import { DiscouragementFilter } from './discouraged.js'
import { GossipRouter } from './gossip.js'
import { createHost, type Host } from './host.js'
import { loadOrCreateNodeKey } from './identity.js'
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
import { TrafficCounter } from './traffic.js'

export type { NetworkInit } from './options.js'

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
  let host: Host | undefined
  const discouraged = new DiscouragementFilter(nowMs)
  const gater = createConnectionGater({
    isRefused: (peer) => bans.isBanned(peer) || discouraged.has(peer),
    isAddressRefused: (address, family) => bans.isAddressBanned(address, family) || discouraged.has(address),
    inboundCount: () => host?.getConnections().filter((c) => c.direction === 'inbound').length ?? 0,
    inboundMax: options.inboundMax,
  })
  const traffic = new TrafficCounter()
  const scores = new PeerScores(nowMs)
  host = await createHost(options, privateKey, gater, traffic, (peer) => scores.get(peer))
  return new Libp2pNetwork(host, options, bans, discouraged, peerBook, scores, traffic, nowMs)
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
  private readonly activity = new PeerActivityLog(() => Date.now())

  constructor(
    private readonly host: Host,
    private readonly options: NetworkOptions,
    private readonly banList: BanList,
    private readonly discouraged: DiscouragementFilter,
    private readonly peerBook: PeerBook,
    private readonly scores: PeerScores,
    private readonly trafficCounter: TrafficCounter,
    nowMs: () => number,
  ) {
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
    host.addEventListener('peer:connect', (evt) => this.emit('peer:connect', evt.detail.toString()))
    host.addEventListener('peer:disconnect', (evt) => {
      this.gossip.onPeerGone(evt.detail.toString())
      this.manualPeers.delete(evt.detail.toString())
      this.activity.forget(evt.detail.toString())
      this.emit('peer:disconnect', evt.detail.toString())
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
        group: groupOfConnection(conns[0] as Connection),
        connectionType: this.connectionTypeOf(id, outbound),
        score: this.scores.get(id),
      }
    })
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
    toPeerId(peer)
    this.activity.note(peer, kind)
  }

  addrman(): AddrManStats {
    // the peer book holds only peers we have been connected to: Bitcoin's "tried"
    const groups = new Map<string, number>()
    for (const known of this.peerBook.list()) {
      const group = groupOfAddress(known.addrs[0])
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

/** A connection's network group, from its remote address. */
function groupOfConnection(conn: Connection): string {
  return groupOfAddress(conn.remoteAddr.toString())
}

/**
 * IPv4 /16, IPv6 /32, `local` for loopback and private ranges. A stand-in
 * until src/peers/net-group.ts (with AS maps and lab groups) lands.
 */
function groupOfAddress(addr: string | undefined): string {
  const match = /^\/(ip4|ip6)\/([^/]+)/.exec(addr ?? '')
  if (match === null) return 'local'
  const ip = match[2] as string
  if (match[1] === 'ip4') {
    const [a, b] = ip.split('.').map(Number) as [number, number]
    const local = a === 10 || a === 127 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || a === 0
    return local ? 'local' : `ip4:${a}.${b}`
  }
  const lower = ip.toLowerCase()
  if (lower === '::1' || lower === '::' || /^f[cd]|^fe[89ab]/.test(lower)) return 'local'
  const [h0 = '0', h1 = '0'] = lower.split(':')
  return `ip6:${h0.padStart(4, '0')}:${(h1 === '' ? '0' : h1).padStart(4, '0')}`
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
