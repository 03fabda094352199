/**
 * The eclipse attacker of issue 10 against the address manager: 256 IPs in
 * 4 /16 groups announce 100,000 addresses. The new bucket of an address is a
 * function of (address group, source group) alone, so the attacker's 4
 * address groups × 4 source groups reach at most 16 new buckets, 16 × 64
 * slots; honest addresses elsewhere stay, and tried entries are untouched.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { AddrMan } from '../../../src/peers/addrman.js'
import { BUCKET_SIZE, NEW_BUCKETS_PER_SOURCE_GROUP } from '../../../src/peers/addrman-buckets.js'
import type { PeerAddress } from '../../../src/peers/types.js'
import { newAddrMan, v4 } from './addrman-helpers.js'

const FLOOD_ADDRESSES = 100_000
const ATTACKER_GROUPS = [66, 67, 68, 69].map((b) => `ip4:45.${b}`)
/** 64 attacker IPs in each of 45.66/16 … 45.69/16. */
const ATTACKER_IPS = Array.from({ length: 256 }, (_, i) => `45.${66 + (i >> 6)}.7.${i & 63}`)
const ATTACKER_PAIRS = ATTACKER_GROUPS.length * ATTACKER_GROUPS.length

/** `count` addresses, each attacker IP announcing one batch of them in turn. */
function flood(addrman: AddrMan, count: number, address: (i: number) => PeerAddress): number {
  const batchSize = Math.ceil(count / ATTACKER_IPS.length)
  let added = 0
  for (let start = 0, ip = 0; start < count; start += batchSize, ip++) {
    const batch: PeerAddress[] = []
    for (let i = start; i < Math.min(count, start + batchSize); i++) batch.push(address(i))
    added += addrman.add(batch, 'outbound-identify', ATTACKER_IPS[ip] ?? '')
  }
  return added
}

const attackerAddress = (i: number): PeerAddress =>
  v4(45, 66 + (i & 3), (i >> 10) & 255, (i >> 2) & 255, 9000 + (i >> 18))

/** 2,000 honest addresses in 1,000 groups, each told by an honest peer of yet another group. */
const honest = Array.from({ length: 2_000 }, (_, i) => ({
  addr: v4(11 + (i % 200) + (11 + (i % 200) >= 127 ? 1 : 0), 1 + (((i / 200) | 0) % 5), 3, i & 255),
  source: `${101 + (i % 97)}.${i % 7}.1.1`,
}))

describe('an attacker flood of 100,000 addresses from 256 IPs in 4 /16 groups', () => {
  let addrman: AddrMan
  const tried: PeerAddress[] = []
  let floodMs = 0
  let floodHmacs = 0
  let added = 0

  beforeAll(() => {
    ;({ addrman } = newAddrMan('flood-key', 7))
    for (const { addr, source } of honest) addrman.add([addr], 'outbound-identify', source)
    // 500 honest peers we connected to
    for (let i = 0; i < 500; i++) {
      const addr = v4(150 + (i % 50), 1 + ((i / 50) | 0), 9, 9)
      addrman.add([addr], 'dht', `${addr.addr.split('/')[2]}`)
      addrman.good(addr)
      if (addrman.isTried(addr.addr)) tried.push(addr)
    }
    const hmacsBefore = addrman.hmacCount
    const started = performance.now()
    added = flood(addrman, FLOOD_ADDRESSES, attackerAddress)
    floodMs = performance.now() - started
    floodHmacs = addrman.hmacCount - hmacsBefore
  })

  it(`fills at most ${ATTACKER_PAIRS} new buckets (one per address group × source group pair), ${ATTACKER_PAIRS * BUCKET_SIZE} slots`, () => {
    const buckets = ATTACKER_GROUPS.reduce((sum, group) => sum + addrman.newBucketsOf(group), 0)
    expect(buckets).toBeGreaterThan(0)
    expect(buckets).toBeLessThanOrEqual(ATTACKER_PAIRS)
    const held = addrman.stats().groups.filter((g) => ATTACKER_GROUPS.includes(g.group))
    const entries = held.reduce((sum, g) => sum + g.new + g.tried, 0)
    expect(added).toBe(entries)
    expect(entries).toBeLessThanOrEqual(ATTACKER_PAIRS * BUCKET_SIZE)
    expect(held.every((g) => g.tried === 0)).toBe(true)
  })

  it('leaves honest new addresses of other groups in place', () => {
    const kept = honest.filter(({ addr }) => addrman.has(addr.addr)).length
    // the few honest addresses that met an occupied slot on the way in are the only ones missing
    expect(kept / honest.length).toBeGreaterThan(0.95)
    const flooded = newAddrMan('flood-key', 7).addrman
    for (const { addr, source } of honest) flooded.add([addr], 'outbound-identify', source)
    const keptWithoutFlood = honest.filter(({ addr }) => flooded.has(addr.addr)).length
    expect(kept).toBe(keptWithoutFlood)
  })

  it('leaves every tried entry in tried', () => {
    expect(tried.length).toBeGreaterThan(400)
    for (const addr of tried) expect(addrman.isTried(addr.addr), addr.addr).toBe(true)
    expect(addrman.stats().tried).toBe(tried.length)
  })

  it('stays cheap: an HMAC only for addresses that meet a bucket with room, none once the buckets are full', () => {
    // one per address until its bucket is full: filling 16 buckets of 64 at random positions takes ~16 · 64 · H(64) ≈ 4,900 tries
    expect(floodHmacs).toBeLessThan(8_000)
    // about 0.3 s on an idle core; the bound only catches a hot path gone quadratic
    expect(floodMs).toBeLessThan(5_000)
  })
})

describe('an attacker announcing addresses of any group', () => {
  it(`reaches at most ${NEW_BUCKETS_PER_SOURCE_GROUP} new buckets per source group`, () => {
    const { addrman } = newAddrMan('spread-key', 3)
    // 8,000 addresses in 5,000 different /16 groups, from the same 4 source groups
    flood(addrman, 8_000, (i) => v4(20 + (i % 100), (i >> 2) % 50, 1, i & 255))
    let buckets = 0
    const seen = new Set<number>()
    for (let i = 0; i < 8_000; i++) {
      const slots = addrman.slotsOf(v4(20 + (i % 100), (i >> 2) % 50, 1, i & 255).addr)
      for (const slot of slots?.new ?? []) seen.add(Math.floor(slot / BUCKET_SIZE))
    }
    buckets = seen.size
    expect(buckets).toBeGreaterThan(100)
    expect(buckets).toBeLessThanOrEqual(4 * NEW_BUCKETS_PER_SOURCE_GROUP)
  })
})
