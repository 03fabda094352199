/**
 * What the rest of peerchain sees of the network. Only src/net/ imports
 * libp2p; everything above it (relay/, sync/, node/) talks to this interface,
 * so their tests can pass a fake and the lab can pass a simulated network.
 */
import type { Blockstore } from 'interface-blockstore'
import type { CID } from 'multiformats/cid'
import type { ConnectionType } from '../peers/types.js'

export type { ConnectionType } from '../peers/types.js'

/** A peer's id in its string form (libp2p PeerId.toString()). */
export type PeerIdString = string

export type GossipVerdict = 'accept' | 'ignore' | 'reject'

export interface GossipMessage {
  topic: string
  data: Uint8Array
  /** The peer that forwarded the message to us (not necessarily its author). */
  from: PeerIdString
}

export type GossipValidator = (msg: GossipMessage) => Promise<GossipVerdict>

export interface PeerInfo {
  id: PeerIdString
  /** Multiaddrs of the open connections to the peer. */
  addresses: string[]
  direction: 'inbound' | 'outbound'
  /**
   * The peer's network group, from the connection's remote address (never
   * from what the peer says): `ip4:A.B`, `ip6:xxxx:xxxx`, `as:N`, `lab:127.A.B`
   * or `local` (see src/peers/net-group.ts).
   */
  group: string
  /** Why the connection exists: the outbound slot it fills, or `inbound`. */
  connectionType: ConnectionType
  /** Our application score for the peer (0 = neutral; falls with reported faults). */
  score: number
}

export interface RequestLimits {
  /** Largest request accepted (handler side) or sent (request side). */
  requestBytesMax: number
  /** Largest response accepted (request side) or sent (handler side). */
  responseBytesMax: number
  /** Whole exchange, from opening the stream to the last byte of the response. */
  timeoutMs: number
}

export type RequestHandler = (request: Uint8Array, peer: PeerIdString) => Promise<Uint8Array>

/** Bounds of a message protocol (net/message-streams.ts), on each side. */
export interface MessageLimits {
  /** Largest message sent or accepted. */
  messageBytesMax: number
  /** Bytes waiting to be written to one peer at most (a message past it is refused), and buffered unread on the receiving side. */
  queuedBytesMax: number
  /** Opening the stream, and writing one message, each within this. */
  timeoutMs: number
}

