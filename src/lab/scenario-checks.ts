/**
 * What a schema cannot say about one key alone: defaults that depend on other
 * keys (regions, latency, until_s, rates) and the checks across keys (times
 * inside the run, known regions and node names, split groups that do not
 * overlap, a heal only after a split, miners when blocks are wanted, the node
 * and address budgets). Collects every problem rather than the first.
 */
import { WAN6 } from '../sim/regions.js'
import type { AttackerGroup, AttackKind, Load, NodeGroup, Scenario, ScenarioEvent, ScenarioIssue } from './scenario.js'
import { keyPath } from './scenario-issues.js'
import { AUTO_ATTACKERS_MAX, NODES_MAX, type ScenarioFile } from './scenario-schema.js'

/** Per second, when an attacker group gives no `rate`. */
export const DEFAULT_ATTACK_RATE: Record<AttackKind, number | null> = {
  'junk-gossip': 20,
  'unfunded-flood': 50,
  'sybil-inbound': 5,
  'addr-flood': 100,
  'sync-staller': null,
}

class Issues {
  readonly list: ScenarioIssue[] = []
  add(path: ReadonlyArray<PropertyKey>, message: string): void {
    this.list.push({ path: keyPath(path), message })
  }
}

function resolveNetwork(f: ScenarioFile, issues: Issues): Scenario['network'] {
  const { jitter_ms, bandwidth_mbit } = f.network
  const regions = f.network.regions ?? [...WAN6.regions]
  const dup = regions.find((r, i) => regions.indexOf(r) !== i)
  if (dup !== undefined) issues.add(['network', 'regions'], `region "${dup}" is listed twice`)
  let latency = f.network.latency_ms
  if (latency === undefined) {
    const unknown = regions.filter((r) => !WAN6.regions.includes(r))
    if (unknown.length > 0) {
      issues.add(
        ['network', 'latency_ms'],
        `required: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not in the default table (${WAN6.regions.join(', ')})`,
      )
      latency = regions.map(() => regions.map(() => 0))
    } else {
      latency = regions.map((from) =>
        regions.map((to) => WAN6.latencyMs[WAN6.regions.indexOf(from)]![WAN6.regions.indexOf(to)]!),
      )
    }
  } else if (f.network.regions === undefined) {
    issues.add(['network', 'latency_ms'], 'needs `regions` beside it: one row and one column per region')
  } else {
    if (latency.length !== regions.length) {
      issues.add(['network', 'latency_ms'], `has ${latency.length} rows for ${regions.length} regions`)
    }
    for (const [i, row] of latency.entries()) {
      if (row.length !== regions.length) {
        issues.add(['network', 'latency_ms', i], `has ${row.length} entries for ${regions.length} regions`)
      }
    }
  }
  return { regions, latency_ms: latency ?? [], jitter_ms, bandwidth_mbit }
}

function checkWindow(
  issues: Issues,
  path: PropertyKey[],
  from: number,
  until: number | undefined,
  duration: number,
  fromKey = 'from_s',
): number {
  const end = until ?? duration
  if (from >= duration)
    issues.add([...path, fromKey], `${from} is not before the end of the run (duration_s = ${duration})`)
  if (until !== undefined && until > duration) {
    issues.add([...path, 'until_s'], `${until} is after the end of the run (duration_s = ${duration})`)
  }
  if (end <= from) issues.add([...path, 'until_s'], `${end} must be after ${fromKey} = ${from}`)
  return end
}

