import { describe, expect, it } from 'vitest'
import { cpuFigures } from '../../../src/lab/report/cpu.js'
import { buildModel } from '../../../src/lab/report/model.js'
import { TRACE_VERSION } from '../../../src/trace/format.js'
import { RunBuilder } from '../../helpers/lab-run.js'

describe('cpu figures', () => {
  it("takes each honest node's CPU share after warm-up over its first life, and sums them in cores", () => {
    const run = new RunBuilder([{ name: 'n0' }, { name: 'n1' }, { name: 'a0', role: 'attacker' }], {
      durationMs: 100_000,
    })
    // n0: start-up burns 5 s of CPU in its first 10 s (left out), then 10 % of a core.
    run.at('n0', 1_000, { e: 'proc', cpuMs: 5_000, rss: 1 })
    run.at('n0', 10_000, { e: 'proc', cpuMs: 5_000, rss: 1 })
    run.at('n0', 60_000, { e: 'proc', cpuMs: 10_000, rss: 1 })
    // n1: 30 % until its restart; its second life (a new start) is left out.
    run.at('n1', 20_000, { e: 'proc', cpuMs: 1_000, rss: 1 })
    run.at('n1', 40_000, { e: 'proc', cpuMs: 7_000, rss: 1 })
    run.at('n1', 50_000, { e: 'start', v: TRACE_VERSION, peerId: 'peer-n1', pid: 2 })
    run.at('n1', 70_000, { e: 'proc', cpuMs: 1_000_000, rss: 1 })
    const cpu = cpuFigures(buildModel(run.loaded()))
    expect(cpu.meanPercent).toBeCloseTo(20)
    expect(cpu.maxPercent).toBeCloseTo(30)
    expect(cpu.maxNode).toBe('n1')
    expect(cpu.totalCores).toBeCloseTo(0.4)
  })

  it('says nothing without samples', () => {
    const cpu = cpuFigures(buildModel(new RunBuilder([{ name: 'n0' }]).loaded()))
    expect(cpu).toEqual({ meanPercent: null, maxPercent: null, maxNode: null, totalCores: null })
  })
})
