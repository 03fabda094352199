import { describe, expect, it } from 'vitest'
import { ipOfAddr, netGroup } from '../../../src/peers/net-group.js'
import {
  type CurrentConnection,
  FEELER_INTERVAL_MS,
  GROUP_COUNTS_REFRESH_MS,
  OUTBOUND_TARGETS,
  OutboundSlots,
  SELECT_TRIES,
} from '../../../src/peers/outbound-slots.js'
import type { AddressBook, GroupPolicy, PeerAddress } from '../../../src/peers/types.js'
import { type Rng, seededRng } from '../../../src/util/rng.js'

const internet: GroupPolicy = { lab: false, localCluster: false }
const groupOf = (a: PeerAddress) => netGroup(ipOfAddr(a.addr) ?? '', internet)

/** A small real address book: a new list and a tried list, uniform picks, tried or new half the time. */
class ListBook implements AddressBook {
  readonly fresh = new Map<string, PeerAddress>()
  readonly tried = new Map<string, PeerAddress>()
  /** Collisions waiting for a test; a tested one (its old entry answered a feeler) is settled by resolveCollisions. */
  collisions: PeerAddress[] = []
  tested = new Set<string>()
  selects = 0
  constructor(private readonly rng: Rng) {}
  add(addrs: PeerAddress[]): number {
    let added = 0
    for (const a of addrs)
      if (!this.fresh.has(a.addr) && !this.tried.has(a.addr)) {
        this.fresh.set(a.addr, a)
        added++
      }
    return added
  }
  attempt(): void {}
  good(a: PeerAddress): void {
    this.fresh.delete(a.addr)
    this.tried.set(a.addr, a)
  }
  select(newOnly: boolean): PeerAddress | undefined {
    this.selects++
    const useTried = !newOnly && this.tried.size > 0 && (this.fresh.size === 0 || this.rng.int(2) === 0)
    const list = [...(useTried ? this.tried : this.fresh).values()]
    return list.length === 0 ? undefined : list[this.rng.int(list.length)]
  }
  resolveCollisions(): void {
    this.collisions = this.collisions.filter((c) => !this.tested.has(c.addr))
  }
  selectTriedCollision(): PeerAddress | undefined {
    return this.collisions[0]
  }
}

/** A ListBook that also counts its addresses per group, as AddrMan.stats() does. */
class CountingBook extends ListBook {
  statsCalls = 0
  stats() {
    this.statsCalls++
    const groups = new Map<string, { group: string; new: number; tried: number }>()
    for (const [table, list] of [
      ['new', this.fresh],
      ['tried', this.tried],
    ] as const)
      for (const a of list.values()) {
        const group = groupOf(a)
        const counts = groups.get(group) ?? { group, new: 0, tried: 0 }
        counts[table]++
        groups.set(group, counts)
      }
    return { groups: [...groups.values()] }
  }
}

const at = (peer: string, ip: string): PeerAddress => ({ peer, addr: `/ip4/${ip}/tcp/9000` })
/** `n` addresses, each in its own /16 starting at 20.x. */
const spread = (n: number, from = 0): PeerAddress[] =>
  Array.from({ length: n }, (_, i) => at(`s${from + i}`, `20.${from + i}.0.1`))

function setup(seed = 1) {
  const rng = seededRng(seed)
  const book = new ListBook(rng)
  let now = 0
  const slots = new OutboundSlots({ book, policy: internet, groupOf, rng, nowMs: () => now })
  return { book, slots, setNow: (ms: number) => (now = ms) }
}

/** Asks for slots until none is offered, connecting every offer. */
function fill(slots: OutboundSlots, current: CurrentConnection[], anchors: PeerAddress[] = []): CurrentConnection[] {
  for (let i = 0; i < 50; i++) {
    const next = slots.next(current, anchors)
    if (next === undefined) break
    current.push({ peer: next.addr.peer, group: groupOf(next.addr), type: next.type })
  }
  return current
}

