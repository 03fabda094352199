import { describe, expect, it } from 'vitest'
import { verifyEvidence } from '../../../../src/consensus/bft/evidence.js'
import { DEFAULT_TIMEOUTS, timeoutMs } from '../../../../src/consensus/bft/timeouts.js'
import { CHAIN_ID } from './helpers.js'
import { SimNetwork } from './sim-network.js'

const DELAY_MS_MAX = 200

describe('a simulated network of BFT validators', () => {
  it('decides the same block at every height on every honest validator', () => {
    for (const seed of [1, 2, 3]) {
      const net = new SimNetwork({ validators: 4, seed, delayMsMax: DELAY_MS_MAX, heights: 15 })
      net.start()
      net.run(10 * 60_000)
      const agreed = net.agreedDecisions()
      expect(agreed.size).toBe(15)
      for (const node of net.honest) expect(node.decisions.size).toBe(15)
      // distinct blocks, one per height
      expect(new Set(agreed.values()).size).toBe(15)
    }
  })

  it('replays a run exactly from its seed', () => {
    const trace = (seed: number): string[] => {
      const net = new SimNetwork({ validators: 4, seed, delayMsMax: DELAY_MS_MAX, heights: 5 })
      net.start()
      net.run(60_000)
      return net.honest.flatMap((n) => [...n.decisions.values()].map((d) => `${n.index}:${d.blockHash}@${d.atMs}`))
    }
    expect(trace(7)).toEqual(trace(7))
    expect(trace(7)).not.toEqual(trace(8))
  })

  it('with the round-0 proposer offline, the height decides in round 1 within the bounded timeouts', () => {
    // height 1, round 0 is validator 1's (round-robin)
    const net = new SimNetwork({ validators: 4, seed: 11, delayMsMax: DELAY_MS_MAX, heights: 1, offline: [1] })
    net.start()
    net.run(60_000)
    net.agreedDecisions()
    const boundMs = timeoutMs(DEFAULT_TIMEOUTS.propose, 0) + timeoutMs(DEFAULT_TIMEOUTS.precommit, 0) + 8 * DELAY_MS_MAX
    for (const node of net.honest) {
      const d = node.decisions.get(1n)!
      expect(d.round).toBe(1)
      expect(d.atMs).toBeLessThanOrEqual(boundMs)
    }
  })

  it('with two offline proposers in a row out of 7, it decides in round 2, each lost round costing at most its capped timeouts', () => {
    // height 1: rounds 0 and 1 are validators 1 and 2's
    const net = new SimNetwork({ validators: 7, seed: 5, delayMsMax: DELAY_MS_MAX, heights: 1, offline: [1, 2] })
    net.start()
    net.run(120_000)
    net.agreedDecisions()
    let boundMs = 8 * DELAY_MS_MAX
    for (const round of [0, 1]) {
      boundMs += timeoutMs(DEFAULT_TIMEOUTS.propose, round) + timeoutMs(DEFAULT_TIMEOUTS.precommit, round)
      boundMs += 4 * DELAY_MS_MAX
    }
    for (const node of net.honest) {
      const d = node.decisions.get(1n)!
      expect(d.round).toBe(2)
      expect(d.atMs).toBeLessThanOrEqual(boundMs)
    }
  })

  it('with one of four validators equivocating, the honest ones agree at every height and catch it', () => {
    for (const seed of [21, 22]) {
      const net = new SimNetwork({ validators: 4, seed, delayMsMax: DELAY_MS_MAX, heights: 8, byzantine: [0] })
      net.start()
      net.run(10 * 60_000)
      const agreed = net.agreedDecisions()
      expect(agreed.size).toBe(8)
      for (const node of net.honest) expect(node.decisions.size).toBe(8)
      expect(net.evidence.length).toBeGreaterThan(0)
      for (const ev of net.evidence) {
        const set = SimNetwork.setAt(ev.voteA.height, 4)
        expect(verifyEvidence(ev, set, CHAIN_ID)).toBe(0)
      }
    }
  })

  it('with two of four offline, nothing is decided (no quorum, no liveness), and nothing conflicting either', () => {
    const net = new SimNetwork({ validators: 4, seed: 31, delayMsMax: DELAY_MS_MAX, heights: 3, offline: [2, 3] })
    net.start()
    net.run(10 * 60_000)
    net.agreedDecisions()
    for (const node of net.honest) {
      expect(node.decisions.size).toBe(0)
      // no ⅔+ can come: the rounds end in stall timeouts, one after another, at height 1
      expect(node.rs.snapshot?.height).toBe(1n)
      expect(node.rs.snapshot?.round).toBeGreaterThan(0)
    }
  })
})
