/**
 * Network-group diversity in the DHT routing table, after go-libp2p-kbucket's
 * `peerdiversity` filter: an attacker who holds a few IP ranges and
 * generates many keys could otherwise fill the buckets near us (or near a
 * key it wants to hide) with its own peers, and every lookup we start would
 * walk through them. So a network group gets at most 2 peers per common
 * prefix length with our kad id and 3 in the whole table; its fourth peer
 * waits until one of the three leaves.
 *
 * Pure: the caller says who joined the table (with the peer's kad id and the
 * group of the connection it came over) and who left; this class answers
 * whether a joining peer may stay. It remembers only peers it admitted, so
 * it is as large as the routing table, never larger.
 */
import { isGroupLimited } from './net-group.js'

/** Peers of one network group sharing one common prefix length with our kad id, at most (go-libp2p-kad-dht: 2). */
export const DHT_GROUP_PER_CPL_MAX = 2
/** Peers of one network group in the whole routing table, at most (go-libp2p-kad-dht: 3). */
export const DHT_GROUP_PER_TABLE_MAX = 3

/** Why a peer may not stay: its group is unknown (no connection to read it from), or already has its share. */
export type DhtRefusal = 'no-group' | 'cpl-full' | 'table-full'

export type DhtAdmission = { admitted: true } | { admitted: false; why: DhtRefusal }

interface Member {
  group: string
  cpl: number
}

/** Leading bits `a` and `b` share (XOR distance's leading zeros); the full length for equal ids. */
export function commonPrefixLength(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) ^ (b[i] ?? 0)
    if (diff !== 0) return i * 8 + Math.clz32(diff) - 24
  }
  return length * 8
}

/** The routing table's members by network group; decides who may join. */
export class DhtDiversity {
  private readonly members = new Map<string, Member>()

  /** `selfKadId`: our own kad id (SHA-256 of our peer id's multihash), the point common prefixes are measured from. */
  constructor(private readonly selfKadId: Uint8Array) {}

  /** Members remembered (peers admitted and not yet removed). */
  get size(): number {
    return this.members.size
  }

  has(peer: string): boolean {
    return this.members.has(peer)
  }

  /**
   * `peer` (kad id `kadId`) joined the routing table over a connection from
   * `group` (undefined: we could not tell). Admitted, it is remembered until
   * `remove`; refused, nothing is kept, and the caller takes it out of the
   * table. A member joining again is judged afresh, without its old place.
   */
  admit(peer: string, kadId: Uint8Array, group: string | undefined): DhtAdmission {
    this.members.delete(peer)
    // as go-libp2p: a peer we cannot place in a group could be in any, so it gets no place
    if (group === undefined) return { admitted: false, why: 'no-group' }
    const cpl = commonPrefixLength(this.selfKadId, kadId)
    if (isGroupLimited(group)) {
      let inTable = 0
      let inCpl = 0
      for (const member of this.members.values()) {
        if (member.group !== group) continue
        inTable++
        if (member.cpl === cpl) inCpl++
      }
      if (inCpl >= DHT_GROUP_PER_CPL_MAX) return { admitted: false, why: 'cpl-full' }
      if (inTable >= DHT_GROUP_PER_TABLE_MAX) return { admitted: false, why: 'table-full' }
    }
    this.members.set(peer, { group, cpl })
    return { admitted: true }
  }

  /** `peer` left the routing table: its place is free. Unknown peers change nothing. */
  remove(peer: string): void {
    this.members.delete(peer)
  }

  /** The routing table was emptied (the DHT stopped). */
  clear(): void {
    this.members.clear()
  }
}
