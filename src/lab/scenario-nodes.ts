/**
 * A scenario's node groups and attacker groups as flat lists of named
 * machines, each with its region and its own loopback address:
 *
 *   n0, n1, …  honest nodes in group order; node i on 127.0.<i+1>.1 (labHost),
 *              alone in its network group 127.0.<i+1>; a group's regions
 *              are assigned round-robin.
 *   a0, a1, …  attackers in group order; the j-th of a group with ip_group
 *              "127.A.B" on 127.A.B.<j+1> (all in one network group), the
 *              k-th without one on 127.<100+k>.0.1 (each its own group).
 *
 * Miners' hash shares are normalised to sum to 1.
 */
import { labHost } from './node-process.js'
import type { AttackKind, Role, Scenario } from './scenario.js'

export interface LabNode {
  name: string
  index: number
  ip: string
  region: string
  role: Role
  /** Share of the network's hash power, 0 for full nodes; the miners' shares sum to 1. */
  hashShare: number
  bandwidthMbit: number
  /** Seconds after the start when it starts (0 for most). */
  joinAtS: number
}

export interface LabAttacker {
  name: string
  index: number
  ip: string
  region: string
  kind: AttackKind
  /** Which [[attackers]] entry it comes from. */
  group: number
  fromS: number
  untilS: number
  rate: number | null
}

export function expandNodes(scenario: Scenario): LabNode[] {
  const nodes: LabNode[] = []
  for (const g of scenario.nodes) {
    for (let k = 0; k < g.count; k++) {
      const index = nodes.length
      nodes.push({
        name: `n${index}`,
        index,
        ip: labHost(index),
        region: g.regions[k % g.regions.length]!,
        role: g.role,
        hashShare: g.hash_share,
        bandwidthMbit: g.bandwidth_mbit,
        joinAtS: g.join_at_s,
      })
    }
  }
  const total = nodes.reduce((sum, n) => sum + n.hashShare, 0)
  if (total > 0) for (const n of nodes) n.hashShare /= total
  return nodes
}

export function expandAttackers(scenario: Scenario): LabAttacker[] {
  const attackers: LabAttacker[] = []
  let auto = 0
  for (const [group, a] of scenario.attackers.entries()) {
    for (let j = 0; j < a.count; j++) {
      const index = attackers.length
      attackers.push({
        name: `a${index}`,
        index,
        ip: a.ip_group !== undefined ? `${a.ip_group}.${j + 1}` : `127.${100 + auto++}.0.1`,
        region: a.region,
        kind: a.kind,
        group,
        fromS: a.from_s,
        untilS: a.until_s,
        rate: a.rate,
      })
    }
  }
  return attackers
}
