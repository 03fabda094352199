import { describe, expect, it } from 'vitest'
import { type LabAction, type PlanInput, planLab } from '../../../src/lab/plan.js'
import { seededRng } from '../../../src/util/rng.js'

const base: PlanInput = {
  durationS: 600,
  blockIntervalS: 10,
  nodes: [
    { name: 'n0', role: 'miner', hashShare: 3 },
    { name: 'n1', role: 'miner', hashShare: 1 },
    { name: 'n2', role: 'full', hashShare: 0 },
    { name: 'n3', role: 'full', hashShare: 0, joinAtS: 100 },
  ],
  load: [{ txRate: 2, fromS: 0, untilS: 600 }],
  events: [],
  attackers: [],
}

const of = <K extends LabAction['kind']>(plan: LabAction[], kind: K) =>
  plan.filter((a): a is Extract<LabAction, { kind: K }> => a.kind === kind)

describe('planLab', () => {
  it('is one plan per seed, in time order', () => {
    const a = planLab(base, seededRng(7))
    expect(planLab(base, seededRng(7))).toEqual(a)
    expect(planLab(base, seededRng(8))).not.toEqual(a)
    for (let i = 1; i < a.length; i++) expect(a[i]!.atMs).toBeGreaterThanOrEqual(a[i - 1]!.atMs)
  })

  it('draws blocks at the mean interval, split by hash share', () => {
    const blocks = of(planLab({ ...base, durationS: 20_000, load: [] }, seededRng(1)), 'mine')
    expect(blocks.length).toBeGreaterThan(1800)
    expect(blocks.length).toBeLessThan(2200)
    const n0 = blocks.filter((b) => b.node === 'n0').length / blocks.length
    expect(n0).toBeGreaterThan(0.7)
    expect(n0).toBeLessThan(0.8)
  })

  it('draws txs at the load rate, never from a node before it joins', () => {
    const plan = planLab(base, seededRng(2))
    const txs = of(plan, 'tx')
    expect(txs.length).toBeGreaterThan(1080)
    expect(txs.length).toBeLessThan(1320)
    expect(txs.filter((t) => t.node === 'n3' && t.atMs < 100_000)).toEqual([])
    expect(txs.some((t) => t.node === 'n3')).toBe(true)
    expect(of(plan, 'join')).toEqual([{ atMs: 100_000, kind: 'join', node: 'n3' }])
  })

  it('kills and restarts, and a node that is down neither mines nor sends', () => {
    const plan = planLab(
      { ...base, events: [{ kind: 'kill', atS: 100, nodes: ['n0'], signal: 'SIGKILL', restartAfterS: 200 }] },
      seededRng(3),
    )
    expect(of(plan, 'kill')).toEqual([{ atMs: 100_000, kind: 'kill', node: 'n0', signal: 'SIGKILL' }])
    expect(of(plan, 'restart')).toEqual([{ atMs: 300_000, kind: 'restart', node: 'n0' }])
    const busy = [...of(plan, 'mine'), ...of(plan, 'tx')].filter((a) => a.node === 'n0')
    expect(busy.filter((a) => a.atMs >= 100_000 && a.atMs < 300_000)).toEqual([])
    expect(busy.some((a) => a.atMs >= 300_000)).toBe(true)
  })

  it('churns at the asked rate and never takes down the last miner up', () => {
    const plan = planLab(
      {
        ...base,
        nodes: [
          { name: 'n0', role: 'miner', hashShare: 1 },
          { name: 'n1', role: 'full', hashShare: 0 },
          { name: 'n2', role: 'full', hashShare: 0 },
        ],
        durationS: 6000,
        events: [{ kind: 'churn', fromS: 0, untilS: 6000, killsPerMin: 2, signal: 'SIGTERM', downS: 5 }],
      },
      seededRng(4),
    )
    const kills = of(plan, 'kill')
    expect(kills.length).toBeGreaterThan(150)
    expect(kills.length).toBeLessThan(250)
    expect(kills.filter((k) => k.node === 'n0')).toEqual([])
    expect(of(plan, 'restart').length).toBe(kills.length)
  })

  it('places partitions and attacks where the scenario says', () => {
    const plan = planLab(
      {
        ...base,
        load: [],
        blockIntervalS: 0,
        events: [
          { kind: 'split', atS: 10, groups: [['n0'], ['n1', 'n2']] },
          { kind: 'heal', atS: 50 },
        ],
        attackers: [{ name: 'a0', fromS: 20, untilS: 900 }],
      },
      seededRng(5),
    )
    expect(plan).toEqual([
      { atMs: 10_000, kind: 'split', groups: [['n0'], ['n1', 'n2']] },
      { atMs: 20_000, kind: 'attack-start', attacker: 'a0' },
      { atMs: 50_000, kind: 'heal' },
      { atMs: 100_000, kind: 'join', node: 'n3' },
      { atMs: 600_000, kind: 'attack-stop', attacker: 'a0' },
    ])
  })
})
