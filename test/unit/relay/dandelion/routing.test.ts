import { describe, expect, it } from 'vitest'
import {
  DANDELION_EPOCH_MS,
  STEM_INBOUND_EDGES_MAX,
  STEM_RELAYS_PER_EPOCH,
  StemRouter,
} from '../../../../src/relay/dandelion/routing.js'
import { ManualClock } from '../../../../src/util/clock.js'
import { seededRng } from '../../../../src/util/rng.js'

const OUTBOUND = ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8']

function router(opts: { fluffProbability?: number; seed?: number; outbound?: string[] } = {}) {
  const clock = new ManualClock(5_000_000)
  const outbound = [...(opts.outbound ?? OUTBOUND)]
  const r = new StemRouter(
    { clock, rng: seededRng(opts.seed ?? 7), outboundPeers: () => outbound },
    { fluffProbability: opts.fluffProbability ?? 0 },
  )
  return { r, clock, outbound }
}

const peerOf = (route: ReturnType<StemRouter['routeOwn']>): string => {
  if (route.kind !== 'stem') throw new Error('expected a stem route')
  return route.peer
}

describe('StemRouter', () => {
  it('chooses two distinct outbound relays per epoch', () => {
    const { r } = router()
    const relays = r.currentRelays()
    expect(relays).toHaveLength(STEM_RELAYS_PER_EPOCH)
    expect(new Set(relays).size).toBe(2)
    for (const relay of relays) expect(OUTBOUND).toContain(relay)
  })

  it('maps each inbound edge to one fixed relay within an epoch, and uses both relays across edges', () => {
    const { r } = router()
    const relays = r.currentRelays()
    const mapped = new Map<string, string>()
    for (let i = 0; i < 40; i++) mapped.set(`in${i}`, peerOf(r.routeRelayed(`in${i}`)))
    for (let round = 0; round < 5; round++) {
      for (const [edge, relay] of mapped) expect(peerOf(r.routeRelayed(edge))).toBe(relay)
    }
    expect(new Set(mapped.values())).toEqual(new Set(relays))
  })

  it('sends own txs to one fixed relay per epoch', () => {
    const { r } = router()
    const first = peerOf(r.routeOwn())
    expect(r.currentRelays()).toContain(first)
    for (let i = 0; i < 20; i++) expect(peerOf(r.routeOwn())).toBe(first)
  })

  it('re-chooses relays, the edge map and the own relay when the epoch ends', () => {
    const { r, clock } = router()
    const epochs: string[] = []
    for (let e = 0; e < 6; e++) {
      const edges = Array.from({ length: 8 }, (_, i) => peerOf(r.routeRelayed(`in${i}`)))
      epochs.push(`${r.currentRelays().join(',')}|${edges.join(',')}|${peerOf(r.routeOwn())}`)
      clock.advance(DANDELION_EPOCH_MS - 1)
      expect(r.epoch).toBe(e + 1) // one ms short: still the same epoch
      clock.advance(1)
    }
    expect(r.epoch).toBe(6)
    expect(new Set(epochs).size).toBeGreaterThan(1)
  })

  it('is a diffuser for an epoch with the fluff probability, and diffuses every relayed tx then', () => {
    const { r, clock } = router({ fluffProbability: 0.1, seed: 3 })
    let diffuserEpochs = 0
    const epochs = 4000
    for (let e = 0; e < epochs; e++) {
      const diffuser = r.isDiffuser
      if (diffuser) diffuserEpochs++
      for (let i = 0; i < 3; i++) expect(r.routeRelayed(`in${i}`).kind).toBe(diffuser ? 'fluff' : 'stem')
      // Own txs are stemmed even by a diffuser.
      expect(r.routeOwn().kind).toBe('stem')
      clock.advance(DANDELION_EPOCH_MS)
    }
    // Binomial(4000, 0.1): mean 400, sd 19; the seed is fixed.
    expect(diffuserEpochs / epochs).toBeGreaterThan(0.085)
    expect(diffuserEpochs / epochs).toBeLessThan(0.115)
  })

  it('never stems straight back to the sender when another relay exists', () => {
    const { r } = router()
    const [a, b] = r.currentRelays() as [string, string]
    expect(peerOf(r.routeRelayed(a))).toBe(b)
    expect(peerOf(r.routeRelayed(b))).toBe(a)
  })

  it('fluffs when there is no outbound peer', () => {
    const { r } = router({ outbound: [] })
    expect(r.routeOwn()).toEqual({ kind: 'fluff' })
    expect(r.routeRelayed('in1')).toEqual({ kind: 'fluff' })
  })

  it('replaces a failed relay within the epoch, moves its edges, and falls back to the other relay', () => {
    const { r } = router()
    const [a, b] = r.currentRelays() as [string, string]
    let edgeOnA = ''
    for (let i = 0; !edgeOnA; i++) if (peerOf(r.routeRelayed(`in${i}`)) === a) edgeOnA = `in${i}`
    const next = r.fallback(a, edgeOnA)
    expect(next.kind).toBe('stem')
    expect(peerOf(next)).not.toBe(a)
    const relays = r.currentRelays()
    expect(relays).not.toContain(a)
    expect(relays).toContain(b)
    expect(relays).toHaveLength(2)
    expect(relays).toContain(peerOf(r.routeRelayed(edgeOnA)))
  })

  it('fluffs on fallback when no other relay is left', () => {
    const { r } = router({ outbound: ['o1'] })
    expect(r.fallback('o1')).toEqual({ kind: 'fluff' })
    expect(r.routeOwn()).toEqual({ kind: 'fluff' })
  })

  it('replaces a relay that disconnects', () => {
    const { r, outbound } = router()
    const [a] = r.currentRelays() as [string]
    outbound.splice(outbound.indexOf(a), 1)
    r.peerGone(a)
    expect(r.currentRelays()).not.toContain(a)
    expect(r.currentRelays()).toHaveLength(2)
  })

  it('bounds the inbound edge map', () => {
    const { r } = router()
    for (let i = 0; i < STEM_INBOUND_EDGES_MAX + 500; i++) r.routeRelayed(`edge-${i}`)
    expect(r.inboundEdges).toBe(STEM_INBOUND_EDGES_MAX)
    // edge-0 was forgotten; it is mapped again, to one of the same two relays.
    expect(r.currentRelays()).toContain(peerOf(r.routeRelayed('edge-0')))
  })

  it('refuses a fluff probability outside 0-1', () => {
    const clock = new ManualClock(0)
    const deps = { clock, rng: seededRng(1), outboundPeers: () => [] }
    expect(() => new StemRouter(deps, { fluffProbability: 1.5 })).toThrow(RangeError)
    expect(() => new StemRouter(deps, { fluffProbability: Number.NaN })).toThrow(RangeError)
  })
})
