import { describe, expect, it } from 'vitest'
import { graphAt, shortestPathsMs, transmissionMs } from '../../../src/lab/report/bound.js'
import { buildModel } from '../../../src/lab/report/model.js'
import { messageReaches, propagationFigures } from '../../../src/lab/report/propagation.js'
import { cdf, percentiles } from '../../../src/lab/report/stats.js'
import { peerIdOf, RunBuilder, T0 } from '../../helpers/lab-run.js'

const four = () => new RunBuilder(['n0', 'n1', 'n2', 'n3'].map((name) => ({ name })))

describe('percentiles', () => {
  it('are nearest-rank over the values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i) // 1..100, shuffled order
    expect(percentiles(values)).toEqual({ p50: 50, p90: 90, p99: 99, n: 100 })
    expect(percentiles([7])).toEqual({ p50: 7, p90: 7, p99: 7, n: 1 })
    expect(percentiles([])).toEqual({ p50: null, p90: null, p99: null, n: 0 })
  })

  it('a CDF over more values than came never reaches 1', () => {
    expect(cdf([30, 10], 4)).toEqual([
      { x: 10, y: 0.25 },
      { x: 30, y: 0.5 },
    ])
    expect(
      cdf(
        Array.from({ length: 1000 }, (_, i) => i),
        1000,
        10,
      ),
    ).toHaveLength(10)
  })
})

describe('propagation', () => {
  it('measures each message from its first sighting to 50%, 90% and 100% of the honest nodes', () => {
    const run = four()
    // tx a: made at n0 (local) at 1000, then seen 100, 300, 600 ms later.
    run.at('n0', 1000, { e: 'tx', id: 'a', from: 'local' })
    run.at('n1', 1100, { e: 'tx', id: 'a', from: peerIdOf('n0') })
    run.at('n2', 1300, { e: 'tx', id: 'a', from: peerIdOf('n1') })
    run.at('n3', 1600, { e: 'tx', id: 'a', from: peerIdOf('n2') })
    // tx b: sent at 2000 by the timeline; n1 logs it at 2050 (RPC), the rest 200, 400 and never.
    run.event(2000, { e: 'tx-sent', id: 'b', node: 'n1' })
    run.at('n1', 2050, { e: 'tx', id: 'b', from: 'local' })
    run.at('n0', 2200, { e: 'tx', id: 'b', from: peerIdOf('n1') })
    run.at('n2', 2400, { e: 'tx', id: 'b', from: peerIdOf('n1') })
    // junk from a peer no honest node is: left out.
    run.at('n2', 3000, { e: 'tx', id: 'junk', from: 'peer-x' })
    const model = buildModel(run.loaded())
    const { reaches, foreign } = messageReaches(model, 'tx')
    expect(foreign).toBe(1)
    expect(reaches.map((r) => [r.id, r.origin, r.originTime - T0, r.targets, r.delayMs])).toEqual([
      ['a', 'n0', 1000, 4, { 50: 100, 90: 600, 100: 600 }],
      ['b', 'n1', 2000, 4, { 50: 200, 90: null, 100: null }],
    ])
    const figures = propagationFigures(model, 'tx')
    expect(figures.messages).toBe(2)
    expect(figures.reach).toEqual([
      { level: 50, delayMs: { p50: 100, p90: 200, p99: 200, n: 2 }, unreached: 0 },
      { level: 90, delayMs: { p50: 600, p90: 600, p99: 600, n: 1 }, unreached: 1 },
      { level: 100, delayMs: { p50: 600, p90: 600, p99: 600, n: 1 }, unreached: 1 },
    ])
    expect(figures.cdf.find((c) => c.level === 90)?.points).toEqual([{ x: 600, y: 0.5 }])
  })

  it('measures a block from its maker storing it, not from the driver asking for it (template, seal, import)', () => {
    const run = four()
    run.event(900, { e: 'mine', node: 'n2', hash: 'b1' })
    run.at('n2', 1000, { e: 'block', hash: 'b1', height: 1, from: 'local' })
    run.at('n0', 1100, { e: 'block', hash: 'b1', height: 1, from: peerIdOf('n2') })
    run.at('n1', 1150, { e: 'block', hash: 'b1', height: 1, from: peerIdOf('n2') })
    run.at('n3', 1300, { e: 'block', hash: 'b1', height: 1, from: peerIdOf('n0') })
    const [reach] = messageReaches(buildModel(run.loaded()), 'block').reaches
    expect([reach?.origin, (reach?.originTime ?? 0) - T0]).toEqual(['n2', 1000])
    expect(reach?.delayMs).toEqual({ 50: 100, 90: 300, 100: 300 })
  })

  it('leaves out nodes down at the origin and nodes killed before they saw it', () => {
    const run = four()
    run.at('n3', 500, { e: 'stop' }) // n3 down from 500 on
    run.event(1200, { e: 'kill', node: 'n2', signal: 'SIGKILL' })
    run.at('n0', 1000, { e: 'block', hash: 'b1', height: 1, from: 'local' })
    run.at('n1', 1400, { e: 'block', hash: 'b1', height: 1, from: peerIdOf('n0') })
    const [reach] = messageReaches(buildModel(run.loaded()), 'block').reaches
    expect(reach?.targets).toBe(2)
    expect(reach?.delayMs).toEqual({ 50: 0, 90: 400, 100: 400 })
  })

  it('a block the traces saw only by sync after a restart is not propagation', () => {
    const run = new RunBuilder([{ name: 'n0' }, { name: 'n1' }])
    run.at('n0', 1000, { e: 'block', hash: 'b1', height: 1, from: 'local' })
    run.event(1100, { e: 'kill', node: 'n1', signal: 'SIGKILL' })
    run.at('n1', 1050, { e: 'proc', cpuMs: 1, rss: 1 })
    run.at('n1', 5000, { e: 'start', v: 1, peerId: peerIdOf('n1'), pid: 2 })
    run.at('n1', 5100, { e: 'block', hash: 'b1', height: 1, from: peerIdOf('n0') })
    const [reach] = messageReaches(buildModel(run.loaded()), 'block').reaches
    expect(reach?.targets).toBe(1)
    expect(reach?.delayMs[100]).toBe(0)
  })
})

