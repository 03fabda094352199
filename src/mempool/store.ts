/**
 * The mempool's indices, kept consistent with each other: txs by id (in
 * arrival order, which expiry walks), senders' nonce queues, the eviction
 * heap over every tx, the future heap over future txs, and the byte total.
 * No rules live here: mempool.ts decides, the store records.
 */
import type { Account } from '../ledger/state.js'
import { evictsBefore, type PoolEntry } from './entry.js'
import { IndexedHeap } from './heap.js'
import { SenderQueue } from './sender-queue.js'

export class PoolStore {
  /** By id, in arrival order. */
  private readonly byId = new Map<string, PoolEntry>()
  private readonly senders = new Map<string, SenderQueue>()
  /** Every entry, lowest fee rate on top. */
  readonly evictHeap = new IndexedHeap<PoolEntry>(evictsBefore, {
    get: (e) => e.evictAt,
    set: (e, i) => {
      e.evictAt = i
    },
  })
  /** Future entries only, lowest fee rate on top. */
  readonly futureHeap = new IndexedHeap<PoolEntry>(evictsBefore, {
    get: (e) => e.futureAt,
    set: (e, i) => {
      e.futureAt = i
    },
  })
  private bytesTotal = 0

  constructor(private readonly perSenderMax: number) {}

  get count(): number {
    return this.byId.size
  }

  get bytes(): number {
    return this.bytesTotal
  }

  get futureCount(): number {
    return this.futureHeap.size
  }

  get(id: string): PoolEntry | undefined {
    return this.byId.get(id)
  }

  has(id: string): boolean {
    return this.byId.has(id)
  }

  /** Oldest first (entries are appended on admission). */
  entries(): IterableIterator<PoolEntry> {
    return this.byId.values()
  }

  queue(senderHex: string): SenderQueue | undefined {
    return this.senders.get(senderHex)
  }

  queues(): IterableIterator<SenderQueue> {
    return this.senders.values()
  }

  /**
   * Adds `entry` to its sender's queue (created with `account` if the sender
   * has none) and to the indices, as future until `settle` says otherwise.
   */
  insert(entry: PoolEntry, account: Account): SenderQueue {
    if (this.byId.has(entry.id)) throw new Error(`tx ${entry.id} is already in the pool`)
    let queue = this.senders.get(entry.senderHex)
    if (!queue) {
      queue = new SenderQueue(entry.tx.sender, entry.senderHex, account)
      this.senders.set(entry.senderHex, queue)
    }
    queue.insert(entry)
    this.byId.set(entry.id, entry)
    this.bytesTotal += entry.sizeBytes
    this.evictHeap.push(entry)
    this.sync(entry)
    return queue
  }

  /** Removes one entry; later nonces of its sender that were ready become future. */
  drop(entry: PoolEntry): void {
    const queue = this.senders.get(entry.senderHex)
    if (queue) {
      for (const demoted of queue.remove(entry)) this.sync(demoted)
      if (queue.size === 0) this.senders.delete(entry.senderHex)
    }
    this.unindex(entry)
  }

  /**
   * Removes `entry` and every later nonce of its sender: those could not be
   * mined before the dropped nonce is sent again. Returns what was removed.
   */
  dropWithTail(entry: PoolEntry): PoolEntry[] {
    const queue = this.senders.get(entry.senderHex)
    const tail = queue ? queue.tailFrom(entry.nonce) : [entry]
    // Highest nonce first, so nothing is demoted on the way.
    for (let i = tail.length - 1; i >= 0; i--) this.drop(tail[i] as PoolEntry)
    return tail
  }

  /** Every entry of `entry`'s sender from its nonce up (what dropWithTail would remove). */
  tailOf(entry: PoolEntry): PoolEntry[] {
    return this.senders.get(entry.senderHex)?.tailFrom(entry.nonce) ?? [entry]
  }

  /**
   * Re-checks `queue` against its account (see SenderQueue.normalize), drops
   * what no longer qualifies and brings the future heap up to date.
   */
  settle(queue: SenderQueue): PoolEntry[] {
    // Every other status change is synced where it happens (insert, drop), so only normalize's need syncing.
    const { dropped, changed } = queue.normalize(this.perSenderMax)
    for (const entry of dropped) this.unindex(entry)
    for (const entry of changed) this.sync(entry)
    if (queue.size === 0 && this.senders.get(queue.addressHex) === queue) this.senders.delete(queue.addressHex)
    return dropped
  }

  private unindex(entry: PoolEntry): void {
    if (this.byId.get(entry.id) !== entry) return
    this.byId.delete(entry.id)
    this.bytesTotal -= entry.sizeBytes
    this.evictHeap.remove(entry)
    this.futureHeap.remove(entry)
  }

  /** Puts `entry` in the future heap exactly when its status is future. */
  private sync(entry: PoolEntry): void {
    const inFuture = entry.futureAt >= 0
    if (entry.status === 'future' && !inFuture) this.futureHeap.push(entry)
    else if (entry.status === 'ready' && inFuture) this.futureHeap.remove(entry)
  }
}