describe('OutboundSlots.next', () => {
  it('fills 2 block-relay slots, then 8 full-relay slots, then stops', () => {
    const { book, slots } = setup()
    book.add(spread(100))
    const current = fill(slots, [])
    expect(current.map((c) => c.type)).toEqual([...Array(2).fill('block-relay'), ...Array(8).fill('full-relay')])
    expect(OUTBOUND_TARGETS).toEqual({ fullRelay: 8, blockRelay: 2 })
    expect(slots.next(current, [])).toBeUndefined()
  })

  it('holds at most one outbound connection per group, however many addresses a group has', () => {
    const { book, slots } = setup()
    const attacker = Array.from({ length: 1000 }, (_, i) => at(`x${i}`, `66.${i % 4}.${i >> 2}.1`))
    book.add([...attacker, ...spread(20)])
    const current = fill(slots, [])
    expect(current).toHaveLength(10)
    const groups = current.map((c) => c.group)
    expect(new Set(groups).size).toBe(10)
    expect(groups.filter((g) => g.startsWith('ip4:66.')).length).toBeLessThanOrEqual(4)
  })

  it('lets local addresses share their group (a devnet on one machine)', () => {
    const { book, slots } = setup()
    book.add(Array.from({ length: 30 }, (_, i) => at(`l${i}`, `127.0.0.${i + 1}`)))
    expect(fill(slots, [])).toHaveLength(10)
  })

  it('does not let manual or inbound connections hold a group', () => {
    const { book, slots } = setup()
    book.add([at('a', '30.1.0.1')])
    const current: CurrentConnection[] = [
      { peer: 'm', group: 'ip4:30.1', type: 'manual' },
      { peer: 'i', group: 'ip4:30.1', type: 'inbound' },
    ]
    expect(slots.next(current, [])?.addr.peer).toBe('a')
    expect(slots.next([{ peer: 'o', group: 'ip4:30.1', type: 'block-relay' }], [])).toBeUndefined()
  })

  it('never dials a peer it is already connected to, inbound included', () => {
    const { book, slots } = setup()
    book.add([at('p', '30.1.0.1'), at('p', '30.2.0.1')])
    expect(slots.next([{ peer: 'p', group: 'ip4:9.9', type: 'inbound' }], [])).toBeUndefined()
  })

  it('gives up after SELECT_TRIES picks when nothing fits', () => {
    const { book, slots } = setup()
    book.add(Array.from({ length: 50 }, (_, i) => at(`x${i}`, `66.0.${i}.1`)))
    const current: CurrentConnection[] = [{ peer: 'o', group: 'ip4:66.0', type: 'full-relay' }]
    book.selects = 0
    expect(slots.next(current, [])).toBeUndefined()
    expect(book.selects).toBe(SELECT_TRIES)
    // an empty book costs one pick
    const empty = setup()
    expect(empty.slots.next([], [])).toBeUndefined()
    expect(empty.book.selects).toBe(1)
  })

  it('dials the anchors first, as block-relay, each once, skipping connected peers and held groups', () => {
    const { book, slots } = setup()
    book.add(spread(50))
    const anchors = [at('anchor1', '40.1.0.1'), at('anchor2', '40.2.0.1')]
    const first = slots.next([], anchors)
    expect(first).toEqual({ addr: anchors[0], type: 'block-relay' })
    // the first anchor's dial failed: the second comes next, then the book, never the first again
    expect(slots.next([], anchors)).toEqual({ addr: anchors[1], type: 'block-relay' })
    const third = slots.next([], anchors)
    expect(third?.type).toBe('block-relay')
    expect(third?.addr.peer).toMatch(/^s/)

    const fresh = setup()
    fresh.book.add(spread(50))
    const current: CurrentConnection[] = [
      { peer: 'anchor1', group: 'ip4:9.9', type: 'inbound' },
      { peer: 'z', group: 'ip4:40.2', type: 'full-relay' },
    ]
    expect(fresh.slots.next(current, anchors)?.addr.peer).toMatch(/^s/)
  })

  it('uses the anchors only for block-relay slots', () => {
    const { book, slots } = setup()
    book.add(spread(50))
    const current: CurrentConnection[] = [
      { peer: 'b1', group: 'ip4:50.1', type: 'block-relay' },
      { peer: 'b2', group: 'ip4:50.2', type: 'block-relay' },
    ]
    const next = slots.next(current, [at('anchor1', '40.1.0.1')])
    expect(next?.type).toBe('full-relay')
    expect(next?.addr.peer).not.toBe('anchor1')
  })
})

