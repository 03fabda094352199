import { describe, expect, it } from 'vitest'
import { ADD_BATCH_MAX, AddrMan, TRIED_COLLISIONS_MAX } from '../../../src/peers/addrman.js'
import { BucketHasher, NEW_BUCKETS_PER_ADDRESS } from '../../../src/peers/addrman-buckets.js'
import type { PeerAddress } from '../../../src/peers/types.js'
import { seededRng } from '../../../src/util/rng.js'
import { HOUR, INTERNET, keyOf, newAddrMan, T0, v4 } from './addrman-helpers.js'

const DAY = 24 * HOUR

/** Where each address lands: new slots and tried slot. */
const placement = (addrman: AddrMan, addrs: PeerAddress[]) => addrs.map((a) => addrman.slotsOf(a.addr))

describe('bucket placement', () => {
  const addrs = Array.from({ length: 300 }, (_, i) => v4(20 + (i % 30), i % 11, i >> 8, i & 255))
  const fill = (addrman: AddrMan) => {
    for (const [i, a] of addrs.entries()) addrman.add([a], 'outbound-identify', `${90 + (i % 7)}.1.2.3`)
    for (const a of addrs.slice(0, 50)) addrman.good(a)
  }

  it('is the same for the same key, whatever the rng', () => {
    const one = newAddrMan('key-a', 1).addrman
    const two = newAddrMan('key-a', 99).addrman
    fill(one)
    fill(two)
    expect(placement(one, addrs)).toEqual(placement(two, addrs))
    expect(one.stats()).toEqual(two.stats())
  })

  it('differs between keys', () => {
    const one = newAddrMan('key-a').addrman
    const two = newAddrMan('key-b').addrman
    fill(one)
    fill(two)
    const a = placement(one, addrs)
    const b = placement(two, addrs)
    const same = a.filter((p, i) => JSON.stringify(p) === JSON.stringify(b[i])).length
    expect(same).toBeLessThan(addrs.length / 20)
  })

  it('puts one (address group, source group) pair in one new bucket; one group in at most 8 tried buckets', () => {
    const hasher = new BucketHasher(keyOf('key-a'))
    const buckets = new Set<number>()
    for (let i = 0; i < 200; i++)
      buckets.add(Math.floor(hasher.newSlot(hasher.seeds(v4(5, 6, i, i).addr), 'ip4:5.6', 'ip4:7.8') / 64))
    expect(buckets.size).toBe(1)
    const tried = new Set<number>()
    for (let i = 0; i < 500; i++)
      tried.add(Math.floor(hasher.triedSlot(hasher.seeds(v4(5, 6, i >> 8, i & 255).addr), 'ip4:5.6') / 64))
    expect(tried.size).toBe(8)
    expect(() => new BucketHasher(new Uint8Array(31))).toThrow(RangeError)
  })
})

