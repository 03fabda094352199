/**
 * The new peer manager as the eclipse benchmark drives it: the node's own
 * address manager (src/peers/addrman.ts), outbound slot policy
 * (src/peers/outbound-slots.ts) and anchors file (src/peers/anchors.ts),
 * glued as src/net/peer-manager.ts glues them (without libp2p: a dial
 * answers at once):
 *
 * - identify adds the peer's listen addresses with the IP of the connection
 *   as source (`outbound-identify` / `inbound-identify`); block-relay peers'
 *   addresses are ignored; a DHT answer adds each address as its own source;
 * - every dial is an `attempt`; a completed outbound connection or feeler is
 *   `good`; a closed one is `connected`; a failed address waits 5 s,
 *   doubling to 5 min, before the book may offer it again;
 * - each round settles collisions, opens the anchors first (block-relay),
 *   then the full-relay slots, and the block-relay slots once those are
 *   full;
 * - at shutdown the block-relay peers are written as anchors.json and read
 *   back at the next start. The book itself lives across restarts in memory
 *   (the node saves and loads it through AddrMan.toFile/fromFile, which
 *   addrman's tests cover).
 */
import { anchorsDocument, parseAnchorsFile } from '../src/peers/anchors.js'
import { DialBackoff } from '../src/peers/dial-backoff.js'
import { ipOfAddr, netGroup } from '../src/peers/net-group.js'
import { OutboundSlots, type OutboundSlotsDeps } from '../src/peers/outbound-slots.js'
import type { ConnectionType, GroupPolicy, PeerAddress } from '../src/peers/types.js'
import type { Rng } from '../src/util/rng.js'
import type { Connection, Dial, VictimPolicy } from './eclipse-policy.js'

/** Picks from the book per select() until one is dialable (src/net/dialable-book.ts). */
const SELECT_FILTER_TRIES = 16

export const INTERNET: GroupPolicy = { lab: false, localCluster: false }

export function groupOfAddr(addr: string, policy: GroupPolicy = INTERNET): string {
  return netGroup(ipOfAddr(addr) ?? '0.0.0.0', policy)
}

type Book = OutboundSlotsDeps['book'] & {
  connected(addr: PeerAddress): void
  resolveCollisions(): void
  selectTriedCollision(): PeerAddress | undefined
  stats(): { groups: Array<{ group: string; new: number; tried: number }> }
}

export class NewManagerPolicy implements VictimPolicy {
  get name(): string {
    return this.evenOdds ? 'new' : 'core'
  }
  private slots: OutboundSlots | undefined
  private fullRelaySlots: OutboundSlots | undefined
  private anchors: PeerAddress[] = []
  private anchorsLeft = 0
  /** anchors.json as the node last wrote it. */
  private anchorsText: string | undefined
  private readonly backoff: DialBackoff
  private readonly blockRelayPeers = new Set<string>()

  /** `evenOdds: false` hides the book's group counts from the slots: Bitcoin Core's rule, each address taken as picked. */
  constructor(
    private readonly book: Book,
    private readonly rng: Rng,
    private readonly clock: { nowMs(): number },
    private readonly evenOdds = true,
  ) {
    this.backoff = new DialBackoff(() => clock.nowMs())
  }

  start(): void {
    const deps: OutboundSlotsDeps = {
      book: this.dialableBook(),
      policy: INTERNET,
      groupOf: (a) => groupOfAddr(a.addr),
      rng: this.rng,
      nowMs: () => this.clock.nowMs(),
    }
    this.slots = new OutboundSlots(deps)
    this.fullRelaySlots = new OutboundSlots(deps, { fullRelay: 8, blockRelay: 0 })
    this.anchors = this.anchorsText === undefined ? [] : parseAnchorsFile(JSON.parse(this.anchorsText), 'anchors.json')
    for (const anchor of this.anchors) this.book.add([anchor], 'anchor', ipOfAddr(anchor.addr) ?? '')
    this.anchorsLeft = this.anchors.length
    this.backoff.clear()
    this.blockRelayPeers.clear()
  }