describe('OutboundSlots: even odds per group', () => {
  /** 2,000 addresses in 4 attacker groups, 2 in each of 46 honest groups: slots filled, attacker slots counted. */
  function attackerShare(book: ListBook, seed: number): number {
    let now = 0
    const rng = seededRng(seed)
    const attacker = Array.from({ length: 2_000 }, (_, i) =>
      at(`x${i}`, `66.${i % 4}.${(i >> 2) % 250}.${1 + (i % 200)}`),
    )
    const honest = Array.from({ length: 92 }, (_, i) => at(`h${i}`, `30.${i % 46}.${i}.1`))
    book.add([...attacker, ...honest])
    const slots = new OutboundSlots({ book, policy: internet, groupOf, rng, nowMs: () => now++ })
    return fill(slots, []).filter((c) => c.group.startsWith('ip4:66.')).length
  }

  it('gives a group with many addresses no better chance than one with few', () => {
    let withCounts = 0
    let without = 0
    for (let seed = 1; seed <= 40; seed++) {
      withCounts += attackerShare(new CountingBook(seededRng(seed)), seed)
      without += attackerShare(new ListBook(seededRng(seed)), seed)
    }
    // 10 slots over 50 groups, 4 of them the attacker's: 0.8 a fill with even odds; 4 (all its groups) without
    expect(without / 40).toBeGreaterThan(3.5)
    expect(withCounts / 40).toBeLessThan(1.5)
  })

  it('recounts the groups at most every GROUP_COUNTS_REFRESH_MS', () => {
    const rng = seededRng(5)
    const book = new CountingBook(rng)
    book.add(spread(100))
    let now = 0
    const slots = new OutboundSlots({ book, policy: internet, groupOf, rng, nowMs: () => now })
    fill(slots, [])
    expect(book.statsCalls).toBe(1)
    now = GROUP_COUNTS_REFRESH_MS - 1
    fill(slots, [])
    const later: CurrentConnection[] = []
    slots.next(later, [])
    expect(book.statsCalls).toBe(1)
    now = GROUP_COUNTS_REFRESH_MS
    slots.next(later, [])
    expect(book.statsCalls).toBe(2)
    // another OutboundSlots over the same book shares the counts
    const other = new OutboundSlots({ book, policy: internet, groupOf, rng, nowMs: () => now })
    other.next([], [])
    expect(book.statsCalls).toBe(2)
  })
})

describe('OutboundSlots.nextFeeler', () => {
  const fullSlots = (): CurrentConnection[] => [
    ...Array.from({ length: 2 }, (_, i) => ({ peer: `b${i}`, group: `ip4:50.${i}`, type: 'block-relay' as const })),
    ...Array.from({ length: 8 }, (_, i) => ({ peer: `f${i}`, group: `ip4:51.${i}`, type: 'full-relay' as const })),
  ]

  it('opens feelers at exponential intervals with a mean of 2 minutes', () => {
    const { book, slots } = setup(3)
    book.add(spread(100))
    const current = fullSlots()
    const times: number[] = []
    for (let t = 0; t < 2_000 * FEELER_INTERVAL_MS; t += 1_000) if (slots.nextFeeler(current, t)) times.push(t)
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number))
    const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length
    expect(gaps.length).toBeGreaterThan(1_500)
    expect(mean).toBeGreaterThan(0.9 * FEELER_INTERVAL_MS)
    expect(mean).toBeLessThan(1.1 * FEELER_INTERVAL_MS)
    // exponential, not fixed: short and long gaps both occur
    expect(gaps.filter((g) => g < FEELER_INTERVAL_MS / 4).length).toBeGreaterThan(gaps.length / 10)
    expect(gaps.filter((g) => g > 2 * FEELER_INTERVAL_MS).length).toBeGreaterThan(gaps.length / 20)
  })

  it('opens none before the first wait, while slots are free, or while another feeler is open', () => {
    const { book, slots } = setup()
    book.add(spread(100))
    expect(slots.nextFeeler(fullSlots(), 0)).toBeUndefined()
    const later = 1_000 * FEELER_INTERVAL_MS
    expect(slots.nextFeeler(fullSlots().slice(1), later)).toBeUndefined()
    expect(slots.nextFeeler([...fullSlots(), { peer: 'fe', group: 'ip4:52.0', type: 'feeler' }], later)).toBeUndefined()
    expect(slots.nextFeeler(fullSlots(), later)).toBeDefined()
  })

  it('tests a tried collision first, else a new address, never in a group we hold', () => {
    const { book, slots } = setup()
    const triedOne = at('t', '60.1.0.1')
    book.add([triedOne])
    book.good(triedOne)
    book.add([at('n', '60.2.0.1'), at('held', '51.3.0.1')])
    const later = 1_000 * FEELER_INTERVAL_MS
    const collision = at('c', '61.1.0.1')
    book.collisions = [collision]
    expect(slots.nextFeeler(fullSlots(), 0)).toBeUndefined()
    expect(slots.nextFeeler(fullSlots(), later)).toEqual(collision)
    // the feeler reached it: the next feeler settles the collision first and tests something else
    book.tested.add(collision.addr)
    for (let i = 1; i < 20; i++) {
      const feeler = slots.nextFeeler(fullSlots(), later * i * 2)
      expect(feeler?.peer).toBe('n')
    }
    // a collision in a group we hold waits; a new address goes instead
    book.collisions = [at('c2', '51.0.0.9')]
    expect(slots.nextFeeler(fullSlots(), later * 100)?.peer).toBe('n')
  })
})