describe('learning addresses', () => {
  it('refuses non-routable addresses from remote peers, takes them from trusted origins and mDNS', () => {
    const { addrman } = newAddrMan()
    const local = [v4(10, 0, 0, 1), v4(192, 168, 1, 1), v4(127, 0, 0, 1), { peer: 'p6', addr: '/ip6/::1/tcp/1' }]
    for (const origin of ['outbound-identify', 'inbound-identify', 'dht'] as const) {
      expect(addrman.add(local, origin, '8.8.8.8'), origin).toBe(0)
    }
    expect(addrman.add([v4(10, 0, 0, 1)], 'bootstrap', '10.0.0.1')).toBe(1)
    expect(addrman.add([v4(10, 0, 0, 2)], 'operator', '10.0.0.2')).toBe(1)
    expect(addrman.add([v4(10, 0, 0, 3)], 'anchor', '10.0.0.3')).toBe(1)
    // mDNS answers come from our own link: LAN peers are what it is for
    expect(addrman.add([v4(192, 168, 1, 7)], 'mdns', '192.168.1.7')).toBe(1)
    expect(addrman.stats().new).toBe(4)
  })

  it('takes them from anyone in lab and local-cluster mode', () => {
    const lab = newAddrMan('k', 1, { lab: true, localCluster: false }).addrman
    expect(lab.add([v4(127, 0, 5, 1), v4(127, 0, 6, 1)], 'inbound-identify', '127.0.9.1')).toBe(2)
    expect(lab.stats().groups.map((g) => g.group)).toEqual(['lab:127.0.5', 'lab:127.0.6'])
    const cluster = newAddrMan('k', 1, { lab: false, localCluster: true }).addrman
    expect(cluster.add([v4(127, 0, 0, 1, 4001), v4(127, 0, 0, 1, 4002)], 'dht', '127.0.0.1')).toBe(2)
    expect(cluster.stats().groups).toEqual([{ group: 'local', new: 2, tried: 0 }])
  })

  it('spreads local addresses of a devnet over many buckets instead of one', () => {
    const { addrman } = newAddrMan('k', 1, { lab: false, localCluster: true })
    const nodes = Array.from({ length: 200 }, (_, i) => v4(127, 0, 0, 1, 4000 + i))
    for (const [i, a] of nodes.entries()) addrman.add([a], 'outbound-identify', `127.0.0.${1 + (i % 3)}`)
    // one bucket would hold 64 at most; spread, a handful collide
    expect(addrman.stats().new).toBeGreaterThan(180)
    for (const a of nodes.slice(0, 100)) addrman.good(a)
    expect(addrman.stats().tried).toBeGreaterThan(80)
  })

  it('refuses DNS addresses, malformed addresses and peer ids', () => {
    const { addrman } = newAddrMan()
    const bad: PeerAddress[] = [
      { peer: 'p1', addr: '/dns4/example.com/tcp/1' },
      { peer: 'p1', addr: 'ip4/1.2.3.4/tcp/1' },
      { peer: 'p1', addr: `/ip4/1.2.3.4/tcp/1/${'x'.repeat(300)}` },
      { peer: 'p1', addr: '/ip4/1.2.3.4/tcp/1 /x' },
      { peer: '', addr: '/ip4/1.2.3.4/tcp/1' },
      { peer: 'p/1', addr: '/ip4/1.2.3.4/tcp/1' },
      { peer: 'p'.repeat(129), addr: '/ip4/1.2.3.4/tcp/1' },
    ]
    expect(addrman.add(bad, 'bootstrap', '1.2.3.4')).toBe(0)
    expect(addrman.stats().new).toBe(0)
  })

  it(`looks at ${ADD_BATCH_MAX} addresses per call`, () => {
    const { addrman } = newAddrMan()
    const many = Array.from({ length: ADD_BATCH_MAX + 500 }, (_, i) => v4(30 + (i % 90), i >> 8, 1, i & 255))
    const added = addrman.add(many, 'dht', '8.8.8.8')
    expect(added).toBeLessThanOrEqual(ADD_BATCH_MAX)
    expect(many.slice(ADD_BATCH_MAX).some((a) => addrman.has(a.addr))).toBe(false)
  })

  it(`puts an address announced by many sources in up to ${NEW_BUCKETS_PER_ADDRESS} new buckets, each harder to reach`, () => {
    const { addrman } = newAddrMan('multi', 5)
    const addr = v4(44, 1, 1, 1)
    for (let i = 0; i < 2_000; i++) addrman.add([addr], 'outbound-identify', `${1 + (i % 200)}.${i % 250}.0.1`)
    expect(addrman.slotsOf(addr.addr)?.new.length).toBe(NEW_BUCKETS_PER_ADDRESS)
    expect(addrman.stats().new).toBe(1)
    // from three sources: a second bucket at odds 1/2 on each later announcement (3/4 in all), a third at 1/2 · 1/4
    const other = newAddrMan('multi', 6).addrman
    const addrs = Array.from({ length: 400 }, (_, i) => v4(50 + (i % 40), (i / 40) | 0, 2, 2))
    for (const a of addrs) for (const s of ['61.1.1.1', '62.1.1.1', '63.1.1.1']) other.add([a], 'dht', s)
    const refs = addrs.map((a) => other.slotsOf(a.addr)?.new.length ?? 0)
    const atLeastTwo = refs.filter((r) => r >= 2).length / addrs.length
    const three = refs.filter((r) => r === 3).length / addrs.length
    expect(atLeastTwo).toBeGreaterThan(0.6)
    expect(atLeastTwo).toBeLessThan(0.85)
    expect(three).toBeGreaterThan(0.05)
    expect(three).toBeLessThan(0.25)
  })

  it('counts only addresses it did not know', () => {
    const { addrman } = newAddrMan()
    expect(addrman.add([v4(1, 1, 1, 1), v4(2, 2, 2, 2)], 'dht', '3.3.3.3')).toBe(2)
    expect(addrman.add([v4(1, 1, 1, 1), v4(4, 4, 4, 4)], 'dht', '3.3.3.3')).toBe(1)
  })
})

