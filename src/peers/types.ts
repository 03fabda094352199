/**
 * The vocabulary of the peer manager (src/peers/). Everything in src/peers/
 * is pure: no libp2p, no I/O except through injected files, with the clock
 * and RNG passed in, so the eclipse benchmark and the simulator drive the
 * same code as the node. src/net/ owns it and is its only production user.
 */

/** A dialable address of a peer: a bare multiaddr (no /p2p/<id>) and the peer id it belongs to. */
export interface PeerAddress {
  peer: string
  /** e.g. /ip4/1.2.3.4/tcp/9000 or /ip4/1.2.3.4/tcp/9000/ws */
  addr: string
}

/**
 * Why a connection exists. Outbound: `full-relay` (blocks and txs),
 * `block-relay` (blocks only; saved as anchors), `feeler` (short-lived, tests
 * an address, then hangs up), `manual` (the operator's net_connect and the
 * bootstrap list: outside the slot and group rules). Everything a remote
 * peer opened is `inbound`.
 */
export type ConnectionType = 'full-relay' | 'block-relay' | 'feeler' | 'manual' | 'inbound'

/** How IP addresses map to network groups. */
export interface GroupPolicy {
  /** `127.A.B.C` counts as routable, in group `127.A.B` (the network lab and its tests). */
  lab: boolean
  /** Loopback and private addresses may be learned from remote peers (devnets on one machine). */
  localCluster: boolean
  /** Prefix → AS number; when an address maps, its AS is its group. */
  asmap?: { lookup(ip: string): number | undefined }
}

/** Where an address was learned; the source's group limits how many buckets it can fill. */
export type AddressOrigin =
  | 'outbound-identify'
  | 'inbound-identify'
  | 'dht'
  | 'bootstrap'
  | 'operator'
  | 'mdns'
  | 'anchor'

/**
 * The small interface the node, the eclipse benchmark and the simulator use
 * to learn addresses and choose whom to dial. The address manager
 * (addrman.ts) implements it; the benchmark also wraps the old peer book in
 * it to compare.
 */
export interface AddressBook {
  /**
   * Learns addresses. `sourceIp` is the IP of the peer that told us (for
   * bootstrap, operator and anchor addresses: the address's own IP).
   * Returns how many were newly added.
   */
  add(addrs: PeerAddress[], origin: AddressOrigin, sourceIp: string): number
  /** A dial to `addr` is starting (counts toward its failures until `good`). */
  attempt(addr: PeerAddress): void
  /** We completed an outbound connection and the status exchange: the address moves to (or stays in) tried. */
  good(addr: PeerAddress): void
  /** Picks an address to dial, at random, weighted toward fresh ones; `newOnly` for feelers. */
  select(newOnly: boolean): PeerAddress | undefined
}
