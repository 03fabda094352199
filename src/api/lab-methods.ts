/**
 * The network lab's admin methods, added to the method table only on a node
 * started with `--lab-links` (lab mode). `lab_` methods need the API token
 * like the other network-admin methods (method-classes.ts).
 */
import { isIP } from 'node:net'
import type { MethodTable, RpcHandler } from './methods.js'
import { type Check, CheckFailed } from './params.js'

/** What the lab methods steer: the node's link shaper. */
export interface LabControl {
  /** Sets (null: heals) the partition; resolves with the connections it cut. */
  partition(groups: string[][] | null): Promise<{ closed: number }>
}

export const PARTITION_GROUPS_MAX = 64
export const PARTITION_IPS_MAX = 10_000
const GROUPS_EXPECTED = `null (heal), or a list of at most ${PARTITION_GROUPS_MAX} groups, each a list of IP addresses, no IP in two groups (${PARTITION_IPS_MAX} IPs at most)`

const partitionGroups: Check<string[][] | null> = (value) => {
  if (value === null) return null
  if (!Array.isArray(value) || value.length > PARTITION_GROUPS_MAX) throw new CheckFailed(GROUPS_EXPECTED)
  const seen = new Set<string>()
  return value.map((group) => {
    if (!Array.isArray(group)) throw new CheckFailed(GROUPS_EXPECTED)
    return group.map((ip) => {
      if (typeof ip !== 'string' || isIP(ip) === 0)
        throw new CheckFailed(GROUPS_EXPECTED, `${JSON.stringify(ip)} is not an IP address`)
      if (seen.has(ip)) throw new CheckFailed(GROUPS_EXPECTED, `${ip} is in two groups`)
      seen.add(ip)
      if (seen.size > PARTITION_IPS_MAX) throw new CheckFailed(GROUPS_EXPECTED)
      return ip
    })
  })
}

/** `methods` plus `lab_partition` over `lab`. */
export function withLabMethods(methods: MethodTable, lab: LabControl): MethodTable {
  const partition: RpcHandler = (p) => {
    const groups = p.required('groups', partitionGroups)
    p.end()
    return lab.partition(groups)
  }
  return new Map([...methods, ['lab_partition', partition]])
}
