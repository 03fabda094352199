/**
 * The address manager: the addresses this node may dial, kept so that an
 * attacker cannot fill them (Bitcoin Core's addrman, the answer to the
 * eclipse attacks of Heilman et al. 2015).
 *
 * Two tables. "New" (1,024 buckets × 64) holds addresses we heard of; an
 * address's bucket is chosen by a keyed hash of its group and the group of
 * whoever told us, so a few attacker hosts (few source groups) reach few
 * buckets however much they announce. "Tried" (256 × 64) holds addresses we
 * completed a connection with; its buckets depend on the address and its
 * group. Nothing the network says moves an address to tried: only our own
 * successful connections (good()).
 *
 * A new address takes its slot when the slot is free, or when the occupant
 * is terrible (old, failing) or sits in several buckets; otherwise it is
 * dropped. An address moving to a taken tried slot does not evict the
 * occupant at once (test-before-evict): the collision is recorded, a feeler
 * tests the occupant, and resolveCollisions() keeps it if it answered
 * recently, replaces it otherwise.
 *
 * Everything is bounded by the tables (81,920 entries) and deterministic
 * given the key and the rng; time comes from `nowMs`, there are no timers.
 * The parts: slot hashing (addrman-buckets.ts), storage (addrman-store.ts,
 * addrman-table.ts), collisions (addrman-collisions.ts), selection
 * (addrman-select.ts), the file (addrman-file.ts); this module is the
 * rest of the policy.
 */
import { isIP } from 'node:net'
import type { Rng } from '../util/rng.js'
import {
  BUCKET_SIZE,
  BucketHasher,
  bucketOfSlot,
  NEW_BUCKET_COUNT,
  NEW_BUCKETS_PER_ADDRESS,
  slotOf,
} from './addrman-buckets.js'
import { TriedCollisions } from './addrman-collisions.js'
import { type AddrEntry, isAddrShape, isPeerShape, isTerrible, NEVER } from './addrman-entry.js'
import { type AddrManFile, type AddrManFileEntry, entryRecord, parseAddrManFile } from './addrman-file.js'
import { selectAddress } from './addrman-select.js'
import { AddrStore } from './addrman-store.js'
import { EMPTY } from './addrman-table.js'
import { ipOfAddr, LOCAL_GROUP, netGroup } from './net-group.js'
import type { AddressBook, AddressOrigin, GroupPolicy, PeerAddress } from './types.js'

export { COLLISION_TEST_MIN_MS, REPLACEMENT_MS, TEST_WINDOW_MS, TRIED_COLLISIONS_MAX } from './addrman-collisions.js'

/** Addresses looked at per add() call; the rest are ignored (one identify or DHT answer is far fewer). */
export const ADD_BATCH_MAX = 1_000
/** A known address announced again refreshes its time at most this often. */
const SEEN_UPDATE_MS = 3_600_000
/** connected() refreshes an address's time at most this often. */
const CONNECTED_UPDATE_MS = 20 * 60_000

/**
 * The group buckets are chosen by. `local` addresses come only from trusted
 * origins or on devnets, where dozens of nodes share 127.0.0.1: as one group
 * they would all fight over one new bucket, so each counts as its own.
 */
function spreadGroup(group: string, id: string): string {
  return group === LOCAL_GROUP ? `local ${id}` : group
}

/**
 * Origins we trust to give us local addresses: our own configuration, our
 * own anchors, and mDNS (multicast does not cross a router, so it speaks for
 * our own link, and LAN peers are what the operator turned it on for).
 */
const TRUSTED_ORIGINS: ReadonlySet<AddressOrigin> = new Set(['bootstrap', 'operator', 'anchor', 'mdns'])

export interface AddrManDeps {
  /** The 32-byte bucket secret (random per node, kept in the file). */
  key: Uint8Array
  policy: GroupPolicy
  nowMs: () => number
  rng: Rng
}

export interface AddrManStats {
  new: number
  tried: number
  /** Per address group, most addresses first. */
  groups: Array<{ group: string; new: number; tried: number }>
}

