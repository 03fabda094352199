/**
 * Which inbound peer to drop when every inbound slot is taken and a new one
 * knocks, modelled on Bitcoin Core's SelectNodeToEvict (node/eviction.cpp).
 *
 * An attacker can open as many connections as it has IPs, but it cannot
 * cheaply be close to us, be useful to us, have been here long, or guess our
 * secret. So before anyone is picked, peers that score well on any of those
 * are set aside, in this order:
 *
 * 1. 4 peers of the 4 distinct network groups whose keyed hash (HMAC of our
 *    secret) is highest: the attacker cannot know which groups we favour.
 *    (Bitcoin sorts peers by that hash, so several peers of one group may
 *    take all 4 places; one per group spreads the protection.)
 * 2. 8 by lowest minimum ping (peers never pinged are not protected by ping);
 * 3. 4 by the most recent useful transaction they sent us;
 * 4. 4 by the most recent useful block they sent us;
 * 5. half of the rest by longest uptime.
 *
 * From what is left, the group with the most connections loses its youngest
 * peer (tie between groups: the one holding the youngest connection), so a
 * flood from one group evicts itself before anyone else. Ties inside a rule
 * go to the older connection, then to the id, so the choice is a pure
 * function of the candidates and the key.
 */
import { createHmac } from 'node:crypto'

export interface EvictionCandidate {
  id: string
  /** Network group of the connection's remote address (net-group.ts). */
  group: string
  connectedAtMs: number
  minPingMs?: number
  /** When the peer last sent us a tx we accepted into the mempool. */
  lastTxMs?: number
  /** When the peer last sent us a block that extended our chain. */
  lastBlockMs?: number
}

export const PROTECT_BY_GROUP = 4
export const PROTECT_BY_PING = 8
export const PROTECT_BY_TX = 4
export const PROTECT_BY_BLOCK = 4

/** Older first, then by id: the order every tie falls back to. */
function olderFirst(a: EvictionCandidate, b: EvictionCandidate): number {
  return a.connectedAtMs - b.connectedAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** The keyed hash of a group, as hex (compares like the number it spells). */
export function keyedGroupHash(group: string, key: Uint8Array): string {
  return createHmac('sha256', key).update('peerchain eviction group\0').update(group).digest('hex')
}

/** Removes from `left` and returns the `count` best by `better` (negative: a is better), among those `eligible`. */
function protect(
  left: EvictionCandidate[],
  count: number,
  eligible: (c: EvictionCandidate) => boolean,
  better: (a: EvictionCandidate, b: EvictionCandidate) => number,
): EvictionCandidate[] {
  const kept = new Set(
    left
      .filter(eligible)
      .sort((a, b) => better(a, b) || olderFirst(a, b))
      .slice(0, count),
  )
  return left.filter((c) => !kept.has(c))
}

/** One peer (the oldest) of each of the `count` groups with the highest keyed hash is set aside. */
function protectByGroup(left: EvictionCandidate[], key: Uint8Array): EvictionCandidate[] {
  const oldestOfGroup = new Map<string, EvictionCandidate>()
  for (const c of [...left].sort(olderFirst)) if (!oldestOfGroup.has(c.group)) oldestOfGroup.set(c.group, c)
  const ranked = [...oldestOfGroup.entries()]
    .map(([group, c]) => ({ hash: keyedGroupHash(group, key), c }))
    .sort((a, b) => (a.hash < b.hash ? 1 : a.hash > b.hash ? -1 : 0))
  const kept = new Set(ranked.slice(0, PROTECT_BY_GROUP).map((r) => r.c))
  return left.filter((c) => !kept.has(c))
}

/**
 * The id of the inbound peer to disconnect so a newcomer can take its slot,
 * or undefined when every candidate is protected (then the newcomer is refused).
 */
export function selectPeerToEvict(candidates: EvictionCandidate[], key: Uint8Array): string | undefined {
  let left = protectByGroup(candidates, key)
  left = protect(
    left,
    PROTECT_BY_PING,
    (c) => c.minPingMs !== undefined,
    (a, b) => (a.minPingMs as number) - (b.minPingMs as number),
  )
  left = protect(
    left,
    PROTECT_BY_TX,
    (c) => c.lastTxMs !== undefined,
    (a, b) => (b.lastTxMs as number) - (a.lastTxMs as number),
  )
  left = protect(
    left,
    PROTECT_BY_BLOCK,
    (c) => c.lastBlockMs !== undefined,
    (a, b) => (b.lastBlockMs as number) - (a.lastBlockMs as number),
  )
  left = protect(
    left,
    Math.floor(left.length / 2),
    () => true,
    () => 0,
  )
  if (left.length === 0) return undefined

  const byGroup = new Map<string, EvictionCandidate[]>()
  for (const c of left) {
    const members = byGroup.get(c.group)
    if (members === undefined) byGroup.set(c.group, [c])
    else members.push(c)
  }
  let biggest: { size: number; youngest: EvictionCandidate } | undefined
  for (const members of byGroup.values()) {
    const youngest = members.sort(olderFirst)[members.length - 1] as EvictionCandidate
    if (
      biggest === undefined ||
      members.length > biggest.size ||
      (members.length === biggest.size && olderFirst(youngest, biggest.youngest) > 0)
    )
      biggest = { size: members.length, youngest }
  }
  return biggest?.youngest.id
}
