/**
 * Signature checks started ahead of a block's turn to import. Imports run one
 * at a time, so a block that waits behind another would otherwise have its
 * signatures checked only once its turn comes, leaving the worker pool idle
 * while the block before it is applied. Started here, the check runs on the
 * pool during that time, and the import takes its result.
 *
 * Bounded: a check whose block never comes to import is dropped with the
 * oldest entries (the import then checks again, so dropping costs only time).
 */
import type { Block } from '../ledger/block.js'
import type { Tx } from '../ledger/tx.js'
import { BoundedCache } from '../util/bounded-cache.js'

/** Checks signatures in bulk: -1 when all are valid, else the first bad index. */
export interface SignatureChecker {
  verifyTxs(txs: readonly Tx[]): Promise<number>
}

const PRECHECKS_MAX = 256

export class SignaturePrechecks {
  private readonly running = new BoundedCache<string, Promise<number>>(PRECHECKS_MAX)

  constructor(private readonly signatures: SignatureChecker) {}

  has(blockId: string): boolean {
    return this.running.has(blockId)
  }

  start(block: Block): void {
    if (this.running.has(block.id)) return
    const check = this.signatures.verifyTxs(block.txs)
    // A failure is reported by the import that takes the check, not here.
    check.catch(() => {})
    this.running.set(block.id, check)
  }

  /** The check started for `block`, or one started now. */
  take(block: Block): Promise<number> {
    const started = this.running.get(block.id)
    if (started === undefined) return this.signatures.verifyTxs(block.txs)
    this.running.delete(block.id)
    return started
  }
}
