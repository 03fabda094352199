/** Copies, bandwidth, attacker cuts, honest peers lost and the topology, on runs with known numbers. */
import { describe, expect, it } from 'vitest'
import { attackCuts, honestPeersLost } from '../../../src/lab/report/attacks.js'
import { buildModel } from '../../../src/lab/report/model.js'
import { topologyFigures } from '../../../src/lab/report/topology.js'
import { bandwidthFigures, bucketWidthS, copiesFigures } from '../../../src/lab/report/traffic.js'
import { RunBuilder } from '../../helpers/lab-run.js'

describe('copies per node per message', () => {
  it('gives the mean, p50, p99 and a histogram over (node, message) pairs', () => {
    const run = new RunBuilder([{ name: 'n0' }, { name: 'n1' }])
    const counts = [1, 1, 2, 2, 2, 3, 3, 4, 8, 10]
    for (const [i, n] of counts.entries())
      run.at(i % 2 ? 'n1' : 'n0', 1000 + i, { e: 'copies', k: 'tx', id: `t${i}`, n })
    run.at('n0', 2000, { e: 'copies', k: 'block', id: 'b', n: 5 })
    const model = buildModel(run.loaded())
    expect(copiesFigures(model, 'tx')).toEqual({
      pairs: 10,
      mean: 3.6,
      p50: 2,
      p99: 10,
      max: 10,
      histogram: [
        { copies: 1, pairs: 2 },
        { copies: 2, pairs: 3 },
        { copies: 3, pairs: 2 },
        { copies: 4, pairs: 1 },
        { copies: 8, pairs: 1 },
        { copies: 10, pairs: 1 },
      ],
    })
    expect(copiesFigures(model, 'block')).toMatchObject({ pairs: 1, mean: 5 })
  })
})

describe('bandwidth', () => {
  it('gives bytes/s per node of each class over time, and each node’s totals across restarts', () => {
    const run = new RunBuilder([{ name: 'm0', role: 'miner' }, { name: 'n0' }, { name: 'n1' }], { durationMs: 60_000 })
    expect(bucketWidthS(60_000)).toBe(1)
    // m0: 1000 B in, 2000 B out over its first 10 s, split over two protocols.
    run.at('m0', 10_000, { e: 'bytes', proto: { '/a': { in: 600, out: 2000 }, '/b': { in: 400, out: 0 } } })
    // n0: 500 B in over 0–5 s; n1 nothing. Then n0 restarts (totals start again) and moves 300 more.
    run.at('n0', 5000, { e: 'bytes', proto: { '/a': { in: 500, out: 0 } } })
    run.at('n0', 5000, { e: 'stop' })
    run.at('n0', 20_000, { e: 'start', v: 1, peerId: 'peer-n0', pid: 2 })
    run.at('n0', 21_000, { e: 'bytes', proto: { '/a': { in: 300, out: 0 } } })
    const figures = bandwidthFigures(buildModel(run.loaded()))
    expect(figures.bucketS).toBe(1)
    const at = (role: string, tS: number) => figures.series.find((p) => p.role === role && p.tS === tS)
    expect(at('miner', 3)).toEqual({ role: 'miner', tS: 3, inBps: 100, outBps: 200 })
    expect(at('miner', 10)).toMatchObject({ inBps: 0, outBps: 0 })
    // Mean per full node: n0's 100 B/s over two nodes.
    expect(at('full', 4)).toMatchObject({ inBps: 50, outBps: 0 })
    expect(at('full', 20)).toMatchObject({ inBps: 150 })
    expect(figures.perNode).toEqual(
      expect.arrayContaining([
        { node: 'm0', role: 'miner', region: 'eu', inBytes: 1000, outBytes: 2000 },
        { node: 'n0', role: 'full', region: 'eu', inBytes: 800, outBytes: 0 },
        { node: 'n1', role: 'full', region: 'eu', inBytes: 0, outBytes: 0 },
      ]),
    )
    expect(figures.perProtocol).toEqual([
      { proto: '/a', inBytes: 1400, outBytes: 2000 },
      { proto: '/b', inBytes: 400, outBytes: 0 },
    ])
  })
})

