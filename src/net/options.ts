/** How a libp2p-backed Network is configured, and the defaults it falls back to. */
import type { Registry } from 'prom-client'
import type { LinkShaper } from './link-shaper.js'

export type NetworkLog = (msg: string, fields?: Record<string, unknown>) => void

/** The pubsub router: gossipsub, or floodsub as the lab's baseline (gossip-floodsub.ts). */
export type GossipRouterKind = 'gossipsub' | 'floodsub'
export const GOSSIP_ROUTERS: readonly GossipRouterKind[] = ['gossipsub', 'floodsub']

export interface NetworkInit {
  /** Where the identity key, bans and known peers persist; omitted = ephemeral (tests). */
  dataDir?: string
  /** Listen multiaddrs, e.g. ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']. */
  listen: string[]
  /** Multiaddrs with /p2p/<id>, dialed at start and kept as dial candidates. */
  bootstrap: string[]
  /** Goes into our protocol ids (kad-dht: /peerchain/<chainId>/kad/1.0.0). */
  chainId: string
  /** Gossip topics gossipsub scores peers on (P1–P4, see gossip-scoring.ts). Default none. */
  scoredTopics?: string[]
  /** Opt-in LAN discovery. */
  mdns?: boolean
  /** Answer DHT queries (full nodes); light nodes stay DHT clients. */
  dhtServer?: boolean
  /** Outbound full-relay connections (blocks and txs) the node keeps dialing toward. Default 8. */
  outboundTarget?: number
  /** Inbound connections accepted at most. Default 32. */
  inboundMax?: number
  /**
   * Loopback devnets and tests: allow-list 127.0.0.1/::1 for the connection
   * manager's per-IP inbound rate limit and turn gossipsub's IP-colocation
   * penalty off. Never in production.
   */
  localCluster?: boolean
  /**
   * The network lab: `127.A.B.C` counts as routable, in group `lab:127.A.B`,
   * and a node listening on one such address also dials from it, so its
   * peers see (and group) it by that address. Never in production.
   */
  lab?: boolean
  /** An AS map file (`<CIDR> <ASN>` per line, src/peers/asmap.ts): mapped addresses are grouped by AS. */
  asmapFile?: string
  /** Inbound connections from one IP, at most. Default 4. */
  inboundPerIpMax?: number
  /** Inbound connections from one network group, at most. Default 8. */
  inboundPerGroupMax?: number
  /** Outbound block-relay-only connections (no tx gossip; saved as anchors). Default 2. */
  blockRelayTarget?: number
  /** A peer that has not completed the status exchange this long after connecting is cut. Default 20 s. */
  statusDeadlineMs?: number
  /** Whole outbound dial, including the handshake. Default 10 s. */
  dialTimeoutMs?: number
  /** Inbound connection upgrade (encryption + muxer). Default 10 s. */
  handshakeTimeoutMs?: number
  /**
   * libp2p's own metrics (`libp2p_*`: connections, streams, DHT, transfer) go
   * into this registry, and `traffic()` counts bytes. Omitted = no metrics.
   */
  metricsRegistry?: Registry
  /** Default gossipsub; floodsub is the lab's baseline (no peer scoring, mesh or application score). */
  gossip?: GossipRouterKind
  /**
   * The lab's link shaper (link-shaper.ts, from `--lab-links`): every TCP
   * connection is delayed and paced by the destination's region, and the
   * lab's partition is enforced. Needs `lab`. Never in production.
   */
  labLinks?: LinkShaper
  log?: NetworkLog
}

export interface NetworkOptions {
  dataDir: string | undefined
  listen: string[]
  bootstrap: string[]
  chainId: string
  scoredTopics: string[]
  mdns: boolean
  dhtServer: boolean
  outboundTarget: number
  inboundMax: number
  localCluster: boolean
  lab: boolean
  asmapFile: string | undefined
  inboundPerIpMax: number
  inboundPerGroupMax: number
  blockRelayTarget: number
  statusDeadlineMs: number
  dialTimeoutMs: number
  handshakeTimeoutMs: number
  metricsRegistry: Registry | undefined
  gossip: GossipRouterKind
  labLinks: LinkShaper | undefined
  log: NetworkLog
}

export const NETWORK_DEFAULTS = {
  outboundTarget: 8,
  inboundMax: 32,
  inboundPerIpMax: 4,
  inboundPerGroupMax: 8,
  blockRelayTarget: 2,
  statusDeadlineMs: 20_000,
  dialTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
} as const

const CHAIN_ID = /^[a-z0-9-]{1,64}$/

export function resolveOptions(init: NetworkInit): NetworkOptions {
  if (!CHAIN_ID.test(init.chainId)) throw new RangeError(`bad chain id: ${JSON.stringify(init.chainId)}`)
  const options: NetworkOptions = {
    dataDir: init.dataDir,
    listen: [...init.listen],
    bootstrap: [...init.bootstrap],
    chainId: init.chainId,
    scoredTopics: [...(init.scoredTopics ?? [])],
    mdns: init.mdns ?? false,
    dhtServer: init.dhtServer ?? false,
    outboundTarget: init.outboundTarget ?? NETWORK_DEFAULTS.outboundTarget,
    inboundMax: init.inboundMax ?? NETWORK_DEFAULTS.inboundMax,
    localCluster: init.localCluster ?? false,
    lab: init.lab ?? false,
    asmapFile: init.asmapFile,
    inboundPerIpMax: init.inboundPerIpMax ?? NETWORK_DEFAULTS.inboundPerIpMax,
    inboundPerGroupMax: init.inboundPerGroupMax ?? NETWORK_DEFAULTS.inboundPerGroupMax,
    blockRelayTarget: init.blockRelayTarget ?? NETWORK_DEFAULTS.blockRelayTarget,
    statusDeadlineMs: init.statusDeadlineMs ?? NETWORK_DEFAULTS.statusDeadlineMs,
    dialTimeoutMs: init.dialTimeoutMs ?? NETWORK_DEFAULTS.dialTimeoutMs,
    handshakeTimeoutMs: init.handshakeTimeoutMs ?? NETWORK_DEFAULTS.handshakeTimeoutMs,
    metricsRegistry: init.metricsRegistry,
    gossip: init.gossip ?? 'gossipsub',
    labLinks: init.labLinks,
    log: init.log ?? (() => {}),
  }
  if (!GOSSIP_ROUTERS.includes(options.gossip)) {
    throw new RangeError(`gossip must be one of ${GOSSIP_ROUTERS.join(', ')}: ${JSON.stringify(options.gossip)}`)
  }
  if (options.labLinks !== undefined && !options.lab) throw new RangeError('lab links need lab mode (lab: true)')
  const integerKeys = [
    'outboundTarget',
    'inboundMax',
    'inboundPerIpMax',
    'inboundPerGroupMax',
    'blockRelayTarget',
    'statusDeadlineMs',
    'dialTimeoutMs',
    'handshakeTimeoutMs',
  ] as const
  for (const key of integerKeys) {
    const value = options[key]
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${key} must be a non-negative integer`)
  }
  return options
}

/** Our DHT protocol id: never the public IPFS DHT. */
export function dhtProtocol(chainId: string): string {
  return `/peerchain/${chainId}/kad/1.0.0`
}
