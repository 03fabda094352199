/**
 * Where a scenario's nodes and attackers live (scenario-nodes.ts names and
 * places them), and each node's links file for the in-node link shaper
 * (src/net/link-file.ts): every node and attacker address with its region,
 * the latency matrix, jitter and bandwidths.
 */
import type { Scenario } from './scenario.js'
import { expandAttackers, expandNodes, type LabAttacker, type LabNode } from './scenario-nodes.js'

export type LayoutNode = LabNode

export interface LayoutAttacker extends LabAttacker {
  /** The subnet its Sybil identities may use (`127.9.9`), or undefined: only `ip`. */
  ipGroup?: string
  bandwidthMbit: number
}

export interface LabLayout {
  scenario: Scenario
  nodes: LayoutNode[]
  attackers: LayoutAttacker[]
}

export function layoutScenario(scenario: Scenario): LabLayout {
  const attackers = expandAttackers(scenario).map((a) => {
    const ipGroup = scenario.attackers[a.group]?.ip_group
    return { ...a, ...(ipGroup ? { ipGroup } : {}), bandwidthMbit: scenario.network.bandwidth_mbit }
  })
  return { scenario, nodes: expandNodes(scenario), attackers }
}

/** The links file (src/net/link-file.ts) of the node at `selfIp`. */
export function linksFileFor(layout: LabLayout, selfIp: string): Record<string, unknown> {
  const { network } = layout.scenario
  const hosts: Record<string, string> = {}
  const bandwidth: Record<string, number> = {}
  for (const n of layout.nodes) {
    hosts[n.ip] = n.region
    bandwidth[n.ip] = n.bandwidthMbit
  }
  for (const a of layout.attackers) {
    hosts[a.ipGroup ? `${a.ipGroup}.0/24` : a.ip] = a.region
  }
  return {
    self: selfIp,
    hosts,
    regions: network.regions,
    latencyMs: network.latency_ms,
    jitterMs: network.jitter_ms,
    bandwidthMbit: bandwidth,
    defaultBandwidthMbit: network.bandwidth_mbit,
    partition: null,
  }
}

/**
 * A split's groups (region names or node names) as the node names of each
 * side: the nodes no group names form one more side. Attackers stay
 * unlisted, so they reach every side.
 */
export function splitSides(layout: LabLayout, groups: readonly (readonly string[])[]): string[][] {
  const named = new Set<string>()
  const sides = groups.map((group) => {
    const members = layout.nodes.filter((n) => group.includes(n.name) || group.includes(n.region))
    for (const n of members) named.add(n.name)
    return members.map((n) => n.name)
  })
  const rest = layout.nodes.filter((n) => !named.has(n.name)).map((n) => n.name)
  return rest.length > 0 ? [...sides, rest] : sides
}
