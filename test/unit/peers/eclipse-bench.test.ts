import { describe, expect, it } from 'vitest'
import { summarize } from '../../../bench/eclipse.js'
import { makePolicy } from '../../../bench/eclipse-policies.js'
import { runEclipse } from '../../../bench/eclipse-run.js'
import { DEFAULT_SCENARIO, type EclipseScenario, EclipseWorld } from '../../../bench/eclipse-world.js'
import { seededRng } from '../../../src/util/rng.js'

/** A small, fast world: 600 honest nodes in 150 groups, 6 simulated hours, restarts every 2 h on average. */
const small: EclipseScenario = {
  ...DEFAULT_SCENARIO,
  honest: 600,
  honestGroups: 150,
  warmConnected: 60,
  durationMs: 6 * 3_600_000,
  restartMeanMs: 2 * 3_600_000,
  attackerInboundPerMin: 6,
}

describe('eclipse benchmark harness', () => {
  it('builds the world it describes', () => {
    const world = new EclipseWorld(small, seededRng(1))
    expect(world.honest).toHaveLength(600)
    expect(new Set(world.honest.map((a) => a.addr.split('.').slice(0, 2).join('.'))).size).toBe(150)
    expect(world.attackerIps).toHaveLength(256)
    expect(new Set(world.attackerIps.map((ip) => ip.split('.').slice(0, 2).join('.'))).size).toBe(4)
    const answering = world.honest.filter((a) => world.answers(a)).length
    expect(answering / 600).toBeGreaterThan(0.5)
    expect(answering / 600).toBeLessThan(0.7)
    expect(world.answers(world.newAttackerAddress())).toBe(true)
    expect(world.answers(world.newTrashAddress())).toBe(false)
    // a known honest address under another peer id is not that peer
    const reachable = world.honest.find((a) => world.answers(a))!
    expect(world.answers({ ...reachable, peer: world.newAttackerAddress().peer })).toBe(false)
  })

  it('the old peer book is eclipsed and the new manager is not, seed for seed, and runs replay', () => {
    const seeds = [1, 2, 3]
    const old = seeds.map((seed) => runEclipse(makePolicy('old'), seed, small))
    const fresh = seeds.map((seed) => runEclipse(makePolicy('new'), seed, small))
    for (const r of [...old, ...fresh]) expect(r.slotsAtEnd).toBe(10)
    for (const r of old) expect(r.attackerSlotsAtEnd).toBeGreaterThanOrEqual(9)
    for (const r of fresh) expect(r.attackerSlotsAtEnd).toBeLessThanOrEqual(1)
    expect(summarize('old', old).shareAtMostOne).toBe(0)
    expect(summarize('new', fresh).shareAtMostOne).toBe(1)
    expect(runEclipse(makePolicy('new'), 2, small)).toEqual(fresh[1])
  })

  it('summarizes runs into shares, means and the p99', () => {
    const runs = [0, 0, 1, 2, 5].map((n) => ({
      attackerSlotsAtEnd: n,
      slotsAtEnd: 10,
      attackerSlotsAfterRestarts: [n, 0],
    }))
    const figures = summarize('new', runs)
    expect(figures).toMatchObject({ runs: 5, shareAtMostOne: 0.6, meanSlots: 1.6, p99Slots: 5, maxSlots: 5 })
    expect(figures).toMatchObject({ restarts: 10, restartShareAtMostOne: 0.8, restartMeanSlots: 0.8, meanFilled: 10 })
  })
})
