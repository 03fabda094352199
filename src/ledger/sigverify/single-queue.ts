/**
 * Single-tx signature checks (gossip and API admissions) sent to the worker
 * pool, batched by load rather than by a timer: a check that finds a worker
 * free goes at once, alone; checks that arrive while every worker is busy
 * wait and leave together in the next job. A quiet node pays one round trip
 * per tx, a flooded one amortizes it over up to `batchTxsMax` txs, and the
 * event loop never runs Ed25519 itself.
 *
 * A worker answers a batch with its first invalid index: the txs before it
 * are valid, that one is not, and the ones after it were not looked at, so
 * they go back to the head of the queue. Every tx is verified once.
 */
import type { Tx } from '../tx.js'

/** Verifies `txs` in one job: -1 when all are valid, else the first invalid index. */
export type VerifyBatch = (txs: readonly Tx[]) => Promise<number>

interface Waiting {
  tx: Tx
  resolve(valid: boolean): void
  reject(err: Error): void
}

export class SingleTxQueue {
  private waiting: Waiting[] = []
  private jobsInFlight = 0

  constructor(
    private readonly verifyBatch: VerifyBatch,
    private readonly jobsMax: number,
    private readonly batchTxsMax: number,
  ) {
    if (!Number.isInteger(jobsMax) || jobsMax < 1) throw new RangeError('jobsMax must be an integer >= 1')
    if (!Number.isInteger(batchTxsMax) || batchTxsMax < 1) throw new RangeError('batchTxsMax must be an integer >= 1')
  }

  /** Txs waiting for a job (not those in one). */
  get waitingCount(): number {
    return this.waiting.length
  }

  /** Resolves true when `tx`'s signature is valid; rejects only on our failure (a worker crash). */
  verify(tx: Tx): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ tx, resolve, reject })
      this.pump()
    })
  }

  private pump(): void {
    while (this.jobsInFlight < this.jobsMax && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.batchTxsMax)
      this.jobsInFlight++
      this.verifyBatch(batch.map((w) => w.tx))
        .then(
          (firstInvalid) => {
            const validCount = firstInvalid < 0 ? batch.length : firstInvalid
            for (let i = 0; i < validCount; i++) batch[i]!.resolve(true)
            if (firstInvalid < 0) return
            batch[firstInvalid]!.resolve(false)
            this.waiting.unshift(...batch.slice(firstInvalid + 1))
          },
          (err: unknown) => {
            const error = err instanceof Error ? err : new Error(String(err))
            for (const w of batch) w.reject(error)
          },
        )
        .finally(() => {
          this.jobsInFlight--
          this.pump()
        })
    }
  }
}
