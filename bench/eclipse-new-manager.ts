/**
 * The new peer manager as the eclipse benchmark drives it: the node's own
 * address manager (src/peers/addrman.ts), outbound slot policy
 * (src/peers/outbound-slots.ts) and anchors file (src/peers/anchors.ts),
 * glued the way src/net/ glues them: identify and DHT answers go into the
 * book with their source's IP, a completed outbound connection or feeler is
 * `good`, a closed one is `connected`, every dial is an `attempt`, and at
 * shutdown the block-relay peers are written as anchors and read back at the
 * next start. The book lives across restarts in memory (the node writes and
 * reads it through AddrMan.toFile/fromFile, which addrman's tests cover).
 */
import { anchorsDocument, parseAnchorsFile } from '../src/peers/anchors.js'
import { ipOfAddr, netGroup } from '../src/peers/net-group.js'
import { OutboundSlots, type OutboundSlotsDeps } from '../src/peers/outbound-slots.js'
import type { ConnectionType, GroupPolicy, PeerAddress } from '../src/peers/types.js'
import type { Rng } from '../src/util/rng.js'
import type { Connection, Dial, VictimPolicy } from './eclipse-policy.js'

export const INTERNET: GroupPolicy = { lab: false, localCluster: false }

export function groupOfAddr(addr: string, policy: GroupPolicy = INTERNET): string {
  return netGroup(ipOfAddr(addr) ?? '0.0.0.0', policy)
}

export class NewManagerPolicy implements VictimPolicy {
  readonly name = 'new'
  private slots: OutboundSlots | undefined
  private anchors: PeerAddress[] = []
  /** anchors.json as the node last wrote it. */
  private anchorsText: string | undefined

  constructor(
    private readonly book: OutboundSlotsDeps['book'] & { connected?(addr: PeerAddress): void },
    private readonly rng: Rng,
    private readonly clock: { nowMs(): number },
  ) {}

  start(): void {
    this.slots = new OutboundSlots({
      book: this.book,
      policy: INTERNET,
      groupOf: (a) => groupOfAddr(a.addr),
      rng: this.rng,
      nowMs: () => this.clock.nowMs(),
    })
    this.anchors = this.anchorsText === undefined ? [] : parseAnchorsFile(JSON.parse(this.anchorsText), 'anchors.json')
  }

  stop(current: Connection[]): void {
    const blockRelay = current.filter((c) => c.type === 'block-relay').map((c) => ({ peer: c.peer, addr: c.addr }))
    this.anchorsText = JSON.stringify(anchorsDocument(blockRelay))
  }

  nextDial(current: Connection[]): Dial | undefined {
    const next = this.slots?.next(current, this.anchors)
    if (next === undefined) return undefined
    this.book.attempt(next.addr)
    return { peer: next.addr.peer, addrs: [next.addr.addr], type: next.type }
  }

  dialFailed(): void {}

  outboundConnected(addr: PeerAddress): void {
    this.book.good(addr)
  }

  identified(peer: string, ip: string, listenAddrs: string[], outbound: boolean): void {
    const addrs = listenAddrs.map((addr) => ({ peer, addr }))
    this.book.add(addrs, outbound ? 'outbound-identify' : 'inbound-identify', ip)
  }

  learned(addrs: PeerAddress[], sourceIp: string): void {
    this.book.add(addrs, 'dht', sourceIp)
  }

  nextFeeler(current: Connection[], nowMs: number): PeerAddress | undefined {
    const feeler = this.slots?.nextFeeler(current, nowMs)
    if (feeler !== undefined) this.book.attempt(feeler)
    return feeler
  }

  feelerDone(addr: PeerAddress, ok: boolean): void {
    if (ok) this.book.good(addr)
  }

  disconnected(addr: PeerAddress): void {
    this.book.connected?.(addr)
  }
}

/** Connection type of a slot, for counting. */
export const isOutboundSlot = (type: ConnectionType): boolean => type === 'full-relay' || type === 'block-relay'
