/**
 * Whom to dial next: the outbound slot policy of the peer manager, modelled
 * on Bitcoin Core's ThreadOpenConnections.
 *
 * - 8 full-relay and 2 block-relay-only slots. The block-relay slots go
 *   first to the anchors (the block-relay peers of the last run), then to
 *   addresses from the book; then the full-relay slots fill.
 * - At most one full-relay or block-relay connection per network group:
 *   an attacker holding a few /16s can then hold a few slots at most, however
 *   many addresses it plants. `local` (a devnet on one machine) is exempt, as
 *   are manual connections (the operator's choice); inbound peers and
 *   feelers hold no group.
 * - Every group gets an even chance, however many addresses it has: the
 *   book picks addresses (tried or new, bucket by bucket), and an address of
 *   a group with n addresses where the median group has m < n is taken with
 *   odds m/n only. An attacker's few groups are full of its addresses and
 *   win no more often than any honest group; without this they win as
 *   often as the buckets and tried slots they fill (Bitcoin Core takes the
 *   address as picked). The counts come from the book's stats(), recounted
 *   every GROUP_COUNTS_REFRESH_MS.
 * - Never an address whose peer we are already connected to, either way.
 * - The book is asked up to SELECT_TRIES times per slot; an address that
 *   does not fit is skipped, and when none fits the slot waits for the next
 *   round (the caller asks again later, after the book learned more).
 * - Feelers: every ~2 minutes (exponential waits, mean FEELER_INTERVAL_MS,
 *   so the times cannot be predicted), once the slots are full, one
 *   short-lived connection tests an address: first the old tried entry of a
 *   test-before-evict collision (after settling those already tested), else
 *   a new address. Success moves it to
 *   tried, which is how the tried table fills with addresses we chose.
 *
 * No timers: the caller asks; time and randomness come in through deps.
 */
import { exponential, type Rng } from '../util/rng.js'
import { isGroupLimited } from './net-group.js'
import type { AddressBook, ConnectionType, GroupPolicy, PeerAddress } from './types.js'

export const OUTBOUND_TARGETS = { fullRelay: 8, blockRelay: 2 }
/** Picks from the book per slot before giving up until the next round (Bitcoin Core: 100). */
export const SELECT_TRIES = 100
/** Mean wait between feeler connections. */
export const FEELER_INTERVAL_MS = 120_000
/** The per-group address counts that even out the groups' chances are this old at most. */
export const GROUP_COUNTS_REFRESH_MS = 60 * 60_000

export interface CurrentConnection {
  peer: string
  group: string
  type: ConnectionType
}

export interface OutboundSlotsDeps {
  book: AddressBook & {
    addressesOf?(peer: string): string[]
    /** Settles the test-before-evict collisions whose test is done or overdue (AddrMan). */
    resolveCollisions?(): void
    /** The old tried entry a test-before-evict collision wants tested (AddrMan). */
    selectTriedCollision?(): PeerAddress | undefined
    /** Addresses per group (AddrMan): without it every group's chance is what select() gives it. */
    stats?(): { groups: Array<{ group: string; new: number; tried: number }> }
  }
  policy: GroupPolicy
  groupOf(addr: PeerAddress): string
  rng: Rng
  nowMs: () => number
}

interface GroupCounts {
  sizes: Map<string, number>
  median: number
  atMs: number
}

/** Group counts per book, shared by every OutboundSlots over the same book (the node runs one per slot kind). */
const groupCountsOf = new WeakMap<object, GroupCounts>()

export class OutboundSlots {
  private readonly anchorsHandedOut = new Set<string>()
  private nextFeelerAtMs: number | undefined

  constructor(
    private readonly deps: OutboundSlotsDeps,
    private readonly targets: { fullRelay: number; blockRelay: number } = OUTBOUND_TARGETS,
  ) {}