function resolveNodes(f: ScenarioFile, regions: string[], issues: Issues): NodeGroup[] {
  const known = (r: string) => regions.includes(r)
  const groups = f.nodes.map((g, i): NodeGroup => {
    if (g.region !== undefined && g.regions !== undefined)
      issues.add(['nodes', i], 'give `region` or `regions`, not both')
    const own = g.regions ?? (g.region !== undefined ? [g.region] : regions)
    for (const [j, r] of own.entries()) {
      if (!known(r)) {
        const path = g.regions ? ['nodes', i, 'regions', j] : ['nodes', i, 'region']
        issues.add(path, `unknown region "${r}"; allowed: one of ${regions.join(', ')}`)
      }
    }
    if (g.role !== 'miner' && g.hash_share !== undefined) {
      issues.add(['nodes', i, 'hash_share'], 'only miners have a hash share: set role = "miner"')
    }
    if (g.join_at_s >= f.duration_s) {
      issues.add(
        ['nodes', i, 'join_at_s'],
        `${g.join_at_s} is not before the end of the run (duration_s = ${f.duration_s})`,
      )
    }
    return {
      count: g.count,
      regions: own,
      role: g.role,
      hash_share: g.role === 'miner' ? (g.hash_share ?? 1) : 0,
      bandwidth_mbit: g.bandwidth_mbit ?? f.network.bandwidth_mbit,
      join_at_s: g.join_at_s,
    }
  })
  const total = groups.reduce((n, g) => n + g.count, 0)
  if (total > NODES_MAX) issues.add(['nodes'], `${total} nodes in all; allowed: at most ${NODES_MAX}`)
  if (!groups.some((g) => g.join_at_s === 0))
    issues.add(['nodes'], 'no group starts at 0: some node must have join_at_s = 0')
  return groups
}

/** n0, n1, … in group order, as scenario-nodes.ts names them. */
function nodeNamesByRegion(groups: NodeGroup[]): Map<string, string> {
  const regionOf = new Map<string, string>()
  let index = 0
  for (const g of groups) {
    for (let k = 0; k < g.count; k++) regionOf.set(`n${index++}`, g.regions[k % g.regions.length]!)
  }
  return regionOf
}

function checkSplit(
  groups: string[][],
  path: PropertyKey[],
  regions: string[],
  regionOf: Map<string, string>,
  issues: Issues,
): void {
  const owner = new Map<string, string>()
  const claim = (node: string, by: string, at: PropertyKey[]) => {
    const earlier = owner.get(node)
    if (earlier !== undefined) issues.add(at, `${by} puts ${node} in a second group (already in by ${earlier})`)
    else owner.set(node, by)
  }
  for (const [gi, group] of groups.entries()) {
    for (const [ni, name] of group.entries()) {
      const at = [...path, 'groups', gi, ni]
      if (regions.includes(name)) {
        for (const [node, r] of regionOf) if (r === name) claim(node, `"${name}"`, at)
      } else if (regionOf.has(name)) {
        claim(name, `"${name}"`, at)
      } else {
        issues.add(at, `"${name}" is neither a region (${regions.join(', ')}) nor a node (n0..n${regionOf.size - 1})`)
      }
    }
  }
  const sides = groups.length + (owner.size < regionOf.size ? 1 : 0)
  if (sides < 2) issues.add([...path, 'groups'], 'the groups cover every node: a split needs at least two sides')
}

function resolveEvents(
  f: ScenarioFile,
  regions: string[],
  regionOf: Map<string, string>,
  issues: Issues,
): ScenarioEvent[] {
  const duration = f.duration_s
  const events = f.events.map((e, i): ScenarioEvent => {
    const path = ['events', i]
    if (e.kind === 'churn') {
      const until_s = checkWindow(issues, path, e.from_s, e.until_s, duration)
      return { ...e, until_s }
    }
    if (e.at_s >= duration)
      issues.add([...path, 'at_s'], `${e.at_s} is not before the end of the run (duration_s = ${duration})`)
    if (e.kind === 'split') checkSplit(e.groups, path, regions, regionOf, issues)
    if (e.kind === 'kill') {
      for (const [j, n] of e.nodes.entries()) {
        if (!regionOf.has(n))
          issues.add([...path, 'nodes', j], `unknown node "${n}"; allowed: n0..n${regionOf.size - 1}`)
      }
    }
    return e
  })
  // Replayed in time order: one split at a time, each heal closing one.
  const order = events.map((e, i) => ({ e, i })).filter(({ e }) => e.kind === 'split' || e.kind === 'heal')
  order.sort((a, b) => (a.e as { at_s: number }).at_s - (b.e as { at_s: number }).at_s || a.i - b.i)
  let open: number | undefined
  for (const { e, i } of order) {
    if (e.kind === 'split') {
      if (open !== undefined)
        issues.add(['events', i], `a split while events[${open}]'s split still holds: heal it first`)
      open = i
    } else {
      if (open === undefined) issues.add(['events', i], 'a heal with no split before it')
      open = undefined
    }
  }
  return events
}

