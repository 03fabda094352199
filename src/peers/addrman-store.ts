/**
 * The address manager's storage: its entries, the new and tried tables and
 * the indexes by address and by peer, moved together so they never
 * disagree. An entry lives while it holds a slot: up to 8 in new, or one in
 * tried, never both; an entry pushed out of its last new slot is forgotten.
 * What may enter is policy, in addrman.ts; what is selected is in
 * addrman-select.ts, how collisions settle in addrman-collisions.ts.
 */
import { type AddressSeeds, type BucketHasher, NEW_BUCKET_COUNT, TRIED_BUCKET_COUNT } from './addrman-buckets.js'
import { type AddrEntry, isPeerShape, NEVER } from './addrman-entry.js'
import { EMPTY, SlotTable } from './addrman-table.js'

/** What a new entry is made of; times not given are NEVER, failures 0. */
export interface EntryFields {
  peer: string
  addr: string
  seeds: AddressSeeds
  group: string
  bucketGroup: string
  sourceIp: string
  sourceGroup: string
  seenMs: number
  lastTryMs?: number
  lastSuccessMs?: number
  attempts?: number
}

export class AddrStore {
  readonly newTable = new SlotTable(NEW_BUCKET_COUNT)
  readonly triedTable = new SlotTable(TRIED_BUCKET_COUNT)
  private readonly entries = new Map<number, AddrEntry>()
  private readonly byAddr = new Map<string, AddrEntry>()
  private readonly byPeer = new Map<string, Set<string>>()
  private nextId = 0
  private entriesInNew = 0

  /** `onForget` hears of every entry deleted (the collision list drops it). */
  constructor(
    private readonly hasher: BucketHasher,
    private readonly onForget: (id: number) => void,
  ) {}

  /** Entries in the new table. */
  get newCount(): number {
    return this.entriesInNew
  }

  get triedCount(): number {
    return this.triedTable.size
  }

  byId(id: number): AddrEntry | undefined {
    return this.entries.get(id)
  }

  get(addr: string): AddrEntry | undefined {
    return this.byAddr.get(addr)
  }

  all(): IterableIterator<AddrEntry> {
    return this.entries.values()
  }

  addrsOf(peer: string): string[] {
    return [...(this.byPeer.get(peer) ?? [])]
  }

  /** A new entry, in no table yet: place it with putNew or putTried at once. */
  create(fields: EntryFields): AddrEntry {
    const entry: AddrEntry = {
      id: this.nextId++,
      lastTryMs: NEVER,
      lastCountAttemptMs: NEVER,
      lastSuccessMs: NEVER,
      attempts: 0,
      ...fields,
      newSlots: [],
      triedSlot: EMPTY,
    }
    this.entries.set(entry.id, entry)
    this.byAddr.set(entry.addr, entry)
    this.indexPeer(entry)
    return entry
  }

  private indexPeer(entry: AddrEntry): void {
    let addrs = this.byPeer.get(entry.peer)
    if (addrs === undefined) {
      addrs = new Set()
      this.byPeer.set(entry.peer, addrs)
    }
    addrs.add(entry.addr)
  }

  private unindexPeer(entry: AddrEntry): void {
    const addrs = this.byPeer.get(entry.peer)
    addrs?.delete(entry.addr)
    if (addrs?.size === 0) this.byPeer.delete(entry.peer)
  }

  /** A connection at the entry's address proved it belongs to `peer`. */
  setPeer(entry: AddrEntry, peer: string): void {
    if (entry.peer === peer || !isPeerShape(peer)) return
    this.unindexPeer(entry)
    entry.peer = peer
    this.indexPeer(entry)
  }

  /** Takes the entry out of every table and index. */
  delete(entry: AddrEntry): void {
    this.leaveNew(entry)
    if (entry.triedSlot !== EMPTY) this.triedTable.clear(entry.triedSlot)
    entry.triedSlot = EMPTY
    this.entries.delete(entry.id)
    this.byAddr.delete(entry.addr)
    this.unindexPeer(entry)
    this.onForget(entry.id)
  }

  /** Puts the entry in a free new slot. */
  putNew(entry: AddrEntry, slot: number): void {
    this.newTable.set(slot, entry.id)
    if (entry.newSlots.length === 0) this.entriesInNew++
    entry.newSlots.push(slot)
  }

  /** Puts an entry that is in no table into a free tried slot. */
  putTried(entry: AddrEntry, slot: number): void {
    this.triedTable.set(slot, entry.id)
    entry.triedSlot = slot
  }

  /** Empties a new slot; an entry left in no table is forgotten. */
  clearNew(slot: number): void {
    const entry = this.entries.get(this.newTable.clear(slot))
    if (entry === undefined) return
    entry.newSlots.splice(entry.newSlots.indexOf(slot), 1)
    if (entry.newSlots.length === 0) {
      this.entriesInNew--
      if (entry.triedSlot === EMPTY) this.delete(entry)
    }
  }

  private leaveNew(entry: AddrEntry): void {
    for (const slot of entry.newSlots) this.newTable.clear(slot)
    if (entry.newSlots.length > 0) this.entriesInNew--
    entry.newSlots = []
  }

  /** Moves a new entry into tried slot `slot`; an occupant goes back to new, to the slot its source chose, displacing whoever is there. */
  makeTried(entry: AddrEntry, slot: number): void {
    this.leaveNew(entry)
    const old = this.entries.get(this.triedTable.clear(slot))
    if (old !== undefined) {
      old.triedSlot = EMPTY
      const newSlot = this.hasher.newSlot(old.seeds, old.bucketGroup, old.sourceGroup)
      this.clearNew(newSlot)
      this.putNew(old, newSlot)
    }
    this.putTried(entry, slot)
  }

  /** Where `addr` sits: its new slots and its tried slot; undefined when unknown. */
  slotsOf(addr: string): { new: number[]; tried: number | undefined } | undefined {
    const entry = this.byAddr.get(addr)
    if (entry === undefined) return undefined
    return { new: [...entry.newSlots], tried: entry.triedSlot === EMPTY ? undefined : entry.triedSlot }
  }
}