describe('select', () => {
  it('answers undefined when there is nothing to pick', () => {
    const { addrman } = newAddrMan()
    expect(addrman.select(false)).toBeUndefined()
    addrman.add([v4(1, 1, 1, 1)], 'dht', '2.2.2.2')
    addrman.good(v4(1, 1, 1, 1))
    expect(addrman.isTried(v4(1, 1, 1, 1).addr)).toBe(true)
    expect(addrman.select(true)).toBeUndefined()
    expect(addrman.select(false)).toEqual(v4(1, 1, 1, 1))
  })

  it('takes tried and new with even odds; newOnly takes only new', () => {
    const { addrman } = newAddrMan('sel', 3)
    const tried = v4(9, 9, 9, 9)
    addrman.add([tried], 'dht', '9.9.9.9')
    addrman.good(tried)
    for (let i = 0; i < 500; i++) addrman.add([v4(20 + (i % 80), i % 6, 1, i & 255)], 'dht', `${40 + (i % 50)}.1.1.1`)
    let triedPicks = 0
    for (let i = 0; i < 400; i++) if (addrman.select(false)?.addr === tried.addr) triedPicks++
    expect(triedPicks / 400).toBeGreaterThan(0.4)
    expect(triedPicks / 400).toBeLessThan(0.6)
    for (let i = 0; i < 300; i++) expect(addrman.select(true)?.addr).not.toBe(tried.addr)
  })

  it('rarely takes an address tried in the last 10 minutes', () => {
    const { addrman, clock } = newAddrMan('recent', 4)
    const [a, b] = [v4(1, 2, 3, 4), v4(5, 6, 7, 8)]
    addrman.add([a, b], 'dht', '9.9.9.9')
    addrman.attempt(a)
    clock.advance(2 * 60_000)
    let picksOfA = 0
    for (let i = 0; i < 300; i++) if (addrman.select(true)?.addr === a.addr) picksOfA++
    expect(picksOfA).toBeLessThan(30)
    clock.advance(10 * 60_000)
    picksOfA = 0
    for (let i = 0; i < 300; i++) if (addrman.select(true)?.addr === a.addr) picksOfA++
    // one failure: 0.66 against 1
    expect(picksOfA).toBeGreaterThan(80)
  })

  it('never takes a terrible address: failing ones, old ones', () => {
    const { addrman, clock } = newAddrMan('terrible', 8)
    const good = v4(8, 8, 8, 8)
    const failing = Array.from({ length: 60 }, (_, i) => v4(30 + i, 1, 1, 1))
    addrman.add([good, ...failing], 'dht', '9.9.9.9')
    const elsewhere = v4(7, 7, 7, 7)
    addrman.add([elsewhere], 'dht', '9.9.9.9')
    for (let round = 0; round < 3; round++) {
      // a good connection elsewhere: we are online, so the failures after it count
      addrman.good(elsewhere)
      clock.advance(1_000)
      for (const a of failing) addrman.attempt(a)
      clock.advance(61_000)
    }
    for (let i = 0; i < 300; i++) expect(addrman.select(true)).toEqual(good)
    // not heard of for 30 days: terrible too; nothing left to pick in new
    clock.advance(31 * DAY)
    expect(addrman.select(true)).toBeUndefined()
    // a fresh announcement makes it usable again
    addrman.add([good], 'dht', '9.9.9.9')
    expect(addrman.select(true)).toEqual(good)
  })

  it('counts one failure per good connection anywhere (being offline is not the fault of the address)', () => {
    const { addrman, clock } = newAddrMan('offline', 9)
    const a = v4(8, 8, 8, 8)
    addrman.add([a], 'dht', '9.9.9.9')
    for (let i = 0; i < 10; i++) {
      addrman.attempt(a)
      clock.advance(61_000)
    }
    expect(addrman.select(true)).toEqual(a)
  })

  it('reads times on a simulated clock that starts at 0 like any other', () => {
    let now = 0
    const addrman = new AddrMan({ key: keyOf('sim'), policy: INTERNET, nowMs: () => now, rng: seededRng(3) })
    const [a, b] = [v4(1, 2, 3, 4), v4(5, 6, 7, 8)]
    addrman.add([a, b], 'dht', '9.9.9.9')
    addrman.attempt(a)
    let picksOfA = 0
    for (let i = 0; i < 200; i++) if (addrman.select(true)?.addr === a.addr) picksOfA++
    expect(picksOfA).toBeLessThan(20)
    // three tries at time 0 and after, no good connection anywhere: one failure, not terrible
    addrman.attempt(a)
    addrman.attempt(a)
    now = 2 * 60_000
    expect(addrman.toFile().new.find((e) => e.addr === a.addr)).toMatchObject({ attempts: 1 })
  })

  it('never takes a removed address', () => {
    const { addrman } = newAddrMan('removed', 2)
    const banned = { peer: 'bannedPeer', addr: '/ip4/6.6.6.6/tcp/1' }
    const banned2 = { peer: 'bannedPeer', addr: '/ip4/6.6.7.7/tcp/2' }
    addrman.add([banned, banned2, v4(1, 1, 1, 1)], 'dht', '9.9.9.9')
    addrman.good(banned2)
    expect(addrman.addressesOf('bannedPeer').sort()).toEqual([banned.addr, banned2.addr])
    addrman.remove('bannedPeer')
    expect(addrman.addressesOf('bannedPeer')).toEqual([])
    expect(addrman.stats()).toEqual({ new: 1, tried: 0, groups: [{ group: 'ip4:1.1', new: 1, tried: 0 }] })
    for (let i = 0; i < 100; i++) expect(addrman.select(false)).toEqual(v4(1, 1, 1, 1))
  })

  it('is deterministic for a given key and rng seed', () => {
    const picks = (seed: number) => {
      const addrman = new AddrMan({ key: keyOf('det'), policy: INTERNET, nowMs: () => T0, rng: seededRng(seed) })
      for (let i = 0; i < 200; i++) addrman.add([v4(20 + (i % 50), i % 4, 1, i)], 'dht', `${70 + (i % 9)}.1.1.1`)
      return Array.from({ length: 50 }, () => addrman.select(false)?.addr)
    }
    expect(picks(5)).toEqual(picks(5))
    expect(picks(5)).not.toEqual(picks(6))
  })
})