export class AddrMan implements AddressBook {
  private readonly hasher: BucketHasher
  private readonly key: Uint8Array
  private readonly store: AddrStore
  private readonly collisions: TriedCollisions
  /** When and in which state (see isStuck) each new bucket was last found stuck. */
  private readonly stuckState = new Float64Array(NEW_BUCKET_COUNT).fill(-1)
  private readonly stuckAtMs = new Float64Array(NEW_BUCKET_COUNT)
  /** Grows whenever an entry changes in a way isTerrible or isReplaceable reads. */
  private entryChanges = 0
  /** Last good() anywhere: a failure is only counted once per good connection (we may have been offline). */
  private lastGoodMs = NEVER

  constructor(private readonly deps: AddrManDeps) {
    this.hasher = new BucketHasher(deps.key)
    this.key = Uint8Array.from(deps.key)
    this.store = new AddrStore(this.hasher, (id) => this.collisions.forget(id))
    this.collisions = new TriedCollisions(this.store, this.hasher)
  }

  /**
   * Learns addresses from `sourceIp` (see AddressBook.add). Addresses that
   * are not routable are refused unless the origin is trusted or the policy
   * is lab or local-cluster; addresses without an IP (DNS) are refused.
   */
  add(addrs: PeerAddress[], origin: AddressOrigin, sourceIp: string): number {
    const { policy } = this.deps
    const now = this.deps.nowMs()
    const acceptLocal = TRUSTED_ORIGINS.has(origin) || policy.lab || policy.localCluster
    const source = isIP(sourceIp) === 0 ? '' : sourceIp
    const sourceGroup = spreadGroup(source === '' ? LOCAL_GROUP : netGroup(source, policy), source)
    let added = 0
    const count = Math.min(addrs.length, ADD_BATCH_MAX)
    for (let i = 0; i < count; i++) {
      const item = addrs[i]
      if (item !== undefined && this.addOne(item, source, sourceGroup, acceptLocal, now)) added++
    }
    return added
  }

  private addOne(item: PeerAddress, sourceIp: string, sourceGroup: string, acceptLocal: boolean, now: number): boolean {
    const { addr, peer } = item
    let entry = this.store.get(addr)
    let group: string
    let bucketGroup: string
    if (entry !== undefined) {
      if (entry.seenMs < now - SEEN_UPDATE_MS) {
        entry.seenMs = now
        this.entryChanges++
      }
      if (entry.triedSlot !== EMPTY) return false
      const refs = entry.newSlots.length
      if (refs >= NEW_BUCKETS_PER_ADDRESS) return false
      // each further bucket is twice as hard to reach as the last
      if (this.deps.rng.int(2 ** refs) !== 0) return false
      group = entry.group
      bucketGroup = entry.bucketGroup
    } else {
      if (!isPeerShape(peer) || !isAddrShape(addr)) return false
      const ip = ipOfAddr(addr)
      if (ip === undefined) return false
      group = netGroup(ip, this.deps.policy)
      if (group === LOCAL_GROUP && !acceptLocal) return false
      bucketGroup = spreadGroup(group, addr)
    }
    const refs = entry?.newSlots.length ?? 0
    const bucket = this.hasher.newBucket(bucketGroup, sourceGroup)
    // a flood meets full buckets: when no occupant could give way, the position (an HMAC) does not matter
    if (this.isStuck(bucket, refs, now)) return false
    const seeds = entry?.seeds ?? this.hasher.seeds(addr)
    const slot = slotOf(bucket, this.hasher.newPosition(seeds, bucket))
    const occupantId = this.store.newTable.get(slot)
    if (occupantId === entry?.id) return false
    if (occupantId !== EMPTY) {
      const occupant = this.store.byId(occupantId)
      if (occupant !== undefined && !this.isReplaceable(occupant, refs, now)) return false
      this.store.clearNew(slot)
    }
    const created = entry === undefined
    entry ??= this.store.create({ peer, addr, seeds, group, bucketGroup, sourceIp, sourceGroup, seenMs: now })
    this.store.putNew(entry, slot)
    return created
  }

  /** Whether a newcomer in `refs` new buckets may take `occupant`'s new slot: it is terrible, or it has other slots and the newcomer none. */
  private isReplaceable(occupant: AddrEntry, refs: number, now: number): boolean {
    return isTerrible(occupant, now) || (occupant.newSlots.length > 1 && refs === 0)
  }

