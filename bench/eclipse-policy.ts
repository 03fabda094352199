/**
 * What the eclipse benchmark needs from a victim's peer management: the
 * events a node's network layer feeds it and the dials it asks for. The old
 * peer book (eclipse-old-book.ts) and the new manager (eclipse-new-manager.ts)
 * both implement it, so one simulated day drives either.
 */
import type { ConnectionType, PeerAddress } from '../src/peers/types.js'

/** A connection the victim holds. */
export interface Connection {
  peer: string
  addr: string
  group: string
  type: ConnectionType
  attacker: boolean
}

/** A dial the victim wants: the peer, the addresses to try in order, and the slot it is for. */
export interface Dial {
  peer: string
  addrs: string[]
  type: ConnectionType
}

export interface VictimPolicy {
  readonly name: string
  /** The node process starts (first start or restart); what it persisted survives, the rest is new. */
  start(nowMs: number): void
  /** The node shuts down holding `current`. */
  stop(current: Connection[]): void
  /** The next outbound dial, or undefined when the slots are full or nothing fits now. */
  nextDial(current: Connection[], nowMs: number): Dial | undefined
  dialFailed(dial: Dial): void
  /** An outbound connection opened on `addr` and its status exchange completed. */
  outboundConnected(addr: PeerAddress, type: ConnectionType, nowMs: number): void
  /** Identify ran on a connection from/to `peer` at `ip`: it says it listens on `listenAddrs`. */
  identified(peer: string, ip: string, listenAddrs: string[], outbound: boolean, nowMs: number): void
  /** Addresses a peer at `sourceIp` told us (its DHT answers); `fromPeer` when it is one of our outbound peers. */
  learned(addrs: PeerAddress[], sourceIp: string, nowMs: number, fromPeer?: string): void
  /** A feeler to open now, if any. */
  nextFeeler(current: Connection[], nowMs: number): PeerAddress | undefined
  feelerDone(addr: PeerAddress, ok: boolean): void
  /** An outbound connection we held on `addr` closed. */
  disconnected(addr: PeerAddress): void
}