function resolveAttackers(f: ScenarioFile, regions: string[], issues: Issues): AttackerGroup[] {
  const groupsSeen = new Map<string, number>()
  let auto = 0
  const attackers = f.attackers.map((a, i): AttackerGroup => {
    const path = ['attackers', i]
    const region = a.region ?? regions[0]!
    if (!regions.includes(region))
      issues.add([...path, 'region'], `unknown region "${region}"; allowed: one of ${regions.join(', ')}`)
    const until_s = checkWindow(issues, path, a.from_s, a.until_s, f.duration_s)
    const defaultRate = DEFAULT_ATTACK_RATE[a.kind]
    if (defaultRate === null && a.rate !== undefined) issues.add([...path, 'rate'], `${a.kind} has no rate`)
    if (a.ip_group !== undefined) {
      const earlier = groupsSeen.get(a.ip_group)
      if (earlier !== undefined) issues.add([...path, 'ip_group'], `${a.ip_group} is already attackers[${earlier}]'s`)
      groupsSeen.set(a.ip_group, i)
    } else {
      auto += a.count
    }
    return {
      kind: a.kind,
      count: a.count,
      region,
      from_s: a.from_s,
      until_s,
      rate: defaultRate === null ? null : (a.rate ?? defaultRate),
      ...(a.ip_group !== undefined ? { ip_group: a.ip_group } : {}),
    }
  })
  if (auto > AUTO_ATTACKERS_MAX) {
    issues.add(
      ['attackers'],
      `${auto} attackers without an ip_group; allowed: at most ${AUTO_ATTACKERS_MAX} (each takes a 127.<100+k>)`,
    )
  }
  for (const [group, i] of groupsSeen) {
    const a = Number(group.split('.')[1])
    if (a >= 100 && a < 100 + auto) {
      issues.add(
        ['attackers', i, 'ip_group'],
        `${group} collides with 127.${a}.*, given to attackers without an ip_group`,
      )
    }
  }
  return attackers
}

/** The fully defaulted scenario and every cross-key problem (none: the scenario is good). */
export function resolveScenario(
  f: ScenarioFile,
  file: string,
  defaultName: string,
): { scenario: Scenario; issues: ScenarioIssue[] } {
  const issues = new Issues()
  const network = resolveNetwork(f, issues)
  const nodes = resolveNodes(f, network.regions, issues)
  const regionOf = nodeNamesByRegion(nodes)
  const gossipDup = f.gossip.find((g, i) => f.gossip.indexOf(g) !== i)
  if (gossipDup !== undefined) issues.add(['gossip'], `"${gossipDup}" is listed twice`)

  const miners = nodes.some((g) => g.role === 'miner')
  if (f.mining !== undefined && !miners) {
    issues.add(['mining'], 'blocks are wanted but no node group has role = "miner"')
  }
  const mining = miners ? { block_interval_s: f.mining?.block_interval_s ?? 10 } : null

  const load = f.load.map(
    (l, i): Load => ({ ...l, until_s: checkWindow(issues, ['load', i], l.from_s, l.until_s, f.duration_s) }),
  )
  const events = resolveEvents(f, network.regions, regionOf, issues)
  const attackers = resolveAttackers(f, network.regions, issues)
  const nameFallback =
    defaultName
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/^-+/, '')
      .slice(0, 40) || 'scenario'
  const scenario: Scenario = {
    file,
    name: f.name ?? nameFallback,
    duration_s: f.duration_s,
    seed: f.seed,
    gossip: f.gossip,
    network,
    nodes,
    mining,
    load,
    events,
    attackers,
  }
  return { scenario, issues: issues.list }
}
