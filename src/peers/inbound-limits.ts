/**
 * Whether a new inbound connection may stay. Without these caps one IP with
 * throwaway keys fills every inbound slot in seconds; with them an attacker
 * needs many IPs in many network groups, and even then, when the slots are
 * full, eviction (eviction.ts) drops the newest peer of the biggest group,
 * which is its own.
 *
 * Group caps do not apply to `local` peers of a local cluster (every node of
 * a devnet on one machine shares that group), but in lab mode 127.A.B.C has
 * a real group and is capped like any other address.
 */
import type { GroupPolicy } from './types.js'

export interface InboundLimits {
  /** Inbound connections in total. */
  inboundMax: number
  /** Inbound connections from one IP. */
  perIpMax: number
  /** Inbound connections from one network group. */
  perGroupMax: number
}

export const INBOUND_DEFAULTS: InboundLimits = { inboundMax: 32, perIpMax: 4, perGroupMax: 8 }

export type InboundVerdict = 'accept' | 'evict-then-accept' | 'refuse'

export interface InboundPeer {
  ip: string
  group: string
}

/**
 * `refuse` when the newcomer's IP or group is at its cap; `evict-then-accept`
 * when only the total is full (the caller runs selectPeerToEvict and refuses
 * the newcomer when it finds no one to evict); else `accept`. `current` is
 * every inbound connection but the newcomer's.
 */
export function inboundVerdict(
  current: InboundPeer[],
  newcomer: InboundPeer,
  limits: InboundLimits,
  policy: GroupPolicy,
): InboundVerdict {
  const exempt = policy.localCluster && !policy.lab && newcomer.group === 'local'
  if (!exempt) {
    let sameIp = 0
    let sameGroup = 0
    for (const peer of current) {
      if (peer.ip === newcomer.ip) sameIp++
      if (peer.group === newcomer.group) sameGroup++
    }
    if (sameIp >= limits.perIpMax || sameGroup >= limits.perGroupMax) return 'refuse'
  }
  return current.length >= limits.inboundMax ? 'evict-then-accept' : 'accept'
}
