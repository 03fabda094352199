import { describe, expect, it } from 'vitest'
import { layoutScenario, linksFileFor, splitSides } from '../../../src/lab/layout.js'
import { parseScenario } from '../../../src/lab/scenario.js'

const scenario = parseScenario(
  `
name = "t"
duration_s = 60
[network]
regions = ["europe", "na-east"]
latency_ms = [[10, 100], [100, 10]]
bandwidth_mbit = 40
[[nodes]]
count = 4
regions = ["europe", "na-east"]
role = "miner"
[[nodes]]
count = 2
region = "europe"
bandwidth_mbit = 10
[mining]
block_interval_s = 5
[[attackers]]
kind = "sybil-inbound"
count = 2
region = "na-east"
ip_group = "127.9.9"
rate = 4
`,
  't.toml',
)

describe('lab layout', () => {
  const layout = layoutScenario(scenario)

  it('places nodes and attackers on their own addresses, with normalised hash shares', () => {
    expect(layout.nodes.map((n) => [n.name, n.ip, n.region])).toEqual([
      ['n0', '127.0.1.1', 'europe'],
      ['n1', '127.0.2.1', 'na-east'],
      ['n2', '127.0.3.1', 'europe'],
      ['n3', '127.0.4.1', 'na-east'],
      ['n4', '127.0.5.1', 'europe'],
      ['n5', '127.0.6.1', 'europe'],
    ])
    expect(layout.nodes.slice(0, 4).map((n) => n.hashShare)).toEqual([0.25, 0.25, 0.25, 0.25])
    expect(layout.attackers.map((a) => [a.name, a.ip, a.ipGroup])).toEqual([
      ['a0', '127.9.9.1', '127.9.9'],
      ['a1', '127.9.9.2', '127.9.9'],
    ])
  })

  it("writes each node's links file: every host's region, the matrix, the bandwidths", () => {
    const links = linksFileFor(layout, '127.0.2.1')
    expect(links).toMatchObject({
      self: '127.0.2.1',
      regions: ['europe', 'na-east'],
      latencyMs: [
        [10, 100],
        [100, 10],
      ],
      defaultBandwidthMbit: 40,
      partition: null,
    })
    expect((links.hosts as Record<string, string>)['127.0.5.1']).toBe('europe')
    expect((links.hosts as Record<string, string>)['127.9.9.0/24']).toBe('na-east')
    expect((links.bandwidthMbit as Record<string, number>)['127.0.6.1']).toBe(10)
  })

  it('turns split groups of regions and names into sides of nodes, the unnamed nodes one more side', () => {
    expect(splitSides(layout, [['na-east']])).toEqual([
      ['n1', 'n3'],
      ['n0', 'n2', 'n4', 'n5'],
    ])
    expect(splitSides(layout, [['n1'], ['europe']])).toEqual([['n1'], ['n0', 'n2', 'n4', 'n5'], ['n3']])
  })
})
