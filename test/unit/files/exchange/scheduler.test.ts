/** PieceScheduler's decisions on their own: rarest first, the random pick among the rarest, depth, bounds, endgame. */
import { describe, expect, it } from 'vitest'
import { DEFAULT_FETCH_LIMITS, type FetchLimits } from '../../../../src/files/exchange/limits.js'
import { PieceScheduler } from '../../../../src/files/exchange/scheduler.js'
import { ManualClock } from '../../../../src/util/clock.js'
import { seededRng } from '../../../../src/util/rng.js'

const BLOCK = 256 * 1024

function scheduler(limits: Partial<FetchLimits> = {}, seed = 1): { s: PieceScheduler; clock: ManualClock } {
  const clock = new ManualClock(1_000)
  return { s: new PieceScheduler({ clock, rng: seededRng(seed) }, { ...DEFAULT_FETCH_LIMITS, ...limits }), clock }
}

/** Keys k0..k(n-1), wanted; each provider given holds the keys `holds` picks. */
function setup(s: PieceScheduler, n: number, providers: Record<string, (i: number) => boolean>): string[] {
  const keys = Array.from({ length: n }, (_, i) => `k${i}`)
  for (const k of keys) s.addWant(k)
  for (const [peer, holds] of Object.entries(providers)) {
    s.addProvider(peer)
    s.noteHave(
      peer,
      keys,
      keys.map((_, i) => holds(i)),
    )
  }
  return keys
}

