import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadScenario, parseScenario, type Scenario, ScenarioError } from '../../../src/lab/scenario.js'
import { WAN6 } from '../../../src/sim/regions.js'

const LIBRARY = join(import.meta.dirname, '../../../lab/scenarios')

const MINIMAL = `
duration_s = 60
[[nodes]]
count = 4
`

/** The ScenarioError `text` gets, as "path: message" lines. */
function problems(text: string, file = 'bad.toml'): string[] {
  try {
    parseScenario(text, file)
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError)
    const e = err as ScenarioError
    expect(e.file).toBe(file)
    expect(e.message).toContain(file)
    return e.issues.map((i) => `${i.path}: ${i.message}`)
  }
  throw new Error('the scenario was accepted')
}

describe('scenario library', () => {
  it('parses every file in lab/scenarios/', async () => {
    const files = (await readdir(LIBRARY)).filter((f) => f.endsWith('.toml'))
    expect(files.sort()).toEqual(
      [
        'churn.toml',
        'eclipse-addr-flood.toml',
        'partition-heal.toml',
        'relay-16-slow.toml',
        'relay-16.toml',
        'smoke.toml',
        'sybil-inbound.toml',
        'tx-flood.toml',
        'wan-50.toml',
      ].sort(),
    )
    for (const f of files) {
      const s = await loadScenario(join(LIBRARY, f))
      expect(s.name).toBe(f.replace(/\.toml$/, ''))
    }
  })

  it('smoke is 8 nodes, 2 miners, 30 s with tx load', async () => {
    const s = await loadScenario(join(LIBRARY, 'smoke.toml'))
    expect(s.duration_s).toBe(30)
    expect(s.nodes.reduce((n, g) => n + g.count, 0)).toBe(8)
    expect(s.nodes.filter((g) => g.role === 'miner').reduce((n, g) => n + g.count, 0)).toBe(2)
    expect(s.load.length).toBeGreaterThan(0)
    expect(s.mining).not.toBeNull()
  })

  it('wan-50 is 50 nodes over 6 regions, 10 min, under both gossips', async () => {
    const s = await loadScenario(join(LIBRARY, 'wan-50.toml'))
    expect(s.nodes.reduce((n, g) => n + g.count, 0)).toBe(50)
    expect(s.network.regions).toHaveLength(6)
    expect(s.duration_s).toBe(600)
    expect(s.gossip).toEqual(['gossipsub', 'floodsub'])
  })

  it('relay-16 and relay-16-slow are 16 nodes with 4 miners under tx load, the slow one on narrower links', async () => {
    const fast = await loadScenario(join(LIBRARY, 'relay-16.toml'))
    const slow = await loadScenario(join(LIBRARY, 'relay-16-slow.toml'))
    for (const s of [fast, slow]) {
      expect(s.nodes.reduce((n, g) => n + g.count, 0)).toBe(16)
      expect(s.nodes.filter((g) => g.role === 'miner').reduce((n, g) => n + g.count, 0)).toBe(4)
      expect(s.load.length).toBeGreaterThan(0)
      expect(s.mining).not.toBeNull()
    }
    const narrowest = (s: Scenario) => Math.min(...s.nodes.map((g) => g.bandwidth_mbit ?? Number.POSITIVE_INFINITY))
    expect(narrowest(slow)).toBeLessThan(narrowest(fast))
  })
})