  /**
   * The next outbound connection to open, or undefined when the slots are
   * full or nothing in the book fits. `current` is every connection we hold
   * (all directions and types); `anchors` the anchors read at start, each
   * handed out once. The caller calls `book.attempt` before dialing and
   * `book.good` once the status exchange completed.
   */
  next(current: CurrentConnection[], anchors: PeerAddress[]): { addr: PeerAddress; type: ConnectionType } | undefined {
    const blockRelay = current.filter((c) => c.type === 'block-relay').length
    const fullRelay = current.filter((c) => c.type === 'full-relay').length
    const type: ConnectionType | undefined =
      blockRelay < this.targets.blockRelay
        ? 'block-relay'
        : fullRelay < this.targets.fullRelay
          ? 'full-relay'
          : undefined
    if (type === undefined) return undefined
    const fits = this.fitsFor(current)
    if (type === 'block-relay')
      for (const anchor of anchors) {
        const key = `${anchor.peer} ${anchor.addr}`
        if (this.anchorsHandedOut.has(key)) continue
        this.anchorsHandedOut.add(key)
        if (fits(anchor)) return { addr: anchor, type }
      }
    const addr = this.pick(false, fits)
    return addr === undefined ? undefined : { addr, type }
  }

  /**
   * A feeler to open now, or undefined: not before the next exponential
   * draw falls due, not while a feeler is open or outbound slots are free,
   * never to a connected peer or a group we hold.
   */
  nextFeeler(current: CurrentConnection[], nowMs: number = this.deps.nowMs()): PeerAddress | undefined {
    if (this.nextFeelerAtMs === undefined) this.nextFeelerAtMs = nowMs + exponential(this.deps.rng, FEELER_INTERVAL_MS)
    if (nowMs < this.nextFeelerAtMs) return undefined
    if (current.some((c) => c.type === 'feeler')) return undefined
    const blockRelay = current.filter((c) => c.type === 'block-relay').length
    const fullRelay = current.filter((c) => c.type === 'full-relay').length
    if (blockRelay < this.targets.blockRelay || fullRelay < this.targets.fullRelay) return undefined
    this.nextFeelerAtMs = nowMs + exponential(this.deps.rng, FEELER_INTERVAL_MS)
    const fits = this.fitsFor(current)
    // settled collisions leave first, so a feeler never retests an entry that already answered
    this.deps.book.resolveCollisions?.()
    const collision = this.deps.book.selectTriedCollision?.()
    if (collision !== undefined && fits(collision)) return collision
    return this.pick(true, fits)
  }

  /** Whether an address of `group` picked by the book is taken: always for a group no bigger than the median, else with odds median/size. */
  private evenOdds(group: string): boolean {
    if (!isGroupLimited(group)) return true
    const counts = this.countGroups()
    if (counts === undefined) return true
    const size = counts.sizes.get(group) ?? 0
    return size <= counts.median || this.deps.rng.next() * size < counts.median
  }

  private countGroups(): GroupCounts | undefined {
    const { book } = this.deps
    if (book.stats === undefined) return undefined
    const nowMs = this.deps.nowMs()
    const cached = groupCountsOf.get(book)
    if (cached !== undefined && nowMs >= cached.atMs && nowMs - cached.atMs < GROUP_COUNTS_REFRESH_MS) return cached
    const sizes = new Map<string, number>()
    for (const g of book.stats().groups) sizes.set(g.group, g.new + g.tried)
    const sorted = [...sizes.values()].sort((x, y) => x - y)
    const counts = { sizes, median: Math.max(1, sorted[Math.floor(sorted.length / 2)] ?? 1), atMs: nowMs }
    groupCountsOf.set(book, counts)
    return counts
  }

  /** Whether an address may take an outbound slot next to the `current` connections. */
  private fitsFor(current: CurrentConnection[]): (addr: PeerAddress) => boolean {
    const connected = new Set(current.map((c) => c.peer))
    const heldGroups = new Set(
      current.filter((c) => c.type === 'full-relay' || c.type === 'block-relay').map((c) => c.group),
    )
    return (addr) => {
      if (connected.has(addr.peer)) return false
      const group = this.deps.groupOf(addr)
      return !(isGroupLimited(group) && heldGroups.has(group))
    }
  }

  private pick(newOnly: boolean, fits: (addr: PeerAddress) => boolean): PeerAddress | undefined {
    for (let i = 0; i < SELECT_TRIES; i++) {
      const addr = this.deps.book.select(newOnly)
      if (addr === undefined) return undefined
      if (fits(addr) && this.evenOdds(this.deps.groupOf(addr))) return addr
    }
    return undefined
  }
}
