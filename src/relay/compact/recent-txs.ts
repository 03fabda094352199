/**
 * The txs a block may hold that the mempool does not (bitcoin #9499's extra
 * pool for compact blocks): txs the mempool evicted, replaced or dropped, and
 * gossiped txs it refused for a reason a block can still have them (a nonce
 * gap, a balance that only the block's earlier txs fund). Bounded by count and
 * bytes; the oldest go first.
 */
import type { Tx } from '../../ledger/tx.js'

/** Most txs kept (Bitcoin keeps 100; our blocks hold more, smaller txs). */
export const RECENT_TXS_MAX = 2048
/** Most bytes of txs kept. */
export const RECENT_TXS_BYTES_MAX = 4 * 1024 * 1024

export class RecentTxs {
  /** Insertion order is age order: the first entry is the oldest. */
  private readonly txs = new Map<string, Tx>()
  private bytesHeld = 0

  constructor(
    private readonly countMax = RECENT_TXS_MAX,
    private readonly bytesMax = RECENT_TXS_BYTES_MAX,
  ) {}

  get size(): number {
    return this.txs.size
  }

  get bytes(): number {
    return this.bytesHeld
  }

  add(tx: Tx): void {
    if (this.txs.has(tx.id) || tx.bytes.byteLength > this.bytesMax) return
    this.txs.set(tx.id, tx)
    this.bytesHeld += tx.bytes.byteLength
    while (this.txs.size > this.countMax || this.bytesHeld > this.bytesMax) {
      const [id, oldest] = this.txs.entries().next().value as [string, Tx]
      this.txs.delete(id)
      this.bytesHeld -= oldest.bytes.byteLength
    }
  }

  values(): IterableIterator<Tx> {
    return this.txs.values()
  }
}
