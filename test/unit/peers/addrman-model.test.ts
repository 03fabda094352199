/**
 * The address manager's bookkeeping under random operations in a crowded
 * address space (few groups, so buckets fill, entries are overwritten, go
 * terrible, collide in tried and move back to new): every slot is held by
 * one address, counts match the entries, the peer index matches, and a
 * save and load gives the same state.
 */
import { describe, expect, it } from 'vitest'
import { AddrMan } from '../../../src/peers/addrman.js'
import type { PeerAddress } from '../../../src/peers/types.js'
import { seededRng } from '../../../src/util/rng.js'
import { HOUR, INTERNET, newAddrMan, T0, v4 } from './addrman-helpers.js'

/** 1,200 addresses in 3 /16s, owned by 400 peers. */
const UNIVERSE: PeerAddress[] = Array.from({ length: 1_200 }, (_, i) => ({
  peer: `peer${i % 400}`,
  addr: v4(60 + (i % 3), 1, (i >> 8) & 255, i & 255).addr,
}))
const SOURCES = ['70.1.1.1', '71.1.1.1', '60.1.9.9']

function checkInvariants(addrman: AddrMan): void {
  const doc = addrman.toFile()
  const all = [...doc.tried, ...doc.new]
  const slots = new Set<number>()
  let inNew = 0
  let inTried = 0
  const byPeer = new Map<string, string[]>()
  for (const entry of all) {
    const where = addrman.slotsOf(entry.addr)
    expect(where).toBeDefined()
    if (where === undefined) continue
    expect(where.new.length > 0 || where.tried !== undefined).toBe(true)
    expect(where.new.length > 0 && where.tried !== undefined).toBe(false)
    expect(where.new.length).toBeLessThanOrEqual(8)
    for (const slot of where.new) {
      expect(slots.has(slot)).toBe(false)
      slots.add(slot)
    }
    if (where.tried !== undefined) {
      const key = 1e6 + where.tried
      expect(slots.has(key)).toBe(false)
      slots.add(key)
      inTried++
    } else inNew++
    byPeer.set(entry.peer, [...(byPeer.get(entry.peer) ?? []), entry.addr])
  }
  const stats = addrman.stats()
  expect(stats.new).toBe(inNew)
  expect(stats.tried).toBe(inTried)
  expect(stats.groups.reduce((n, g) => n + g.new + g.tried, 0)).toBe(all.length)
  for (const [peer, addrs] of byPeer) expect(addrman.addressesOf(peer).sort()).toEqual(addrs.sort())
  for (const a of UNIVERSE.slice(0, 50)) {
    if (!byPeer.has(a.peer)) expect(addrman.addressesOf(a.peer)).toEqual([])
  }
}

describe('address manager bookkeeping under random operations', () => {
  it('keeps its invariants, and a save and load keeps its state', () => {
    const { addrman, clock } = newAddrMan('model', 11)
    const rng = seededRng(12)
    const pick = () => UNIVERSE[rng.int(UNIVERSE.length)] as PeerAddress
    for (let step = 0; step < 4_000; step++) {
      const roll = rng.next()
      if (roll < 0.45) addrman.add([pick(), pick(), pick()], 'dht', SOURCES[rng.int(SOURCES.length)] ?? '')
      else if (roll < 0.6) addrman.attempt(pick())
      else if (roll < 0.72) {
        const chosen = addrman.select(rng.next() < 0.3)
        if (chosen !== undefined) {
          addrman.attempt(chosen)
          if (rng.next() < 0.5) addrman.good(chosen)
        }
      } else if (roll < 0.8) addrman.good(pick())
      else if (roll < 0.85) addrman.connected(pick())
      else if (roll < 0.88) addrman.remove(pick().peer)
      else if (roll < 0.93) {
        const old = addrman.selectTriedCollision()
        if (old !== undefined) {
          addrman.attempt(old)
          if (rng.next() < 0.5) addrman.good(old)
        }
        addrman.resolveCollisions()
      } else clock.advance(rng.int(3 * HOUR))
      if (step % 500 === 0) checkInvariants(addrman)
    }
    checkInvariants(addrman)
    const stats = addrman.stats()
    expect(stats.new).toBeGreaterThan(100)
    expect(stats.tried).toBeGreaterThan(20)

    const doc = JSON.parse(JSON.stringify(addrman.toFile())) as unknown
    const deps = { policy: INTERNET, nowMs: () => clock.nowMs(), rng: seededRng(1) }
    const { addrman: loaded } = AddrMan.fromFile(doc, deps, 'addrman.json')
    checkInvariants(loaded)
    // multiplicity is not kept; everything else is
    expect(loaded.stats().tried).toBe(stats.tried)
    expect(loaded.stats().new).toBeLessThanOrEqual(stats.new)
    expect(clock.nowMs()).toBeGreaterThan(T0)
  })
})
