import { describe, expect, it } from 'vitest'
import { parseScenario } from '../../../src/lab/scenario.js'
import { expandAttackers, expandNodes } from '../../../src/lab/scenario-nodes.js'

const SCENARIO = `
duration_s = 60
[network]
regions = ["na-east", "europe", "oceania"]
bandwidth_mbit = 40
[[nodes]]
count = 2
region = "europe"
role = "miner"
hash_share = 3
[[nodes]]
count = 1
role = "miner"
region = "oceania"
bandwidth_mbit = 5
[[nodes]]
count = 4
regions = ["na-east", "oceania"]
join_at_s = 10
[[attackers]]
kind = "junk-gossip"
count = 2
region = "oceania"
[[attackers]]
kind = "sybil-inbound"
count = 3
ip_group = "127.9.9"
from_s = 5
until_s = 50
rate = 7
[[attackers]]
kind = "addr-flood"
`

describe('expandNodes', () => {
  it('names nodes n0.. in group order, each on 127.0.<i+1>.1, regions round-robin, miner shares normalised', () => {
    const nodes = expandNodes(parseScenario(SCENARIO, 'x.toml'))
    expect(nodes.map((n) => [n.name, n.ip, n.region, n.role, n.hashShare, n.bandwidthMbit, n.joinAtS])).toEqual([
      ['n0', '127.0.1.1', 'europe', 'miner', 3 / 7, 40, 0],
      ['n1', '127.0.2.1', 'europe', 'miner', 3 / 7, 40, 0],
      ['n2', '127.0.3.1', 'oceania', 'miner', 1 / 7, 5, 0],
      ['n3', '127.0.4.1', 'na-east', 'full', 0, 40, 10],
      ['n4', '127.0.5.1', 'oceania', 'full', 0, 40, 10],
      ['n5', '127.0.6.1', 'na-east', 'full', 0, 40, 10],
      ['n6', '127.0.7.1', 'oceania', 'full', 0, 40, 10],
    ])
  })

  it('the 250th node is still a valid address', () => {
    const nodes = expandNodes(parseScenario('duration_s = 5\n[[nodes]]\ncount = 250\n', 'x.toml'))
    expect(nodes.at(-1)?.ip).toBe('127.0.250.1')
  })
})

describe('expandAttackers', () => {
  it('names attackers a0..; an ip_group puts its members on 127.A.B.<j+1>, the rest get 127.<100+k>.0.1', () => {
    const attackers = expandAttackers(parseScenario(SCENARIO, 'x.toml'))
    expect(attackers.map((a) => [a.name, a.ip, a.kind, a.group, a.region, a.fromS, a.untilS, a.rate])).toEqual([
      ['a0', '127.100.0.1', 'junk-gossip', 0, 'oceania', 0, 60, 20],
      ['a1', '127.101.0.1', 'junk-gossip', 0, 'oceania', 0, 60, 20],
      ['a2', '127.9.9.1', 'sybil-inbound', 1, 'na-east', 5, 50, 7],
      ['a3', '127.9.9.2', 'sybil-inbound', 1, 'na-east', 5, 50, 7],
      ['a4', '127.9.9.3', 'sybil-inbound', 1, 'na-east', 5, 50, 7],
      ['a5', '127.102.0.1', 'addr-flood', 2, 'na-east', 0, 60, 100],
    ])
  })
})
