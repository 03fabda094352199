/** How a libp2p-backed Network is configured, and the defaults it falls back to. */
import type { Registry } from 'prom-client'

export type NetworkLog = (msg: string, fields?: Record<string, unknown>) => void

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
  /** Outbound connections the node keeps dialing toward. Default 8. */
  outboundTarget?: number
  /** Inbound connections accepted at most. Default 32. */
  inboundMax?: number
  /**
   * Loopback devnets and tests: allow-list 127.0.0.1/::1 for the connection
   * manager's per-IP inbound rate limit and turn gossipsub's IP-colocation
   * penalty off. Never in production.
   */
  localCluster?: boolean
  /** Whole outbound dial, including the handshake. Default 10 s. */
  dialTimeoutMs?: number
  /** Inbound connection upgrade (encryption + muxer). Default 10 s. */
  handshakeTimeoutMs?: number
  /**
   * libp2p's own metrics (`libp2p_*`: connections, streams, DHT, transfer) go
   * into this registry, and `traffic()` counts bytes. Omitted = no metrics.
   */
  metricsRegistry?: Registry
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
  dialTimeoutMs: number
  handshakeTimeoutMs: number
  metricsRegistry: Registry | undefined
  log: NetworkLog
}

export const NETWORK_DEFAULTS = {
  outboundTarget: 8,
  inboundMax: 32,
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
    dialTimeoutMs: init.dialTimeoutMs ?? NETWORK_DEFAULTS.dialTimeoutMs,
    handshakeTimeoutMs: init.handshakeTimeoutMs ?? NETWORK_DEFAULTS.handshakeTimeoutMs,
    metricsRegistry: init.metricsRegistry,
    log: init.log ?? (() => {}),
  }
  for (const key of ['outboundTarget', 'inboundMax', 'dialTimeoutMs', 'handshakeTimeoutMs'] as const) {
    const value = options[key]
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${key} must be a non-negative integer`)
  }
  return options
}

/** Our DHT protocol id: never the public IPFS DHT. */
export function dhtProtocol(chainId: string): string {
  return `/peerchain/${chainId}/kad/1.0.0`
}
