/**
 * What the node needs of a signature checker: bulk checks for block bodies,
 * single checks for mempool admission, and a cache between them. The worker
 * pool (pool.ts) is the production one; the simulator passes its own.
 */
import type { Tx } from '../tx.js'

export interface TxSignatureChecker {
  /** -1 when every signature is valid, else the index of the first tx whose signature is not. */
  verifyTxs(txs: readonly Tx[]): Promise<number>
  /** Checks one tx now, on this thread; throws VerifyError TX_BAD_SIGNATURE. A valid one is remembered. */
  checkTx(tx: Tx): void
  /**
   * Checks one tx off the event loop where the checker can (the worker pool
   * does; mempool admission uses this); rejects with VerifyError
   * TX_BAD_SIGNATURE. A valid one is remembered.
   */
  verifyTx(tx: Tx): Promise<void>
  /** Records that `tx`'s signature is valid (the caller verified it), so `verifyTxs` skips it. */
  markVerified(tx: Tx): void
  close(): Promise<void>
}