  /**
   * Whether new bucket `bucket` is full and no occupant would give way to a
   * newcomer in `refs` buckets. A bucket found stuck is remembered with the
   * time and the state (table and entry changes) it was found in, so a
   * flood into it costs one scan, not one per address.
   */
  private isStuck(bucket: number, refs: number, now: number): boolean {
    const table = this.store.newTable
    if (!table.isFull(bucket)) return false
    const state = table.changes + this.entryChanges
    if (refs === 0 && this.stuckState[bucket] === state && this.stuckAtMs[bucket] === now) return true
    for (let slot = bucket * BUCKET_SIZE, end = slot + BUCKET_SIZE; slot < end; slot++) {
      const occupant = this.store.byId(table.get(slot))
      if (occupant === undefined || this.isReplaceable(occupant, refs, now)) return false
    }
    if (refs === 0) {
      this.stuckState[bucket] = state
      this.stuckAtMs[bucket] = now
    }
    return true
  }

  /** A dial to `addr` is starting: it counts as a failure until good(). */
  attempt(addr: PeerAddress): void {
    const entry = this.store.get(addr.addr)
    if (entry === undefined) return
    const now = this.deps.nowMs()
    entry.lastTryMs = now
    this.entryChanges++
    // the first failure counts; later ones only after a good connection somewhere since the last counted one
    if (entry.lastCountAttemptMs === NEVER || entry.lastCountAttemptMs < this.lastGoodMs) {
      entry.lastCountAttemptMs = now
      entry.attempts++
    }
  }

  /**
   * An outbound connection to `addr` completed its status exchange: the
   * address moves to tried, unless its tried slot holds another entry; then
   * the collision waits for a feeler (selectTriedCollision) and
   * resolveCollisions(). Unknown addresses are ignored: add them first.
   */
  good(addr: PeerAddress): void {
    const now = this.deps.nowMs()
    this.lastGoodMs = now
    const entry = this.store.get(addr.addr)
    if (entry === undefined) return
    this.store.setPeer(entry, addr.peer)
    entry.lastSuccessMs = now
    entry.lastTryMs = now
    entry.attempts = 0
    this.entryChanges++
    if (entry.triedSlot !== EMPTY) return
    const slot = this.hasher.triedSlot(entry.seeds, entry.bucketGroup)
    if (this.store.triedTable.get(slot) !== EMPTY) {
      this.collisions.record(entry)
      return
    }
    this.store.makeTried(entry, slot)
  }

  /** We were connected to `addr` until now: its time is refreshed (at most every 20 minutes). */
  connected(addr: PeerAddress): void {
    const entry = this.store.get(addr.addr)
    if (entry === undefined) return
    const now = this.deps.nowMs()
    this.store.setPeer(entry, addr.peer)
    if (now - entry.seenMs > CONNECTED_UPDATE_MS) {
      entry.seenMs = now
      this.entryChanges++
    }
  }

  /** Picks an address to dial, never a terrible one (see selectAddress). */
  select(newOnly: boolean): PeerAddress | undefined {
    return selectAddress(this.store, newOnly, this.deps.rng, () => this.deps.nowMs())
  }

  /** The tried entry a colliding address wants to replace: a feeler should test it. Undefined when none waits. */
  selectTriedCollision(): PeerAddress | undefined {
    const old = this.collisions.occupantToTest(this.deps.rng)
    return old === undefined ? undefined : { peer: old.peer, addr: old.addr }
  }

  /** Settles recorded collisions (see TriedCollisions.resolve): a tested, working occupant stays, a failing one is replaced. */
  resolveCollisions(): void {
    this.collisions.resolve(this.deps.nowMs())
  }

  /** The known addresses of `peer`. */
  addressesOf(peer: string): string[] {
    return this.store.addrsOf(peer)
  }

  /** Forgets every address of `peer` (it was banned). */
  remove(peer: string): void {
    for (const addr of this.store.addrsOf(peer)) {
      const entry = this.store.get(addr)
      if (entry !== undefined) this.store.delete(entry)
    }
  }