describe('parseScenario defaults', () => {
  it('fills every default', () => {
    const s: Scenario = parseScenario(MINIMAL, 'dir/my-run.toml')
    expect(s).toMatchObject({
      file: 'dir/my-run.toml',
      name: 'my-run',
      duration_s: 60,
      seed: 1,
      gossip: ['gossipsub'],
      mining: null,
      load: [],
      events: [],
      attackers: [],
    })
    expect(s.network).toEqual({
      regions: WAN6.regions,
      latency_ms: WAN6.latencyMs,
      jitter_ms: 5,
      bandwidth_mbit: 100,
    })
    expect(s.nodes).toEqual([
      { count: 4, regions: WAN6.regions, role: 'full', hash_share: 0, bandwidth_mbit: 100, join_at_s: 0 },
    ])
  })

  it('takes a subset of the default table without latency_ms', () => {
    const s = parseScenario(`${MINIMAL}\n[network]\nregions = ["oceania", "europe"]\n`, 'x.toml')
    expect(s.network.latency_ms).toEqual([
      [20, 140],
      [140, 20],
    ])
  })

  it('defaults until_s to the end, mining when there are miners, and attack rates by kind', () => {
    const s = parseScenario(
      `duration_s = 100
[[nodes]]
count = 2
role = "miner"
[[load]]
tx_rate = 1
[[events]]
kind = "churn"
kills_per_min = 2
[[attackers]]
kind = "sync-staller"
[[attackers]]
kind = "junk-gossip"
`,
      'x.toml',
    )
    expect(s.mining).toEqual({ block_interval_s: 10 })
    expect(s.load[0]).toEqual({ tx_rate: 1, senders: 10, from_s: 0, until_s: 100 })
    expect(s.events[0]).toEqual({
      kind: 'churn',
      from_s: 0,
      until_s: 100,
      kills_per_min: 2,
      signal: 'SIGKILL',
      down_s: 10,
    })
    expect(s.attackers.map((a) => [a.kind, a.rate, a.region, a.until_s])).toEqual([
      ['sync-staller', null, 'na-east', 100],
      ['junk-gossip', 20, 'na-east', 100],
    ])
  })
})