describe('good, connected and the peer of an address', () => {
  it('moves an address to tried only on good(), and a completed connection corrects its peer id', () => {
    const { addrman } = newAddrMan()
    const a = v4(1, 2, 3, 4)
    addrman.add([a], 'dht', '9.9.9.9')
    addrman.attempt(a)
    addrman.connected(a)
    expect(addrman.isTried(a.addr)).toBe(false)
    addrman.good({ peer: 'newOwner', addr: a.addr })
    expect(addrman.isTried(a.addr)).toBe(true)
    expect(addrman.addressesOf('newOwner')).toEqual([a.addr])
    expect(addrman.addressesOf(a.peer)).toEqual([])
    // announcements never move it back or rename it
    addrman.add([{ peer: 'liar', addr: a.addr }], 'dht', '6.6.6.6')
    expect(addrman.isTried(a.addr)).toBe(true)
    expect(addrman.addressesOf('liar')).toEqual([])
    // good() of an unknown address does nothing
    addrman.good(v4(5, 5, 5, 5))
    expect(addrman.has(v4(5, 5, 5, 5).addr)).toBe(false)
  })

  it('keeps an address a connection refreshed, past the 30-day horizon of its announcement', () => {
    const { addrman, clock } = newAddrMan()
    const a = v4(1, 2, 3, 4)
    addrman.add([a], 'dht', '9.9.9.9')
    clock.advance(20 * DAY)
    addrman.connected(a)
    clock.advance(20 * DAY)
    expect(addrman.select(true)).toEqual(a)
  })
})

/** Two addresses of one group that the key puts in the same tried slot. */
function tiedPair(label: string): [PeerAddress, PeerAddress] {
  const hasher = new BucketHasher(keyOf(label))
  const bySlot = new Map<number, PeerAddress>()
  for (let i = 0; ; i++) {
    const a = v4(77, 1, i >> 8, i & 255)
    const slot = hasher.triedSlot(hasher.seeds(a.addr), 'ip4:77.1')
    const other = bySlot.get(slot)
    if (other !== undefined) return [other, a]
    bySlot.set(slot, a)
  }
}