  stats(): AddrManStats {
    const groups = new Map<string, { group: string; new: number; tried: number }>()
    for (const entry of this.store.all()) {
      let counts = groups.get(entry.group)
      if (counts === undefined) {
        counts = { group: entry.group, new: 0, tried: 0 }
        groups.set(entry.group, counts)
      }
      if (entry.triedSlot !== EMPTY) counts.tried++
      else counts.new++
    }
    const list = [...groups.values()].sort(
      (a, b) => b.new + b.tried - (a.new + a.tried) || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0),
    )
    return { new: this.store.newCount, tried: this.store.triedCount, groups: list }
  }

  /** Distinct new buckets holding at least one entry of `group` (for tests and the eclipse bench). */
  newBucketsOf(group: string): number {
    const buckets = new Set<number>()
    for (const entry of this.store.all()) {
      if (entry.group === group) for (const slot of entry.newSlots) buckets.add(bucketOfSlot(slot))
    }
    return buckets.size
  }

  /** Where `addr` sits: its new-table slots and its tried slot (bucket * 64 + position); undefined when unknown. */
  slotsOf(addr: string): { new: number[]; tried: number | undefined } | undefined {
    return this.store.slotsOf(addr)
  }

  /** HMACs computed so far (each costs microseconds: add() computes at most one per new address, none into a full bucket). */
  get hmacCount(): number {
    return this.hasher.macCount
  }

  /** Whether `addr` is in the tried table. */
  isTried(addr: string): boolean {
    const entry = this.store.get(addr)
    return entry !== undefined && entry.triedSlot !== EMPTY
  }

  /** Whether `addr` is known at all. */
  has(addr: string): boolean {
    return this.store.get(addr) !== undefined
  }

  /** The whole state as a JSON-ready document (addrman.json). */
  toFile(): AddrManFile {
    const tried: AddrManFileEntry[] = []
    const fresh: AddrManFileEntry[] = []
    for (const entry of this.store.all()) (entry.triedSlot !== EMPTY ? tried : fresh).push(entryRecord(entry))
    return {
      version: 1,
      key: Buffer.from(this.key).toString('hex'),
      lastGoodMs: this.lastGoodMs === NEVER ? 0 : this.lastGoodMs,
      tried,
      new: fresh,
    }
  }

  /**
   * An address manager from a parsed addrman.json, with the file's key.
   * Slots are derived again from the key (tried: from the address; new:
   * from the address and its source): an entry whose slot is taken is
   * dropped, a tried one first falling back to new. `skipped` counts
   * malformed, duplicate, excess and dropped entries. AddrManFileError
   * when `doc` is not an addrman file.
   */
  static fromFile(doc: unknown, deps: Omit<AddrManDeps, 'key'>, path: string): { addrman: AddrMan; skipped: number } {
    const parsed = parseAddrManFile(doc, path)
    const addrman = new AddrMan({ ...deps, key: parsed.key })
    addrman.lastGoodMs = parsed.lastGoodMs
    let skipped = parsed.skipped
    for (const record of parsed.tried) if (!addrman.restore(record, true)) skipped++
    for (const record of parsed.new) if (!addrman.restore(record, false)) skipped++
    return { addrman, skipped }
  }

  private restore(record: AddrManFileEntry, tried: boolean): boolean {
    if (this.store.get(record.addr) !== undefined) return false
    const ip = ipOfAddr(record.addr)
    if (ip === undefined) return false
    const { policy } = this.deps
    const group = netGroup(ip, policy)
    const bucketGroup = spreadGroup(group, record.addr)
    const sourceGroup = spreadGroup(record.source === '' ? LOCAL_GROUP : netGroup(record.source, policy), record.source)
    const seeds = this.hasher.seeds(record.addr)
    const triedSlot = tried ? this.hasher.triedSlot(seeds, bucketGroup) : EMPTY
    const useTried = triedSlot !== EMPTY && this.store.triedTable.get(triedSlot) === EMPTY
    const newSlot = useTried ? EMPTY : this.hasher.newSlot(seeds, bucketGroup, sourceGroup)
    if (!useTried && this.store.newTable.get(newSlot) !== EMPTY) return false
    const entry = this.store.create({
      peer: record.peer,
      addr: record.addr,
      seeds,
      group,
      bucketGroup,
      sourceIp: record.source,
      sourceGroup,
      seenMs: record.seenMs,
      lastTryMs: record.lastTryMs,
      lastSuccessMs: record.lastSuccessMs,
      attempts: record.attempts,
    })
    if (useTried) this.store.putTried(entry, triedSlot)
    else this.store.putNew(entry, newSlot)
    return true
  }
}
