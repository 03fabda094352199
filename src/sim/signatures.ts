/**
 * The simulator's signature checker: real Ed25519 checks, on the calling
 * thread (the worker pool's timing would make runs differ), remembered
 * across every simulated node. A signature's validity is a pure function of
 * the tx's bytes, so one node's answer is every node's: sharing it saves the
 * 1,000-fold repeat of the same check without skipping a rule. Every node
 * still runs every other check itself.
 */
import { VerifyError } from '../ledger/errors.js'
import { checkTxSignature } from '../ledger/rules/tx.js'
import type { TxSignatureChecker } from '../ledger/sigverify/checker.js'
import type { Tx } from '../ledger/tx.js'

/** Verdicts by tx id, shared by all nodes of one run. */
export class SharedSignatureMemo {
  private readonly verdicts = new Map<string, boolean>()
  checks = 0

  isValid(tx: Tx): boolean {
    const known = this.verdicts.get(tx.id)
    if (known !== undefined) return known
    this.checks++
    let valid = true
    try {
      checkTxSignature(tx)
    } catch (err) {
      if (!(err instanceof VerifyError)) throw err
      valid = false
    }
    this.verdicts.set(tx.id, valid)
    return valid
  }
}

export class SimSignatures implements TxSignatureChecker {
  constructor(private readonly memo: SharedSignatureMemo) {}

  async verifyTxs(txs: readonly Tx[]): Promise<number> {
    return txs.findIndex((tx) => !this.memo.isValid(tx))
  }

  checkTx(tx: Tx): void {
    if (!this.memo.isValid(tx)) throw new VerifyError('TX_BAD_SIGNATURE', `signature of tx ${tx.id} does not verify`)
  }

  async verifyTx(tx: Tx): Promise<void> {
    this.checkTx(tx)
  }

  markVerified(): void {}

  async close(): Promise<void> {}
}
