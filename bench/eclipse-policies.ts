/**
 * The victims the eclipse benchmark compares, built per run from its seed:
 * `old`, the old peer book and dialer (a model, eclipse-old-book.ts); `new`,
 * the new manager (the node's AddrMan, OutboundSlots and anchors); and on
 * request `core`, the new manager without the slots' even odds per group
 * (Bitcoin Core's rule), to show what that rule buys.
 */
import { AddrMan } from '../src/peers/addrman.js'
import type { Rng } from '../src/util/rng.js'
import { INTERNET, NewManagerPolicy } from './eclipse-new-manager.js'
import { OldPolicy } from './eclipse-old-book.js'
import type { VictimPolicy } from './eclipse-policy.js'
import type { SimClock } from './eclipse-run.js'

/** Outbound slots of both victims: the new manager's 8 full-relay + 2 block-relay; the old dialer gets as many. */
export const OUTBOUND_SLOTS = 10

export const POLICY_NAMES = ['old', 'new', 'core'] as const
export type PolicyName = (typeof POLICY_NAMES)[number]

export function makePolicy(name: PolicyName): (clock: SimClock, rng: Rng) => VictimPolicy {
  if (name === 'old') return () => new OldPolicy(OUTBOUND_SLOTS)
  return (clock, rng) => {
    const key = Uint8Array.from({ length: 32 }, () => rng.int(256))
    const book = new AddrMan({ key, policy: INTERNET, nowMs: () => clock.nowMs(), rng })
    return new NewManagerPolicy(book, rng, clock, name === 'new')
  }
}
