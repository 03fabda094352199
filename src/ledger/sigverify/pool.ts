/**
 * Bulk Ed25519 verification of transaction signatures. Small batches (a
 * gossiped tx, a block of a few txs) are verified inline: a worker round trip
 * costs more than a few verifies. Large ones (a block's body) are split into
 * one chunk per worker thread; each chunk travels as one transferred buffer
 * (batch.ts) and each worker keeps its own KeyObject cache (worker-source.ts).
 *
 * Workers start on first use and stay (a persistent pool); an idle pool never
 * keeps the process alive. A worker crash is our bug: the call rejects with a
 * plain Error (never a VerifyError, so no peer is charged for it), and the
 * next call starts a fresh worker.
 *
 * The signature cache (sigcache.ts) is written only by `markVerified`, as
 * Bitcoin Core's mempool writes its sigcache and block validation only reads it.
 */
import { availableParallelism } from 'node:os'
import { verify } from '../crypto.js'
import { VerifyError } from '../errors.js'
import { PUBKEY_BYTES, SIGNATURE_BYTES } from '../limits.js'
import { checkTxSignature } from '../rules/tx.js'
import type { Tx } from '../tx.js'
import { packBatch, type SignedMessage } from './batch.js'
import type { TxSignatureChecker } from './checker.js'
import { SigCache } from './sigcache.js'
import { SingleTxQueue } from './single-queue.js'
import { VerifyWorker } from './verify-worker.js'
import { WORKER_SOURCE } from './worker-source.js'

export interface SignatureVerifierInit {
  /** Worker threads for large batches (default: os.availableParallelism()). */
  threads?: number
  /** Tx ids the signature cache holds (default 100,000; 0 turns it off). */
  cacheSize?: number
  /** Batches of at most this many txs to verify are verified on the calling thread (default 15). */
  inlineTxsMax?: number
  /** The worker program; tests replace it to crash a worker. */
  workerSource?: string
}

export const DEFAULT_SIG_CACHE_SIZE = 100_000
export const DEFAULT_INLINE_TXS_MAX = 15
/** Single-tx checks (verifyTx) sent to the workers in one job, at most. */
export const SINGLE_TX_BATCH_MAX = 256
/** Single-tx jobs in flight per worker thread: two keep a thread busy while the next job crosses over. */
const SINGLE_TX_JOBS_PER_THREAD = 2

export class SignatureVerifier implements TxSignatureChecker {
  readonly threads: number
  private readonly inlineTxsMax: number
  private readonly workerSource: string
  private readonly cache: SigCache
  private readonly workers: Array<VerifyWorker | undefined>
  private nextWorker = 0
  private closed = false
  private readonly singles: SingleTxQueue

  constructor(init: SignatureVerifierInit = {}) {
    this.threads = init.threads ?? availableParallelism()
    if (!Number.isInteger(this.threads) || this.threads < 1) throw new RangeError('threads must be an integer >= 1')
    this.inlineTxsMax = init.inlineTxsMax ?? DEFAULT_INLINE_TXS_MAX
    if (this.inlineTxsMax < 0 || Number.isNaN(this.inlineTxsMax)) throw new RangeError('inlineTxsMax must be >= 0')
    this.cache = new SigCache(init.cacheSize ?? DEFAULT_SIG_CACHE_SIZE)
    this.workerSource = init.workerSource ?? WORKER_SOURCE
    this.workers = new Array(this.threads).fill(undefined)
    this.singles = new SingleTxQueue(
      (txs) => this.verifyOnWorker(txs),
      this.threads * SINGLE_TX_JOBS_PER_THREAD,
      SINGLE_TX_BATCH_MAX,
    )
  }

  /** Worker threads running now (they start on first use). */
  get workersAlive(): number {
    return this.workers.filter((w) => w?.alive).length
  }

  /** Records that `tx`'s signature is valid (the caller verified it), so `verifyTxs` skips it. */
  markVerified(tx: Tx): void {
    this.cache.add(tx.id)
  }

  /** Checks one tx's signature on this thread (mempool admission); a valid one is cached for its block. */
  checkTx(tx: Tx): void {
    checkTxSignature(tx)
    this.markVerified(tx)
  }

  /**
   * Checks one tx on a worker thread (gossip and API admissions), batched with
   * the others waiting (single-queue.ts); a valid one is cached for its block.
   * Throws VerifyError TX_BAD_SIGNATURE; a plain Error on our own failure.
   */
  async verifyTx(tx: Tx): Promise<void> {
    if (this.closed) throw new Error('signature verifier is closed')
    if (this.cache.has(tx.id)) return
    const { senderPubKey, signature } = tx.fields
    const wellFormed = senderPubKey.byteLength === PUBKEY_BYTES && signature.byteLength === SIGNATURE_BYTES
    if (!wellFormed || !(await this.singles.verify(tx))) {
      throw new VerifyError('TX_BAD_SIGNATURE', `signature of tx ${tx.id} does not verify`)
    }
    this.markVerified(tx)
  }

