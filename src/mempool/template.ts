/**
 * Block template selection, like geth's price-and-nonce heap: each sender
 * offers only its lowest ready nonce; the heap yields the offer with the best
 * fee rate, and once taken the sender offers its next nonce. A tx that does
 * not fit the remaining bytes retires its sender (its later nonces depend on
 * it); the search goes on with the others. O(k log s) for k txs from s senders.
 */
import type { Tx } from '../ledger/tx.js'
import { minesBefore, type PoolEntry } from './entry.js'
import { IndexedHeap } from './heap.js'

export interface TemplateLimits {
  /** Most txs to pick. */
  txsMax: number
  /** Most encoded tx bytes to pick (the caller leaves room for the header and framing). */
  bytesMax: number
}

interface Cursor {
  run: readonly PoolEntry[]
  at: number
}

/** Picks txs from each sender's ready run (ascending nonces), best fee rate first, nonce order kept. */
export function selectTemplate(readyRuns: Iterable<readonly PoolEntry[]>, limits: TemplateLimits): Tx[] {
  const heap = new IndexedHeap<Cursor>((a, b) => minesBefore(a.run[a.at] as PoolEntry, b.run[b.at] as PoolEntry))
  for (const run of readyRuns) if (run.length > 0) heap.push({ run, at: 0 })
  const picked: Tx[] = []
  let bytesLeft = limits.bytesMax
  while (picked.length < limits.txsMax) {
    const cursor = heap.pop()
    if (!cursor) break
    const entry = cursor.run[cursor.at] as PoolEntry
    if (entry.sizeBytes > bytesLeft) continue
    picked.push(entry.tx)
    bytesLeft -= entry.sizeBytes
    cursor.at++
    if (cursor.at < cursor.run.length) heap.push(cursor)
  }
  return picked
}
