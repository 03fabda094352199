/**
 * The libp2p node as the peer manager, the inbound gate and `Network.peers`
 * see it: plain strings and numbers instead of libp2p objects, so they are
 * tested with small fakes.
 */
import type { Connection, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerAddress } from '../peers/types.js'
import { ipOf } from './ban-target.js'
import type { Host } from './host.js'
import type { InboundConnection } from './inbound-gate.js'
import type { PeerInfo } from './network.js'
import type { PeerActivityLog } from './peer-activity.js'
import { parsePeerId } from './peer-ids.js'
import type { ManagedConnection, ManagedHost, PeerManager } from './peer-manager.js'

function openConnections(host: Host): Connection[] {
  return host.getConnections().filter((c) => c.status === 'open')
}

/** The node as the peer manager drives it. */
export function managedHost(host: Host): ManagedHost {
  return {
    self: host.peerId.toString(),
    connections: () => openConnections(host).map(managedConnection),
    async dial(addr: PeerAddress, signal: AbortSignal): Promise<void> {
      await host.dial(multiaddr(`${addr.addr}/p2p/${addr.peer}`), { signal })
    },
    async hangUp(peer: string): Promise<void> {
      const peerId = parsePeerId(peer)
      if (peerId !== undefined) await host.hangUp(peerId)
    },
  }
}

export function managedConnection(conn: Connection): ManagedConnection {
  return { peer: conn.remotePeer.toString(), direction: conn.direction, remoteAddr: conn.remoteAddr.toString() }
}

/**
 * Open inbound connections, one per peer (its oldest), with what eviction
 * weighs. Each peer's current round-trip time is noted on the way, so its
 * lowest ping is remembered.
 */
export function inboundConnections(
  host: Host,
  groupOf: (ip: string) => string,
  activity: PeerActivityLog,
): InboundConnection[] {
  const byPeer = new Map<string, InboundConnection>()
  for (const conn of openConnections(host)) {
    if (conn.direction !== 'inbound') continue
    const peer = conn.remotePeer.toString()
    if (conn.rtt !== undefined) activity.notePing(peer, conn.rtt)
    const connectedAtMs = conn.timeline.open
    const known = byPeer.get(peer)
    if (known !== undefined && known.connectedAtMs <= connectedAtMs) continue
    const ip = ipOf(conn.remoteAddr)?.address ?? ''
    const { minPingMs, lastTxMs, lastBlockMs } = activity.get(peer)
    byPeer.set(peer, { peer, ip, group: groupOf(ip), connectedAtMs, minPingMs, lastTxMs, lastBlockMs })
  }
  return [...byPeer.values()]
}

/**
 * The remote IP of `peer`'s oldest open connection: what the DHT diversity
 * guard groups a routing-table peer by (never an address the peer gave).
 * Undefined without an open connection, or when its address holds no IP.
 */
export function connectedIp(host: Host, peer: PeerId): string | undefined {
  let oldest: Connection | undefined
  for (const conn of host.getConnections(peer)) {
    if (conn.status === 'open' && (oldest === undefined || conn.timeline.open < oldest.timeline.open)) oldest = conn
  }
  return oldest === undefined ? undefined : ipOf(oldest.remoteAddr)?.address
}

/** Each peer with an open connection, as `Network.peers` reports it. */
export function peerInfos(
  host: Host,
  manager: Pick<PeerManager, 'groupOf' | 'connectionType'>,
  scoreOf: (peer: string) => number,
): PeerInfo[] {
  const byPeer = new Map<string, Connection[]>()
  for (const conn of openConnections(host)) {
    const id = conn.remotePeer.toString()
    byPeer.set(id, [...(byPeer.get(id) ?? []), conn])
  }
  return [...byPeer].map(([id, conns]) => {
    const outbound = conns.some((c) => c.direction === 'outbound')
    return {
      id,
      addresses: conns.map((c) => c.remoteAddr.toString()),
      direction: outbound ? 'outbound' : 'inbound',
      group: manager.groupOf((conns[0] as Connection).remoteAddr.toString()),
      connectionType: manager.connectionType(id, outbound),
      score: scoreOf(id),
    }
  })
}

/** Notes every open connection's current round-trip time, so eviction knows each peer's lowest. */
export function samplePings(host: Host, activity: PeerActivityLog): void {
  for (const conn of openConnections(host)) {
    if (conn.rtt !== undefined) activity.notePing(conn.remotePeer.toString(), conn.rtt)
  }
}