describe('test-before-evict', () => {
  const setUp = () => {
    const { addrman, clock } = newAddrMan('collide', 1)
    const [old, newcomer] = tiedPair('collide')
    addrman.add([old, newcomer], 'dht', '9.9.9.9')
    addrman.good(old)
    return { addrman, clock, old, newcomer }
  }

  it('records a collision instead of evicting, and names the occupant for a feeler', () => {
    const { addrman, old, newcomer } = setUp()
    addrman.good(newcomer)
    expect(addrman.isTried(old.addr)).toBe(true)
    expect(addrman.isTried(newcomer.addr)).toBe(false)
    expect(addrman.selectTriedCollision()).toEqual(old)
  })

  it('keeps the occupant when it succeeded within 4 hours', () => {
    const { addrman, clock, old, newcomer } = setUp()
    clock.advance(3 * HOUR)
    addrman.good(newcomer)
    clock.advance(50 * 60_000)
    addrman.resolveCollisions()
    expect(addrman.isTried(old.addr)).toBe(true)
    expect(addrman.isTried(newcomer.addr)).toBe(false)
    expect(addrman.has(newcomer.addr)).toBe(true)
    expect(addrman.selectTriedCollision()).toBeUndefined()
  })

  it('replaces the occupant when the feeler to it failed; the occupant goes back to new', () => {
    const { addrman, clock, old, newcomer } = setUp()
    clock.advance(5 * HOUR)
    addrman.good(newcomer)
    expect(addrman.selectTriedCollision()).toEqual(old)
    addrman.attempt(old)
    // the feeler gets a minute
    clock.advance(30_000)
    addrman.resolveCollisions()
    expect(addrman.isTried(old.addr)).toBe(true)
    clock.advance(60_000)
    addrman.resolveCollisions()
    expect(addrman.isTried(newcomer.addr)).toBe(true)
    expect(addrman.isTried(old.addr)).toBe(false)
    expect(addrman.has(old.addr)).toBe(true)
    expect(addrman.selectTriedCollision()).toBeUndefined()
    expect(addrman.stats()).toMatchObject({ new: 1, tried: 1 })
  })

  it('keeps the occupant when the feeler to it succeeded', () => {
    const { addrman, clock, old, newcomer } = setUp()
    clock.advance(5 * HOUR)
    addrman.good(newcomer)
    addrman.attempt(old)
    addrman.good(old)
    clock.advance(2 * 60_000)
    addrman.resolveCollisions()
    expect(addrman.isTried(old.addr)).toBe(true)
    expect(addrman.isTried(newcomer.addr)).toBe(false)
  })

  it('replaces an untested occupant once the test window (40 minutes) has passed', () => {
    const { addrman, clock, old, newcomer } = setUp()
    clock.advance(5 * HOUR)
    addrman.good(newcomer)
    clock.advance(39 * 60_000)
    addrman.resolveCollisions()
    expect(addrman.isTried(old.addr)).toBe(true)
    clock.advance(2 * 60_000)
    addrman.resolveCollisions()
    expect(addrman.isTried(newcomer.addr)).toBe(true)
  })

  it(`keeps at most ${TRIED_COLLISIONS_MAX} collisions and forgets those of removed addresses`, () => {
    const { addrman } = newAddrMan('collide', 1)
    const pairs = Array.from({ length: 3 }, () => tiedPair('collide'))
    const [old, newcomer] = pairs[0] ?? []
    if (old === undefined || newcomer === undefined) throw new Error('no pair')
    addrman.add([old, newcomer], 'dht', '9.9.9.9')
    addrman.good(old)
    addrman.good(newcomer)
    addrman.remove(newcomer.peer)
    expect(addrman.selectTriedCollision()).toBeUndefined()
    // many newcomers colliding with tried entries: the set stays bounded
    const group = Array.from({ length: 3_000 }, (_, i) => v4(78, 1, i >> 8, i & 255))
    addrman.add(group.slice(0, 1_000), 'dht', '9.9.9.9')
    addrman.add(group.slice(1_000, 2_000), 'dht', '9.9.8.9')
    addrman.add(group.slice(2_000), 'dht', '9.9.7.9')
    for (const a of group) addrman.good(a)
    expect(addrman.stats().tried).toBeLessThanOrEqual(8 * 64 + 1)
    let distinct = 0
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const pick = addrman.selectTriedCollision()
      if (pick !== undefined && !seen.has(pick.addr)) {
        seen.add(pick.addr)
        distinct++
      }
    }
    expect(distinct).toBeLessThanOrEqual(TRIED_COLLISIONS_MAX)
    expect(distinct).toBeGreaterThan(0)
  })
})
