/**
 * The address manager as the outbound slots see it: the same book, except
 * that select() and selectTriedCollision() hand out only addresses the peer
 * manager may dial now. The peer manager (peer-manager.ts) passes its own
 * test of that (never itself, a malformed peer id, a peer it holds or is
 * dialing, a group it holds, a refused peer or address, an address backing
 * off); draws that fail it are skipped here.
 */
import type { AddrMan } from '../peers/addrman.js'
import type { OutboundSlotsDeps } from '../peers/outbound-slots.js'
import type { PeerAddress } from '../peers/types.js'

/**
 * Draws from the address manager per select() before we give up on finding
 * one that fits (Bitcoin Core: 100). The slots' own rules (no connected
 * peer, no held group) are applied here already, so the slots take the
 * first address offered and a tick costs at most this many draws per slot.
 */
const SELECT_FILTER_TRIES = 100

/** The address manager as the slots see it: only addresses we may dial now come out of select(). */
export function dialableBook(addrman: AddrMan, dialable: (addr: PeerAddress) => boolean): OutboundSlotsDeps['book'] {
  const pick = (draw: () => PeerAddress | undefined, tries: number): PeerAddress | undefined => {
    for (let i = 0; i < tries; i++) {
      const addr = draw()
      if (addr === undefined) return undefined
      if (dialable(addr)) return addr
    }
    return undefined
  }
  return {
    add: (addrs, origin, sourceIp) => addrman.add(addrs, origin, sourceIp),
    attempt: (addr) => addrman.attempt(addr),
    good: (addr) => addrman.good(addr),
    select: (newOnly) => pick(() => addrman.select(newOnly), SELECT_FILTER_TRIES),
    selectTriedCollision: () => pick(() => addrman.selectTriedCollision(), 1),
    addressesOf: (peer) => addrman.addressesOf(peer),
    // the per-group counts that give every group an even chance (recounted hourly by the slots)
    stats: () => addrman.stats(),
  }
}
