import { createHash } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { type GossipSub, type GossipSubComponents, gossipsub, StrictNoSign } from '@libp2p/gossipsub'
import { type Identify, identify } from '@libp2p/identify'
import type { ConnectionGater, Libp2p, PrivateKey } from '@libp2p/interface'
import { type KadDHT, kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { type Ping, ping } from '@libp2p/ping'
import { type TCPOptions, tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { floodsubGossip } from './gossip-floodsub.js'
import { GOSSIP_SCORE_THRESHOLDS, gossipScoreParams } from './gossip-scoring.js'
import { shapedTcp } from './link-shaper-transport.js'
import { dhtProtocol, type NetworkOptions } from './options.js'
import { libp2pMetrics, type TrafficCounter } from './traffic.js'
import { ensureWebSocketGlobal } from './websocket-global.js'

export interface HostServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  pubsub: GossipSub
  dht: KadDHT
}

export type Host = Libp2p<HostServices>

/** What the node tells the libp2p host it builds. */
export interface HostHooks {
  /** Our application score of a peer: gossipsub's P5 (gossip-scoring.ts). */
  appScore(peer: string): number
  /** mDNS found a peer on the LAN (the peer manager learns it, origin `mdns`). */
  onLanPeer(peer: string, addrs: string[]): void
}

/** Extra connections above outbound + inbound before libp2p prunes: room for a feeler and short-lived DHT query dials. */
const CONNECTIONS_SLACK = 8
/** Incoming connections still in their handshake, at most. */
const PENDING_INBOUND_MAX = 16
/** Gossip messages larger than this are dropped before decoding (blocks are at most 8 MiB, see LIMITS.md). */
export const GOSSIP_MESSAGE_BYTES_MAX = 8 * 1024 * 1024 + 64 * 1024

/** The createLibp2p options for one peerchain node; the node is created stopped. */
export async function createHost(
  options: NetworkOptions,
  privateKey: PrivateKey,
  gater: ConnectionGater,
  traffic: TrafficCounter,
  hooks: HostHooks,
): Promise<Host> {
  const loopback = ['/ip4/127.0.0.1', '/ip6/::1']
  // The bootstrap list is the peer manager's to dial (peer-manager.ts), not a discovery module's.
  const peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']> = []
  if (options.mdns) {
    // Loaded only when enabled: it brings a multicast DNS stack the node otherwise never runs.
    const { mdns } = await import('@libp2p/mdns')
    const lan = mdns({ serviceTag: mdnsServiceTag(options.chainId) })
    peerDiscovery.push((components) => {
      const service = lan(components)
      service.addEventListener('peer', (evt) => {
        hooks.onLanPeer(
          evt.detail.id.toString(),
          evt.detail.multiaddrs.map((ma) => ma.toString()),
        )
      })
      return service
    })
  }
  await ensureWebSocketGlobal()

  return createLibp2p<HostServices>({
    start: false,
    privateKey,
    addresses: { listen: options.listen },
    // the lab's links shape TCP only: lab nodes listen on TCP
    transports: [
      options.labLinks === undefined ? tcp(tcpOptions(options)) : shapedTcp(tcpOptions(options), options.labLinks),
      webSockets(),
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: gater,
    ...(options.metricsRegistry ? { metrics: libp2pMetrics(options.metricsRegistry, traffic) } : {}),
    connectionManager: {
      maxConnections: options.outboundTarget + options.blockRelayTarget + options.inboundMax + CONNECTIONS_SLACK,
      maxIncomingPendingConnections: PENDING_INBOUND_MAX,
      dialTimeout: options.dialTimeoutMs,
      addressDialTimeout: Math.min(options.dialTimeoutMs, 6_000),
      inboundUpgradeTimeout: options.handshakeTimeoutMs,
      inboundStreamProtocolNegotiationTimeout: options.handshakeTimeoutMs,
      outboundStreamProtocolNegotiationTimeout: options.handshakeTimeoutMs,
      // loopback devnets open many connections per second from one IP
      allow: options.localCluster ? loopback : [],
    },
    peerDiscovery,
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: options.gossip === 'floodsub' ? floodsubService() : gossipsubService(options, hooks),
      dht: kadDHT({
        protocol: dhtProtocol(options.chainId),
        clientMode: !options.dhtServer,
        // the default mapper drops private addresses: LAN and loopback peers must stay reachable
        peerInfoMapper: passthroughMapper,
      }),
    },
  })
}

/** gossipsub with our message ids, async validation and peer scoring (gossip-scoring.ts). */
function gossipsubService(options: NetworkOptions, hooks: HostHooks): (components: GossipSubComponents) => GossipSub {
  return gossipsub({
    globalSignaturePolicy: StrictNoSign,
    msgIdFn: (msg) => createHash('sha256').update(msg.data).digest(),
    // validators run in our code: a message is relayed only after reportMessageValidationResult(Accept)
    asyncValidation: true,
    emitSelf: false,
    // we catch NoPeersSubscribedToTopic instead: allowing zero-peer publishes
    // would mark the message seen, so a later republish would be dropped
    allowPublishToZeroTopicPeers: false,
    ignoreDuplicatePublishError: true,
    maxInboundDataLength: GOSSIP_MESSAGE_BYTES_MAX,
    scoreParams: gossipScoreParams(options.scoredTopics, hooks.appScore, options.localCluster),
    scoreThresholds: GOSSIP_SCORE_THRESHOLDS,
  })
}

/**
 * floodsub, the lab's baseline, in the slice of gossipsub the node uses
 * (gossip-floodsub.ts: held messages, validation results, duplicate copies);
 * nothing else reads `host.services.pubsub`.
 */
function floodsubService(): (components: GossipSubComponents) => GossipSub {
  return floodsubGossip() as unknown as (components: GossipSubComponents) => GossipSub
}

/**
 * In lab mode a node listening on a single `127.A.B.C` address dials from it
 * too, so its peers see (and group) it by that address rather than by
 * 127.0.0.1. @libp2p/tcp spreads `dialOpts` into `net.connect()`, so Node's
 * `localAddress` reaches the socket although TCPSocketOptions does not
 * declare it: the object is built in a variable (no excess-property check)
 * beside a declared key, `noDelay`, which is tcp's default anyway.
 */
export function tcpOptions(options: Pick<NetworkOptions, 'lab' | 'listen'>): TCPOptions {
  const source = options.lab ? labSourceAddress(options.listen) : undefined
  if (source === undefined) return {}
  const dialOpts = { noDelay: true, localAddress: source }
  return { dialOpts }
}

/** The one 127/8 IPv4 address all of `listen`'s IPv4 addresses share, if there is one. */
export function labSourceAddress(listen: string[]): string | undefined {
  const ips = new Set(listen.flatMap((addr) => /^\/ip4\/([^/]+)\//.exec(addr)?.[1] ?? []))
  const [ip] = [...ips]
  return ips.size === 1 && ip !== undefined && /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip) ? ip : undefined
}

/** One mDNS service per chain, so LAN nodes of other chains are not discovered (a DNS label is at most 63 bytes). */
export function mdnsServiceTag(chainId: string): string {
  const label = `_peerchain-${chainId}`
  const short =
    label.length <= 63 ? label : `_peerchain-${createHash('sha256').update(chainId).digest('hex').slice(0, 32)}`
  return `${short}._udp.local`
}
