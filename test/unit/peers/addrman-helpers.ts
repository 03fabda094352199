/** Shared set-up of the address manager tests: keys, clocks, address makers. */
import { createHash } from 'node:crypto'
import { AddrMan } from '../../../src/peers/addrman.js'
import type { GroupPolicy, PeerAddress } from '../../../src/peers/types.js'
import { ManualClock } from '../../../src/util/clock.js'
import { seededRng } from '../../../src/util/rng.js'

export const INTERNET: GroupPolicy = { lab: false, localCluster: false }
/** A plausible wall-clock start, so "never" (0) is far in the past. */
export const T0 = 1_760_000_000_000
export const HOUR = 3_600_000

/** A 32-byte key derived from a label: tests name their keys. */
export function keyOf(label: string): Uint8Array {
  return Uint8Array.from(createHash('sha256').update(label).digest())
}

export function newAddrMan(label = 'key-a', seed = 1, policy: GroupPolicy = INTERNET) {
  const clock = new ManualClock(T0)
  const addrman = new AddrMan({ key: keyOf(label), policy, nowMs: () => clock.nowMs(), rng: seededRng(seed) })
  return { addrman, clock }
}

/** The address of IPv4 a.b.c.d (port 9000 unless given), owned by a peer id derived from it. */
export function v4(a: number, b: number, c: number, d: number, port = 9000): PeerAddress {
  return { peer: `peer${a}x${b}x${c}x${d}x${port}`, addr: `/ip4/${a}.${b}.${c}.${d}/tcp/${port}` }
}
