/**
 * Making room for an incoming tx when the pool is at a cap.
 *
 * Victims are taken lowest fee rate first (fee per encoded byte), from the
 * future heap while futures are over `futureMax`, then from the eviction heap
 * while the count or bytes are over their caps. A victim goes together with
 * every later nonce of its sender: those could not be mined before the victim's
 * nonce is sent again, and keeping them would let a sender pin pool space with
 * txs no block can include. The incoming tx must pay a strictly higher fee
 * rate than each victim, and must not itself depend on one (a victim of its own
 * sender with a lower nonce); otherwise the admission fails with MEMPOOL_FULL
 * and nothing is evicted.
 *
 * Planning only walks the heaps (IndexedHeap.ordered), so a refusal changes
 * nothing; the caller drops the planned victims when it commits.
 */
import { VerifyError } from '../ledger/errors.js'
import { compareFeeRate, type PoolEntry } from './entry.js'
import type { PoolStore } from './store.js'

export interface RoomCaps {
  countMax: number
  bytesMax: number
  futureMax: number
}

export interface RoomRequest {
  incoming: PoolEntry
  /** The tx `incoming` replaces (same sender and nonce), which frees its room. */
  replaced: PoolEntry | undefined
  /** Whether `incoming` will take a new future slot. */
  takesFutureSlot: boolean
}

/** The entries to drop so `incoming` fits under `caps`; throws MEMPOOL_FULL when it cannot outbid them. */
export function planRoom(store: PoolStore, caps: RoomCaps, req: RoomRequest): PoolEntry[] {
  const { incoming, replaced } = req
  let count = store.count + 1 - (replaced ? 1 : 0)
  let bytes = store.bytes + incoming.sizeBytes - (replaced?.sizeBytes ?? 0)
  let futures = store.futureCount + (req.takesFutureSlot ? 1 : 0)
  if (incoming.sizeBytes > caps.bytesMax) {
    throw new VerifyError('MEMPOOL_FULL', `tx of ${incoming.sizeBytes} bytes exceeds the pool's ${caps.bytesMax}`)
  }

  const planned = new Set<PoolEntry>()
  const victims: PoolEntry[] = []
  const take = (victim: PoolEntry): void => {
    if (victim.senderHex === incoming.senderHex && victim.nonce < incoming.nonce) {
      throw new VerifyError('MEMPOOL_FULL', `pool is full and tx ${incoming.id} depends on its lowest-paying tx`)
    }
    if (compareFeeRate(incoming, victim) <= 0) {
      throw new VerifyError('MEMPOOL_FULL', `pool is full and tx ${incoming.id} does not outbid its lowest fee rate`)
    }
    for (const entry of store.tailOf(victim)) {
      if (planned.has(entry) || entry === replaced) continue
      planned.add(entry)
      victims.push(entry)
      count--
      bytes -= entry.sizeBytes
      if (entry.status === 'future') futures--
    }
  }
  const skip = (entry: PoolEntry): boolean => planned.has(entry) || entry === replaced

  if (req.takesFutureSlot && futures > caps.futureMax) {
    for (const victim of store.futureHeap.ordered()) {
      if (futures <= caps.futureMax) break
      if (!skip(victim)) take(victim)
    }
  }
  if (count > caps.countMax || bytes > caps.bytesMax) {
    for (const victim of store.evictHeap.ordered()) {
      if (count <= caps.countMax && bytes <= caps.bytesMax) break
      if (!skip(victim)) take(victim)
    }
  }
  if (count > caps.countMax || bytes > caps.bytesMax || (req.takesFutureSlot && futures > caps.futureMax)) {
    throw new VerifyError('MEMPOOL_FULL', `no room for tx ${incoming.id}`)
  }
  return victims
}