  stop(current: Connection[]): void {
    const blockRelay = current.filter((c) => c.type === 'block-relay').map((c) => ({ peer: c.peer, addr: c.addr }))
    this.anchorsText = JSON.stringify(anchorsDocument(blockRelay))
  }

  nextDial(current: Connection[]): Dial | undefined {
    const { slots, fullRelaySlots } = this
    if (slots === undefined || fullRelaySlots === undefined) return undefined
    this.book.resolveCollisions()
    let next: { addr: PeerAddress; type: ConnectionType } | undefined
    while (next === undefined && this.anchorsLeft > 0) {
      const offered = slots.next(current, this.anchors)
      const anchor = offered !== undefined && this.anchors.some((a) => a.peer === offered.addr.peer)
      this.anchorsLeft = anchor ? this.anchorsLeft - 1 : 0
      if (anchor) next = offered
    }
    next ??= fullRelaySlots.next(current, [])
    if (next === undefined && current.filter((c) => c.type === 'full-relay').length >= 8) {
      const offered = slots.next(current, [])
      if (offered?.type === 'block-relay') next = offered
    }
    if (next === undefined) return undefined
    this.book.attempt(next.addr)
    if (next.type === 'block-relay') this.blockRelayPeers.add(next.addr.peer)
    return { peer: next.addr.peer, addrs: [next.addr.addr], type: next.type }
  }

  dialFailed(dial: Dial): void {
    for (const addr of dial.addrs) this.backoff.failed(addr)
  }

  outboundConnected(addr: PeerAddress): void {
    this.backoff.succeeded(addr.addr)
    this.book.good(addr)
  }

  identified(peer: string, ip: string, listenAddrs: string[], outbound: boolean): void {
    if (this.blockRelayPeers.has(peer)) return
    const addrs = listenAddrs.map((addr) => ({ peer, addr }))
    this.book.add(addrs, outbound ? 'outbound-identify' : 'inbound-identify', ip)
  }

  learned(addrs: PeerAddress[], _sourceIp: string, _nowMs: number, fromPeer?: string): void {
    // block-relay peers relay no addresses; a DHT answer names no source we can trust: each address is its own
    if (fromPeer !== undefined && this.blockRelayPeers.has(fromPeer)) return
    for (const addr of addrs) this.book.add([addr], 'dht', ipOfAddr(addr.addr) ?? '')
  }

  nextFeeler(current: Connection[], nowMs: number): PeerAddress | undefined {
    const feeler = this.slots?.nextFeeler(current, nowMs)
    if (feeler !== undefined) this.book.attempt(feeler)
    return feeler
  }

  feelerDone(addr: PeerAddress, ok: boolean): void {
    if (ok) {
      this.backoff.succeeded(addr.addr)
      this.book.good(addr)
    } else this.backoff.failed(addr.addr)
  }

  disconnected(addr: PeerAddress): void {
    this.blockRelayPeers.delete(addr.peer)
    this.book.connected(addr)
  }

  /** The book as the slots see it: select() only returns addresses not backing off after a failure. */
  private dialableBook(): OutboundSlotsDeps['book'] {
    const { book } = this
    const dialable = (a: PeerAddress): boolean => this.backoff.ready(a.addr)
    const pick = (draw: () => PeerAddress | undefined, tries: number): PeerAddress | undefined => {
      for (let i = 0; i < tries; i++) {
        const addr = draw()
        if (addr === undefined) return undefined
        if (dialable(addr)) return addr
      }
      return undefined
    }
    return {
      add: (addrs, origin, sourceIp) => book.add(addrs, origin, sourceIp),
      attempt: (addr) => book.attempt(addr),
      good: (addr) => book.good(addr),
      select: (newOnly) => pick(() => book.select(newOnly), SELECT_FILTER_TRIES),
      selectTriedCollision: () => pick(() => book.selectTriedCollision(), 1),
      ...(this.evenOdds ? { stats: () => book.stats() } : {}),
    }
  }
}

/** Connection type of a slot, for counting. */
export const isOutboundSlot = (type: ConnectionType): boolean => type === 'full-relay' || type === 'block-relay'
