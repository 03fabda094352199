/**
 * What travels between simulated nodes, and how long it takes: peer ids and
 * addresses, connections, packets, and the link arithmetic (serialisation on
 * a FIFO uplink, propagation, an optional downlink).
 */
import type { PeerIdString } from '../net/network.js'

/**
 * Bytes added to every message on the wire, whatever its size: yamux header
 * (12), Noise length prefix and AEAD tag (2 + 16), the varint length prefix
 * (up to 5) and the gossipsub RPC envelope or stream framing (topic or
 * protocol negotiation, ~29), rounded up to 64. TCP/IP headers are not counted.
 */
export const FRAME_OVERHEAD_BYTES = 64

/** On-wire size of one message id in IHAVE/IWANT (a SHA-256, with its protobuf tag and length). */
export const MESSAGE_ID_BYTES = 34

/** How long `bytes` occupy a link of `bitsPerSec`, in ms (fractional). */
export function transmitMs(bytes: number, bitsPerSec: number): number {
  return (bytes * 8000) / bitsPerSec
}

const ID_PREFIX = 'sim-'

/** The peer id of node `index`: `sim-000042`. */
export function simPeerId(index: number): PeerIdString {
  return `${ID_PREFIX}${String(index).padStart(6, '0')}`
}

/** Node `index`'s listen address: `/sim/42/p2p/sim-000042`. */
export function simAddress(index: number): string {
  return `/sim/${index}/p2p/${simPeerId(index)}`
}

/** The node index of a sim peer id, or undefined if `id` is not one. */
export function parseSimPeerId(id: string): number | undefined {
  if (!id.startsWith(ID_PREFIX)) return undefined
  const digits = id.slice(ID_PREFIX.length)
  if (!/^\d{6,}$/.test(digits)) return undefined
  const index = Number(digits)
  return simPeerId(index) === id ? index : undefined
}

/** The node index of a multiaddr ending in /p2p/<sim peer id>, or undefined. */
export function parseSimAddress(address: string): number | undefined {
  const at = address.lastIndexOf('/p2p/')
  return at < 0 ? undefined : parseSimPeerId(address.slice(at + '/p2p/'.length))
}

/** A gossiped message: one object shared by every hop, its id computed once when it is published. */
export interface SimMessage {
  readonly kind: 'gossip'
  /** SHA-256 of `data`, hex. */
  readonly id: string
  readonly topic: string
  /** Shared by every node that receives it: read-only. */
  readonly data: Uint8Array
  /** On-wire size: data plus FRAME_OVERHEAD_BYTES. */
  readonly bytes: number
}

export type PacketBody =
  | SimMessage
  | { kind: 'ihave'; topic: string; ids: string[] }
  | { kind: 'iwant'; ids: string[] }
  | { kind: 'request'; id: number; protocol: string; data: Uint8Array }
  | { kind: 'response'; id: number; data: Uint8Array }
  | { kind: 'failure'; id: number; code: 'RESET' | 'PROTOCOL'; reason: string }

/** One message on a connection. */
export interface Packet {
  readonly body: PacketBody
  readonly conn: SimConnection
  readonly from: number
  readonly to: number
  readonly bytes: number
  /** When its first bit reaches the receiver (the downlink starts taking it then). */
  firstBitMs: number
  /** When its last bit reaches the receiver's edge (fractional ms). */
  arrivalMs: number
  /** Set once the receiver's downlink has been accounted for. */
  downlinked: boolean
}

/**
 * An open connection between two nodes. Each direction keeps its last
 * arrival time, so packets on it arrive in the order they were sent (like
 * TCP), whatever the jitter. Packets of a closed connection are dropped,
 * including those still in flight.
 */
export class SimConnection {
  open = true
  /** Last arrival per direction: [dialer → listener, listener → dialer]. */
  readonly lastArrivalMs = [0, 0]

  constructor(
    readonly dialer: number,
    readonly listener: number,
    readonly openedAtMs: number,
  ) {}

  other(self: number): number {
    return self === this.dialer ? this.listener : this.dialer
  }

  direction(self: number): 'inbound' | 'outbound' {
    return self === this.dialer ? 'outbound' : 'inbound'
  }
}

/** A node's access link. Bandwidths in bits per second; `downlinkBitsPerSec` Infinity = not modelled. */
export interface Access {
  readonly uplinkBitsPerSec: number
  readonly downlinkBitsPerSec: number
  /** When the uplink finishes sending everything queued so far (fractional ms). */
  uplinkFreeAtMs: number
  downlinkFreeAtMs: number
  bytesIn: number
  bytesOut: number
}