describe('attacks', () => {
  /** Attacker a0 (two peer ids) starts at 10 s and stops at 40 s; honest n0, n1, n2. */
  function attacked() {
    const run = new RunBuilder([
      { name: 'n0' },
      { name: 'n1' },
      { name: 'n2' },
      { name: 'a0', role: 'attacker', peerIds: ['x1', 'x2'] },
    ])
    run.event(10_000, { e: 'attack-start', node: 'a0', attack: 'sybil-inbound' })
    run.event(40_000, { e: 'attack-stop', node: 'a0', attack: 'sybil-inbound' })
    return run
  }

  it('times each honest node’s first cut of (or close on) any of the attacker’s ids', () => {
    const run = attacked()
    run.at('n0', 10_500, { e: 'peer', op: 'open', peer: 'x1', dir: 'in' })
    run.at('n0', 12_000, { e: 'cut', peer: 'x1', reason: 'junk' })
    run.at('n0', 12_000, { e: 'peer', op: 'close', peer: 'x1', dir: 'in' })
    run.at('n1', 11_000, { e: 'peer', op: 'open', peer: 'x2', dir: 'in' })
    run.at('n1', 15_000, { e: 'peer', op: 'close', peer: 'x2', dir: 'in' })
    run.at('n1', 16_000, { e: 'peer', op: 'open', peer: 'x1', dir: 'in' })
    run.at('n1', 17_000, { e: 'cut', peer: 'x1', reason: 'junk' })
    run.at('n2', 30_000, { e: 'peer', op: 'open', peer: 'x2', dir: 'in' }) // exposed, never cut
    expect(attackCuts(buildModel(run.loaded()))).toEqual([
      {
        attacker: 'a0',
        attack: 'sybil-inbound',
        startS: 10,
        exposed: 3,
        cut: 2,
        firstMs: 2000,
        medianMs: 2000,
        lastMs: 5000,
      },
    ])
  })

  it('counts honest connections closed during attacks and in all, and the fewest honest peers any node kept', () => {
    const run = attacked()
    run.connect('n0', 'n1', 1000, 5000) // closed before the attack
    run.connect('n0', 'n2', 1000, 20_000) // closed during it
    run.connect('n1', 'n2', 1000)
    run.connect('n0', 'n1', 6000)
    const lost = honestPeersLost(buildModel(run.loaded()))
    // Each close is logged by both sides.
    expect(lost).toEqual({
      closedDuringAttacks: 2,
      closedTotal: 4,
      minHonestPeers: 1,
      minHonestPeersNode: 'n0',
      minOver: 'attacks',
    })
  })

  it('takes the minimum over the run after the first connection when nobody attacked', () => {
    const run = new RunBuilder([{ name: 'n0' }, { name: 'n1' }, { name: 'n2' }])
    run.connect('n0', 'n1', 1000)
    run.connect('n0', 'n2', 1000)
    run.connect('n1', 'n2', 1000, 8000)
    expect(honestPeersLost(buildModel(run.loaded()))).toMatchObject({
      minHonestPeers: 1,
      minOver: 'run',
      closedTotal: 2,
      closedDuringAttacks: 0,
    })
  })

  it('ends the window when the lab starts stopping the nodes: peers leaving at shutdown are not lost', () => {
    const run = new RunBuilder([{ name: 'n0' }, { name: 'n1' }, { name: 'n2' }], {
      durationMs: 60_000,
      stoppingAtMs: 50_000,
    })
    // Every connection closes as the nodes stop one by one, after stoppingAt.
    run.connect('n0', 'n1', 1000, 51_000)
    run.connect('n0', 'n2', 1000, 52_000)
    run.connect('n1', 'n2', 1000, 53_000)
    expect(honestPeersLost(buildModel(run.loaded()))).toMatchObject({ minHonestPeers: 2, minOver: 'run' })
  })
})

describe('the topology', () => {
  it('holds the connections alive at the end, laid out by region', () => {
    const run = new RunBuilder(
      [
        { name: 'n0', region: 'eu' },
        { name: 'n1', region: 'us' },
        { name: 'n2', region: 'us' },
      ],
      { regions: ['eu', 'us'], durationMs: 60_000, stoppingAtMs: 50_000 },
    )
    run.connect('n0', 'n1', 1000)
    run.connect('n0', 'n2', 1000, 30_000)
    run.connect('n1', 'n2', 1000, 50_500) // closed by the teardown: still counts
    const topology = topologyFigures(buildModel(run.loaded()))
    expect(topology.edges).toEqual([
      { a: 'n0', b: 'n1' },
      { a: 'n1', b: 'n2' },
    ])
    expect(topology.atS).toBeCloseTo(50, 2)
    expect(topology.nodes.map((n) => [n.name, n.region, n.degree])).toEqual([
      ['n0', 'eu', 1],
      ['n1', 'us', 2],
      ['n2', 'us', 1],
    ])
    expect(topology.nodes[0]).toMatchObject({ x: 0, y: -1 })
    expect(topologyFigures(buildModel(run.loaded()))).toEqual(topology)
  })
})