  isVerified(tx: Tx): boolean {
    return this.cache.has(tx.id)
  }

  /**
   * -1 when every signature is valid, else the index of the first tx whose
   * signature is not (for `BlockTxError(i, TX_BAD_SIGNATURE)`). Txs in the
   * signature cache are not verified again. Rejects with an Error only on our
   * own failure (a worker crash, a closed verifier).
   */
  async verifyTxs(txs: readonly Tx[]): Promise<number> {
    if (this.closed) throw new Error('signature verifier is closed')
    // A key or signature of the wrong length is invalid without OpenSSL; nothing
    // after the first invalid tx matters, so only the txs before it are verified.
    let cutoff = -1
    const todo: number[] = []
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!
      if (tx.fields.senderPubKey.byteLength !== PUBKEY_BYTES || tx.fields.signature.byteLength !== SIGNATURE_BYTES) {
        cutoff = i
        break
      }
      if (!this.cache.has(tx.id)) todo.push(i)
    }
    if (todo.length === 0) return cutoff
    const firstInvalid =
      todo.length <= this.inlineTxsMax ? verifyInline(txs, todo) : await this.verifyInWorkers(txs, todo)
    return firstInvalid >= 0 ? firstInvalid : cutoff
  }

  /** Terminates the workers; calls in flight reject and later calls throw. */
  async close(): Promise<void> {
    this.closed = true
    const running = this.workers.filter((w): w is VerifyWorker => w !== undefined)
    this.workers.fill(undefined)
    await Promise.all(running.map((w) => w.terminate()))
  }

  private verifyInWorkers(txs: readonly Tx[], todo: readonly number[]): Promise<number> {
    const chunkCount = Math.min(this.threads, todo.length)
    const chunkSize = Math.ceil(todo.length / chunkCount)
    const replies: Array<Promise<number>> = []
    for (let c = 0; c < chunkCount; c++) {
      const chunk = todo.slice(c * chunkSize, (c + 1) * chunkSize)
      const items: SignedMessage[] = chunk.map((i) => {
        const tx = txs[i]!
        return { publicKey: tx.fields.senderPubKey, signature: tx.fields.signature, message: tx.signingBytes }
      })
      replies.push(this.worker().verify(packBatch(items), items.length))
    }
    // Chunks are in tx order, so the answer is known as soon as every chunk
    // before the first failing one has passed: later chunks need not be awaited.
    return new Promise((resolve, reject) => {
      const results: Array<number | undefined> = new Array(chunkCount).fill(undefined)
      let settled = false
      const settleIfKnown = (): void => {
        for (let c = 0; c < chunkCount; c++) {
          const r = results[c]
          if (r === undefined) return
          if (r >= 0) {
            settled = true
            resolve(todo[c * chunkSize + r]!)
            return
          }
        }
        settled = true
        resolve(-1)
      }
      replies.forEach((reply, c) => {
        reply.then(
          (r) => {
            if (settled) return
            results[c] = r
            settleIfKnown()
          },
          (err: Error) => {
            if (settled) return
            settled = true
            reject(err)
          },
        )
      })
    })
  }

  /** One job of well-formed txs on the next worker, whatever their number. */
  private verifyOnWorker(txs: readonly Tx[]): Promise<number> {
    if (this.closed) return Promise.reject(new Error('signature verifier is closed'))
    const items: SignedMessage[] = txs.map((tx) => ({
      publicKey: tx.fields.senderPubKey,
      signature: tx.fields.signature,
      message: tx.signingBytes,
    }))
    return this.worker().verify(packBatch(items), items.length)
  }

  /** The next worker in turn, started (or restarted after a crash) on demand. */
  private worker(): VerifyWorker {
    const slot = this.nextWorker
    this.nextWorker = (slot + 1) % this.threads
    let w = this.workers[slot]
    if (w === undefined || !w.alive) {
      w = new VerifyWorker(this.workerSource, (dead) => {
        if (this.workers[slot] === dead) this.workers[slot] = undefined
      })
      this.workers[slot] = w
    }
    return w
  }
}

function verifyInline(txs: readonly Tx[], todo: readonly number[]): number {
  for (const i of todo) {
    const f = txs[i]!.fields
    if (!verify(f.senderPubKey, txs[i]!.signingBytes, f.signature)) return i
  }
  return -1
}