/** Throws RangeError unless every bound in `limits` is a non-negative integer (both networks check before use). */
export function checkLimits(limits: RequestLimits | MessageLimits): void {
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${key} must be a non-negative integer: ${value}`)
  }
}

/** Hears each message of a message protocol, in the order sent; the next is read once it settles. */
export type MessageHandler = (message: Uint8Array, peer: PeerIdString) => void | Promise<void>

/** Running byte totals of all connections, at the transport (encrypted, with muxer framing). */
export interface NetworkTraffic {
  bytesIn: number
  bytesOut: number
  /**
   * Request streams opened ahead of their request (net/warm-streams.ts):
   * opened, taken by a request, closed unused. Absent where requests open no
   * streams (the simulator).
   */
  streamsAhead?: { opened: number; taken: number; expired: number }
}

/** Payload bytes per protocol id since creation: stream data, below the muxer and encryption framing. */
export type ProtocolTraffic = Record<string, { in: number; out: number }>

/** One copy of a gossip message arrived: the first or a duplicate, before validation. */
export interface MessageCopy {
  topic: string
  /** Hex of the gossip message id (the SHA-256 of the data: a tx's id). */
  msgId: string
  from: PeerIdString
}

/** The node cut a peer: discouraged it (misbehaviour), banned it, or hung up on a missed status deadline. */
export interface PeerCut {
  peer: PeerIdString
  /** The remote IP of its connection, when it had one. */
  ip?: string
  reason: string
}

/**
 * What a trace of the node sees beyond `Network` (`--trace`, src/trace/):
 * taps that observe and decide nothing. The libp2p network has them; the
 * simulator does not need them.
 */
export interface NetworkTaps {
  /** Calls `listener` for every copy of a message on a subscribed topic (cheap: no hashing, no decoding). */
  onMessageCopy(listener: (copy: MessageCopy) => void): void
  onPeerCut(listener: (cut: PeerCut) => void): void
  /** Counted only when the network was created with a metrics registry (else empty). */
  protocolTraffic(): ProtocolTraffic
}

export interface NetworkEvents {
  'peer:connect': PeerIdString
  'peer:disconnect': PeerIdString
  /** The peer told us (identify) which protocols it serves: `peerSupports` answers for it now. Not every network has it. */
  'peer:identify': PeerIdString
}

/** What the address manager holds: new and tried entries, in total and by network group. */
export interface AddrManStats {
  new: number
  tried: number
  groups: Array<{ group: string; new: number; tried: number }>
}

/** Useful work a peer did for us: `status` completes the handshake (and stops its deadline); `tx`/`block` protect it from eviction. */
export type PeerActivity = 'status' | 'block' | 'tx'

/**
 * Who holds content: provider records in the node's DHT (net/content-routing.ts).
 * A light node, a DHT client, provides and searches through full nodes.
 */
export interface ContentRouting {
  /** Announces this node as a provider of `cid` to the DHT peers closest to it. Throws ContentRoutingError. */
  provide(cid: CID, options?: { signal?: AbortSignal }): Promise<void>
  /** Peers that announced `cid` (never this node), at most `max` (default and cap PROVIDERS_FOUND_MAX). */
  findProviders(cid: CID, options?: { signal?: AbortSignal; max?: number }): AsyncIterable<PeerIdString>
}

/** Blocks over Bitswap, the IPFS block exchange (net/bitswap.ts): what src/files/ falls back to. */
export interface BlockExchange {
  /**
   * Asks the connected Bitswap peers (and providers the DHT finds) for one
   * block and resolves with its bytes, already checked against `cid`. It does
   * not store the block. Throws BitswapError (and aborts with `signal`).
   */
  want(cid: CID, options?: { signal?: AbortSignal }): Promise<Uint8Array>
  /** Tells the Bitswap peers that asked for `cid` that we now hold it (call once it is stored). */
  notify(cid: CID): Promise<void>
}

export interface Network {
  readonly peerId: PeerIdString
  /** Provider records in the DHT; absent where there is no DHT (the simulator). */
  readonly contentRouting?: ContentRouting
  /**
   * Serves `blockstore`'s blocks to Bitswap peers and fetches blocks from
   * them, over this network's connections, from now until stop (or from
   * start, if called before it). Once per network; absent in the simulator.
   */
  enableBitswap?(blockstore: Blockstore): BlockExchange
  start(): Promise<void>
  stop(): Promise<void>
  /** Our listen multiaddrs, each ending in /p2p/<peerId>. */
  listenAddresses(): string[]

  /** Subscribes to `topic`; every message is validated before it is relayed; accepted ones reach `onMessage`. */
  subscribe(topic: string, validate: GossipValidator, onMessage: (msg: GossipMessage) => void): void
  /** Publishes to the topic's mesh; resolves with the number of peers it was sent to. */
  publish(topic: string, data: Uint8Array): Promise<number>

  /** Serves a request/response protocol: one length-prefixed request, one length-prefixed response per stream. */
  handle(protocol: string, handler: RequestHandler, limits: RequestLimits): Promise<void>
  /**
   * Sends one request to `peer` and returns its response. Throws RequestError
   * on timeout, reset or oversize; `signal` abandons the request early.
   */
  request(
    peer: PeerIdString,
    protocol: string,
    request: Uint8Array,
    limits: RequestLimits,
    signal?: AbortSignal,
  ): Promise<Uint8Array>

  /**
   * Serves a message protocol: each peer keeps one long-lived stream to us,
   * carrying length-prefixed messages that get no answer. Optional, as
   * `sendMessage`: a network without them (the simulator) has callers fall
   * back to requests.
   */
  handleMessages?(protocol: string, handler: MessageHandler, limits: MessageLimits): Promise<void>
  /**
   * Sends one message over our long-lived stream to `peer` for `protocol`,
   * opened by the first message: the protocol's negotiation (a round trip) is
   * paid once per connection, not per message as a request pays it. Resolves
   * once written; throws RequestError (too large, queue full, stream failed).
   */
  sendMessage?(peer: PeerIdString, protocol: string, message: Uint8Array, limits: MessageLimits): Promise<void>

  peers(): PeerInfo[]
  /**
   * The peer said (identify) that it serves `protocol`; false while that is
   * not known. Optional: a network without it (the simulator) reports no
   * support, and callers fall back to what every peer speaks (gossip).
   */
  peerSupports?(peer: PeerIdString, protocol: string): Promise<boolean>
  /**
   * The peer is a stock IPFS node we serve files to: this network speaks
   * Bitswap (enableBitswap) and the peer said (identify) that it does, and
   * that it speaks no peerchain protocol at all. Such a peer is not on
   * another chain: the status handshake and its deadline leave it alone.
   */
  isContentOnlyPeer?(peer: PeerIdString): Promise<boolean>
  /** Dials a multiaddr (with /p2p/<id>); resolves with the peer id once connected. */
  dial(multiaddr: string): Promise<PeerIdString>
  hangUp(peer: PeerIdString): Promise<void>
  /**
   * The operator's permanent ban (never automatic): `target` is a peer id or
   * an IP subnet in CIDR form; matching peers are disconnected and refused
   * from now on, across restarts. Throws BanTargetError for anything else and
   * BanLimitError when BANS_MAX bans are held.
   */
  ban(target: string, reason: string): Promise<void>
  /** Lifts a permanent ban (peer id or subnet) and any discouragement of that peer. */
  unban(target: string): Promise<void>
  /** Permanent bans; `peer` is the peer id or subnet. */
  bans(): Array<{ peer: string; reason: string }>
  /**
   * Automatic misbehaviour: disconnects the peer and refuses it for a while
   * (the bounded, in-memory discouragement filter, never a file).
   */
  discourage(peer: PeerIdString, reason: string): void
  /** Charges a peer for a fault; at the threshold it is discouraged. */
  reportPeer(peer: PeerIdString, penalty: number, reason: string): void
  /**
   * The node reports a completed status exchange with `peer` (which stops
   * the status deadline) and useful txs and blocks it relayed first (which
   * protect it from inbound eviction).
   */
  notePeerActivity(peer: PeerIdString, kind: PeerActivity): void
  /** Counts of the address manager's tables. */
  addrman(): AddrManStats
  /** Bytes moved since creation; counted only when the network was created with a metrics registry (else 0). */
  traffic(): NetworkTraffic

  on<E extends keyof NetworkEvents>(event: E, listener: (detail: NetworkEvents[E]) => void): void
}

/** A request that failed for a reason of the remote side or the transport. */
export class RequestError extends Error {
  override readonly name = 'RequestError'
  constructor(
    readonly code: 'TIMEOUT' | 'RESET' | 'TOO_LARGE' | 'DIAL_FAILED' | 'PROTOCOL',
    message: string,
  ) {
    super(`${code}: ${message}`)
  }
}
