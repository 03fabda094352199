/**
 * Selection: which known address the node dials next. A draw picks the
 * tried or the new table, then a random bucket and position in it, and
 * takes what it lands on with that entry's chance. It reads the address
 * manager's storage and changes nothing.
 */
import type { Rng } from '../util/rng.js'
import { BUCKET_SIZE } from './addrman-buckets.js'
import { isTerrible, selectionChance } from './addrman-entry.js'
import type { AddrStore } from './addrman-store.js'
import { EMPTY } from './addrman-table.js'
import type { PeerAddress } from './types.js'

/** select() gives up on random draws after this many landings and scans instead. */
const SELECT_LANDINGS_MAX = 1_000

/**
 * Picks an address to dial: tried or new with even odds (new only for
 * feelers), then a random non-empty bucket and a random position in it,
 * taken with its chance (lower after failures and recent tries), the odds
 * rising 1.2× with every refusal. Never a terrible address.
 */
export function selectAddress(
  store: AddrStore,
  newOnly: boolean,
  rng: Rng,
  nowMs: () => number,
): PeerAddress | undefined {
  const { newCount, triedCount } = store
  if (newCount === 0 && (newOnly || triedCount === 0)) return undefined
  const now = nowMs()
  const searchTried = !newOnly && triedCount > 0 && (newCount === 0 || rng.next() < 0.5)
  const table = searchTried ? store.triedTable : store.newTable
  let chanceFactor = 1
  for (let landing = 0; landing < SELECT_LANDINGS_MAX; landing++) {
    const bucket = table.randomBucket(rng)
    if (bucket === undefined) return undefined
    const slot = table.firstFrom(bucket, rng.int(BUCKET_SIZE))
    const entry = store.byId(table.get(slot))
    if (entry !== undefined && !isTerrible(entry, now) && rng.next() < chanceFactor * selectionChance(entry, now)) {
      return { peer: entry.peer, addr: entry.addr }
    }
    chanceFactor *= 1.2
  }
  // every landing refused (nearly everything terrible): the first usable entry, if any
  for (const entry of store.all()) {
    const inTable = searchTried ? entry.triedSlot !== EMPTY : entry.newSlots.length > 0
    if (inTable && !isTerrible(entry, now)) return { peer: entry.peer, addr: entry.addr }
  }
  return undefined
}