describe('PieceScheduler', () => {
  it('asks first for the blocks the fewest providers hold', () => {
    const { s } = scheduler({ wantBatchMax: 4, peerDepthInitial: 4, rarestChoice: 1 })
    // a holds everything; b holds all but k6 and k7; so k6, k7 are the rarest
    setup(s, 8, { a: () => true, b: (i) => i < 6 })
    const [first] = s.nextRequests(false).filter((r) => r.peer === 'a')
    expect(first?.keys.slice(0, 2).sort()).toEqual(['k6', 'k7'])
  })

  it('picks at random among the rarestChoice rarest, never further down', () => {
    const firsts = new Set<string>()
    for (let seed = 1; seed <= 40; seed++) {
      const { s } = scheduler({ wantBatchMax: 1, peerDepthInitial: 1, rarestChoice: 3 }, seed)
      setup(s, 20, { a: () => true })
      const [req] = s.nextRequests(false)
      firsts.add(req?.keys[0] as string)
    }
    expect([...firsts].sort()).toEqual(['k0', 'k1', 'k2'])
  })

  it('never asks a provider for a block it does not hold, nor asks twice outside the endgame', () => {
    const { s } = scheduler({ peerDepthInitial: 8 })
    setup(s, 30, { a: (i) => i % 2 === 0, b: (i) => i % 2 === 1, c: (i) => i < 10 })
    const asked = new Map<string, string>()
    for (const req of s.nextRequests(true)) {
      for (const k of req.keys) {
        const i = Number(k.slice(1))
        if (req.peer === 'a') expect(i % 2).toBe(0)
        if (req.peer === 'b') expect(i % 2).toBe(1)
        if (req.peer === 'c') expect(i).toBeLessThan(10)
        expect(asked.has(k)).toBe(false)
        asked.set(k, req.peer)
      }
    }
    expect(asked.size).toBe(24)
  })

  it('keeps every bound: blocks in flight overall and per provider, requests per provider', () => {
    const { s } = scheduler({ inFlightBlocksMax: 10, peerDepthInitial: 6, peerRequestsMax: 2, wantBatchMax: 2 })
    setup(s, 100, { a: () => true, b: () => true, c: () => true })
    const reqs = s.nextRequests(false)
    const blocks = reqs.reduce((n, r) => n + r.keys.length, 0)
    expect(blocks).toBeLessThanOrEqual(10)
    for (const peer of ['a', 'b', 'c']) {
      const mine = reqs.filter((r) => r.peer === peer)
      expect(mine.length).toBeLessThanOrEqual(2)
      expect(s.blocksInFlightAt(peer)).toBeLessThanOrEqual(6)
    }
    expect(s.nextRequests(false)).toEqual([])
  })

  it("sets a provider's depth from its measured throughput, between the floor and the cap", () => {
    const { s, clock } = scheduler({ peerDepthMin: 2, peerDepthMax: 32, peerDepthInitial: 4, depthTargetMs: 500 })
    setup(s, 200, { fast: () => true, slow: () => true })
    expect(s.depthOf('fast')).toBe(4)
    for (let round = 0; round < 5; round++) {
      const reqs = s.nextRequests(false)
      clock.advance(100)
      for (const req of reqs) {
        // fast delivers a 4-block answer in 10 ms of its link (100 MiB/s); slow one in 1 s (1 MiB/s)
        const bytes = req.keys.length * BLOCK
        for (const k of req.keys) s.delivered(req, k, BLOCK)
        if (req.peer === 'fast') s.answered(req, bytes)
      }
      clock.advance(900)
      for (const req of reqs) if (req.peer === 'slow') s.answered(req, req.keys.length * BLOCK)
    }
    expect(s.depthOf('fast')).toBe(32)
    expect(s.depthOf('slow')).toBeGreaterThanOrEqual(2)
    expect(s.depthOf('slow')).toBeLessThan(s.depthOf('fast') / 4)
  })

  it('endgame: an idle provider copies a late block, the first copy wins, the other request is returned to cancel', () => {
    const { s, clock } = scheduler({ peerDepthInitial: 1, wantBatchMax: 1, endgameAfterMs: 200 })
    setup(s, 2, { a: () => true, b: () => true })
    const [r1, r2] = s.nextRequests(false)
    expect(new Set([r1?.peer, r2?.peer])).toEqual(new Set(['a', 'b']))
    const fromA = [r1, r2].find((r) => r?.peer === 'a')!
    const fromB = [r1, r2].find((r) => r?.peer === 'b')!
    // b delivers; a's block is not late yet: no copy
    s.delivered(fromB, fromB.keys[0]!, BLOCK)
    s.answered(fromB, BLOCK)
    expect(s.nextRequests(false)).toEqual([])
    // while more blocks may come (the DAG is being expanded), never an endgame
    clock.advance(500)
    expect(s.nextRequests(true)).toEqual([])
    const [copy] = s.nextRequests(false)
    expect(copy).toMatchObject({ peer: 'b', endgame: true, keys: fromA.keys })
    // the copy arrives first: a's request has nothing left and is handed back to cancel
    expect(s.delivered(copy!, fromA.keys[0]!, BLOCK)).toEqual([fromA])
    // a's copy, arriving after all, is a duplicate
    expect(s.delivered(fromA, fromA.keys[0]!, BLOCK)).toBe('duplicate')
    expect(s.wantCount).toBe(0)
  })

  it('a provider that leaves hands its blocks back to the others', () => {
    const { s } = scheduler({ peerDepthInitial: 4, wantBatchMax: 4 })
    setup(s, 4, { a: () => true })
    const [req] = s.nextRequests(false)
    expect(req?.peer).toBe('a')
    s.addProvider('b')
    s.noteHave('b', ['k0', 'k1', 'k2', 'k3'], [true, true, true, true])
    expect(s.nextRequests(false)).toEqual([])
    expect(s.removeProvider('a')).toEqual([req])
    const moved = s.nextRequests(false)
    expect(moved.map((r) => r.peer)).toEqual(['b'])
    expect(moved[0]?.keys.slice().sort()).toEqual(['k0', 'k1', 'k2', 'k3'])
  })

  it(`a provider leaves after peerFailuresMax failed requests in a row`, () => {
    const { s } = scheduler({ peerFailuresMax: 3, peerDepthInitial: 1, wantBatchMax: 1 })
    setup(s, 10, { a: () => true })
    const verdicts: boolean[] = []
    for (let i = 0; i < 3; i++) {
      const [req] = s.nextRequests(false)
      verdicts.push(s.failed(req!))
    }
    expect(verdicts).toEqual([false, false, true])
    expect(s.wantCount).toBe(10)
  })
})