describe('parseScenario errors name the file, the key and what is allowed', () => {
  it('an unknown event kind', () => {
    const text = `${MINIMAL}
[[events]]
kind = "split"
at_s = 1
groups = [["europe"]]
[[events]]
kind = "heal"
at_s = 2
[[events]]
kind = "partition"
at_s = 3
`
    expect(problems(text)).toEqual(['events[2].kind: got string "partition"; allowed: one of split, heal, kill, churn'])
  })

  it('an unknown key, with the keys allowed there', () => {
    expect(problems(`${MINIMAL}\n[[events]]\nkind = "heal"\nat = 3\n`)).toEqual([
      'events[0].at_s: expected a number, got nothing (the key is required)',
      'events[0]: unknown key "at" (allowed: kind, at_s)',
    ])
    // A key after a [[table]] belongs to that table: the message says which keys it takes.
    expect(problems(`${MINIMAL}gossip = ["floodsub"]\n`)).toEqual([
      'nodes[0]: unknown key "gossip" (allowed: count, region, regions, role, hash_share, bandwidth_mbit, join_at_s)',
    ])
    expect(problems(`duraton_s = 3\n${MINIMAL}`)[0]).toMatch(/^: unknown key "duraton_s" \(allowed: name, duration_s,/)
  })

  it('a value out of its enum or range', () => {
    expect(problems(`gossip = ["plumtree"]\n${MINIMAL}`)).toEqual([
      'gossip[0]: got string "plumtree"; allowed: one of gossipsub, floodsub',
    ])
    expect(problems('duration_s = 60\n[[nodes]]\ncount = 0\n')).toEqual(['nodes[0].count: at least 1, got number 0'])
    expect(problems('duration_s = 60\n[[nodes]]\ncount = 2.5\n')).toEqual([
      'nodes[0].count: expected an integer, got number 2.5',
    ])
    expect(problems(`${MINIMAL}\n[network]\nregions = ["a", "b"]\nlatency_ms = [[0, 20000], [1, 0]]\n`)).toContain(
      'network.latency_ms[0][1]: at most 10000, got number 20000',
    )
  })

  it('TOML syntax errors give line and column', () => {
    const [line] = problems('duration_s = 60\n[[nodes]]\ncount = \n')
    expect(line).toMatch(/^: not valid TOML at line 3, column \d+/)
  })

  it('a file that cannot be read', async () => {
    await expect(loadScenario('/nonexistent/x.toml')).rejects.toThrow(/\/nonexistent\/x.toml.*\n.*cannot be read/)
  })
})

describe('parseScenario cross-checks', () => {
  it('the latency matrix is square over the regions, and regions outside the table need one', () => {
    expect(problems(`${MINIMAL}\n[network]\nregions = ["a", "b"]\nlatency_ms = [[0, 1], [1]]\n`)).toEqual([
      'network.latency_ms[1]: has 1 entries for 2 regions',
    ])
    expect(problems(`${MINIMAL}\n[network]\nregions = ["europe", "mars"]\n`)).toEqual([
      'network.latency_ms: required: mars is not in the default table (na-east, na-west, europe, asia-east, asia-south, oceania)',
    ])
    expect(problems(`${MINIMAL}\n[network]\nregions = ["europe", "europe"]\n`)).toEqual([
      'network.regions: region "europe" is listed twice',
    ])
    expect(problems(`${MINIMAL}\n[network]\nregions = ["n1"]\n`)[0]).toMatch(
      /^network.regions\[0\]: a region name must not/,
    )
  })

  it('latency_ms comes with its regions; gossip protocols and region names are checked', () => {
    expect(problems(`${MINIMAL}\n[network]\nlatency_ms = [[1]]\n`)).toEqual([
      'network.latency_ms: needs `regions` beside it: one row and one column per region',
    ])
    expect(problems(`gossip = ["floodsub", "floodsub"]\n${MINIMAL}`)).toEqual(['gossip: "floodsub" is listed twice'])
    expect(problems(`${MINIMAL}\n[network]\nregions = ["Europe"]\n`)).toEqual([
      'network.regions[0]: a region name: a lowercase letter, then up to 39 lowercase letters, digits or "-"',
    ])
  })

  it('times fall inside the run', () => {
    expect(problems(`${MINIMAL}\n[[events]]\nkind = "heal"\nat_s = 60\n`)).toContain(
      'events[0].at_s: 60 is not before the end of the run (duration_s = 60)',
    )
    expect(problems(`${MINIMAL}\n[[load]]\ntx_rate = 1\nfrom_s = 10\nuntil_s = 70\n`)).toEqual([
      'load[0].until_s: 70 is after the end of the run (duration_s = 60)',
    ])
    expect(problems(`${MINIMAL}\n[[load]]\ntx_rate = 1\nfrom_s = 10\nuntil_s = 5\n`)).toEqual([
      'load[0].until_s: 5 must be after from_s = 10',
    ])
    expect(problems(`${MINIMAL}\n[[nodes]]\ncount = 1\njoin_at_s = 61\n`)).toEqual([
      'nodes[1].join_at_s: 61 is not before the end of the run (duration_s = 60)',
    ])
    expect(problems('duration_s = 60\n[[nodes]]\ncount = 1\njoin_at_s = 5\n')).toEqual([
      'nodes: no group starts at 0: some node must have join_at_s = 0',
    ])
  })

  it('split groups name known regions and nodes, once each, and leave two sides', () => {
    const split = (groups: string) => `${MINIMAL}\n[[events]]\nkind = "split"\nat_s = 5\ngroups = ${groups}\n`
    // MINIMAL's 4 nodes: n0 na-east, n1 na-west, n2 europe, n3 asia-east.
    expect(parseScenario(split('[["europe"], ["n0"]]'), 'x.toml').events).toHaveLength(1)
    expect(problems(split('[["europa"]]'))).toEqual([
      'events[0].groups[0][0]: "europa" is neither a region (na-east, na-west, europe, asia-east, asia-south, oceania) nor a node (n0..n3)',
    ])
    expect(problems(split('[["europe"], ["n2"]]'))).toEqual([
      'events[0].groups[1][0]: "n2" puts n2 in a second group (already in by "europe")',
    ])
    expect(problems(split('[["na-east", "na-west", "europe", "asia-east"]]'))).toEqual([
      'events[0].groups: the groups cover every node: a split needs at least two sides',
    ])
  })

  it('a heal follows a split, and splits do not nest', () => {
    const ev = (kind: string, at: number) =>
      `[[events]]\nkind = "${kind}"\nat_s = ${at}\n${kind === 'split' ? 'groups = [["europe"]]\n' : ''}`
    expect(problems(`${MINIMAL}\n${ev('heal', 5)}`)).toEqual(['events[0]: a heal with no split before it'])
    expect(problems(`${MINIMAL}\n${ev('split', 5)}${ev('split', 8)}`)).toEqual([
      "events[1]: a split while events[0]'s split still holds: heal it first",
    ])
    // File order does not matter, time order does.
    expect(
      parseScenario(`${MINIMAL}\n${ev('heal', 9)}${ev('split', 5)}${ev('split', 20)}`, 'x.toml').events,
    ).toHaveLength(3)
  })

  it('kills name known nodes', () => {
    expect(problems(`${MINIMAL}\n[[events]]\nkind = "kill"\nat_s = 5\nnodes = ["n4"]\n`)).toEqual([
      'events[0].nodes[0]: unknown node "n4"; allowed: n0..n3',
    ])
  })

  it('blocks need a miner, and only miners have a hash share', () => {
    expect(problems(`${MINIMAL}\n[mining]\nblock_interval_s = 5\n`)).toEqual([
      'mining: blocks are wanted but no node group has role = "miner"',
    ])
    expect(problems('duration_s = 60\n[[nodes]]\ncount = 1\nhash_share = 2\n')).toEqual([
      'nodes[0].hash_share: only miners have a hash share: set role = "miner"',
    ])
  })

  it('at most 250 nodes, and regions known', () => {
    expect(problems('duration_s = 60\n[[nodes]]\ncount = 200\n[[nodes]]\ncount = 51\n')).toEqual([
      'nodes: 251 nodes in all; allowed: at most 250',
    ])
    expect(problems('duration_s = 60\n[[nodes]]\ncount = 1\nregion = "mars"\n')).toEqual([
      'nodes[0].region: unknown region "mars"; allowed: one of na-east, na-west, europe, asia-east, asia-south, oceania',
    ])
    expect(problems('duration_s = 60\n[[nodes]]\ncount = 1\nregion = "europe"\nregions = ["europe"]\n')).toEqual([
      'nodes[0]: give `region` or `regions`, not both',
    ])
  })

  it('attackers: a rate only where one applies, ip groups off 127.0 and not shared', () => {
    expect(problems(`${MINIMAL}\n[[attackers]]\nkind = "sync-staller"\nrate = 3\n`)).toEqual([
      'attackers[0].rate: sync-staller has no rate',
    ])
    expect(problems(`${MINIMAL}\n[[attackers]]\nkind = "sybil-inbound"\nip_group = "127.0.9"\n`)).toEqual([
      'attackers[0].ip_group: 127.0.* is where the honest nodes live: use 127.A.B with A ≥ 1',
    ])
    expect(problems(`${MINIMAL}\n[[attackers]]\nkind = "sybil-inbound"\nip_group = "10.0.9"\n`)).toEqual([
      'attackers[0].ip_group: a /24 on loopback written "127.A.B", e.g. "127.9.9"',
    ])
    expect(
      parseScenario(`${MINIMAL}\n[[attackers]]\nkind = "junk-gossip"\ncount = 155\n`, 'x.toml').attackers,
    ).toHaveLength(1)
    expect(
      problems(`${MINIMAL}\n[[attackers]]\nkind = "junk-gossip"\ncount = 155\n[[attackers]]\nkind = "addr-flood"\n`),
    ).toEqual(['attackers: 156 attackers without an ip_group; allowed: at most 155 (each takes a 127.<100+k>)'])
    const twice = '[[attackers]]\nkind = "addr-flood"\nip_group = "127.9.9"\n'
    expect(problems(`${MINIMAL}\n${twice}${twice}`)).toEqual([
      "attackers[1].ip_group: 127.9.9 is already attackers[0]'s",
    ])
    expect(
      problems(`${MINIMAL}\n[[attackers]]\nkind = "junk-gossip"\ncount = 2\n${twice.replace('127.9.9', '127.101.9')}`),
    ).toEqual(['attackers[1].ip_group: 127.101.9 collides with 127.101.*, given to attackers without an ip_group'])
  })
})