describe('the shortest-path bound', () => {
  // Regions a, b, c: a→b 50 ms, b→c 70 ms, a→c 500 ms. n0 in a, n1 in b, n2 in c.
  const latencyMs = [
    [0, 50, 500],
    [50, 0, 70],
    [500, 70, 0],
  ]
  const line = () =>
    new RunBuilder(
      [
        { name: 'n0', region: 'a', bandwidthMbit: 10 },
        { name: 'n1', region: 'b', bandwidthMbit: 10 },
        { name: 'n2', region: 'c', bandwidthMbit: 10 },
      ],
      { regions: ['a', 'b', 'c'], latencyMs },
    )

  it('is the least-latency path over the connections alive at the origin', () => {
    const run = line().connect('n0', 'n1', 10).connect('n1', 'n2', 10).connect('n0', 'n2', 10)
    const model = buildModel(run.loaded())
    expect(Object.fromEntries(shortestPathsMs(model, graphAt(model, T0 + 100), 'n0'))).toEqual({
      n0: 0,
      n1: 50,
      n2: 120,
    })
  })

  it('uses only the connections alive then, and adds each sender’s transmission time when the size is known', () => {
    const run = line().connect('n0', 'n1', 10, 50).connect('n1', 'n2', 10).connect('n0', 'n2', 10)
    const model = buildModel(run.loaded())
    expect(transmissionMs(125_000, 10)).toBe(100)
    expect(Object.fromEntries(shortestPathsMs(model, graphAt(model, T0 + 100), 'n0', 125_000))).toEqual({
      n0: 0,
      n2: 600,
      n1: 770,
    })
    expect(graphAt(model, T0 + 5).size).toBe(0)
  })

  it('gives propagation as a ratio to the bound at each reach level', () => {
    const run = line().connect('n0', 'n1', 10).connect('n1', 'n2', 10)
    run.at('n0', 1000, { e: 'block', hash: 'b', height: 1, from: 'local' })
    run.at('n1', 1100, { e: 'block', hash: 'b', height: 1, from: peerIdOf('n0') })
    run.at('n2', 1360, { e: 'block', hash: 'b', height: 1, from: peerIdOf('n1') })
    const model = buildModel(run.loaded())
    const [reach] = messageReaches(model, 'block').reaches
    // 50% of 3 is 2 nodes: 100 ms against a bound of 50; 100%: 360 against 120.
    expect(reach?.boundMs).toEqual({ 50: 50, 90: 120, 100: 120 })
    const ratios = propagationFigures(model, 'block').boundRatio
    expect(ratios.map((r) => [r.level, r.ratio.p50])).toEqual([
      [50, 2],
      [90, 3],
      [100, 3],
    ])
  })
})
