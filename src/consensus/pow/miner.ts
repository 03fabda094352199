/**
 * Mining in worker threads, so the event loop never blocks. A header's nonce
 * is field 10, followed only by `mmrRoot` (field 11, version 2), so
 * encode(header with nonce n) is prefix + [0x50, varint(n)] + tail for n >= 1,
 * where prefix + tail = encode(header with nonce 0) and the tail is empty in
 * version 1 (ledger/block.ts headerNonceSplit): each worker hashes a fixed
 * prefix, a short suffix and a fixed tail. Workers poll a shared flag, so a
 * cancelled search stops within one batch of hashes.
 *
 * The pool's workers live as long as the pool (starting threads for every
 * block cost ~35 ms of CPU each), and are unref'd while idle so they never
 * keep a process alive.
 */
import { Worker } from 'node:worker_threads'

const NONCE_TAG = 0x50 // field 10, wire type 0

// The worker is self-contained (node:crypto only) and loaded from source, so it runs
// the same under tsx, vitest and compiled JS. One job at a time: the search loop
// runs until it finds a nonce, the job's stop flag is set, or the nonce space ends.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const BATCH = 4096
const MAX = (1n << 64n) - 1n
parentPort.on('message', ({ job, prefix, tail, target, start, step, stop }) => {
  const prefixBuf = Buffer.from(prefix)
  const tailBuf = Buffer.from(tail)
  const targetBuf = Buffer.from(target)
  const flag = new Int32Array(stop)
  const suffix = Buffer.alloc(11)
  suffix[0] = ${NONCE_TAG}
  let nonce = BigInt(start)
  const stepN = BigInt(step)
  while (nonce <= MAX) {
    if (Atomics.load(flag, 0) !== 0) break
    for (let i = 0; i < BATCH && nonce <= MAX; i++, nonce += stepN) {
      let n = nonce, len = 1
      while (n >= 0x80n) { suffix[len++] = Number(n & 0x7fn) | 0x80; n >>= 7n }
      suffix[len++] = Number(n)
      const h = createHash('sha256').update(prefixBuf).update(suffix.subarray(0, len)).update(tailBuf).digest()
      if (h.compare(targetBuf) <= 0) { parentPort.postMessage({ job, nonce: nonce.toString() }); return }
    }
  }
  parentPort.postMessage({ job, done: true })
})
`

export interface MineResult {
  nonce: bigint
}

interface Job {
  id: number
  flag: Int32Array
  finished: number
  settle(result: MineResult | null, err?: Error): void
}

export class MinerPool {
  private workers: Worker[] = []
  private job?: Job
  private nextJobId = 1
  private closed = false

  constructor(readonly threads: number) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`mining threads must be >= 1, got ${threads}`)
  }

  private spawn(): Worker[] {
    if (this.workers.length === this.threads) return this.workers
    for (let i = this.workers.length; i < this.threads; i++) {
      // execArgv: [] — the source is CommonJS: do not inherit --input-type=module or loaders.
      const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] })
      worker.on('message', (msg: { job: number; nonce?: string; done?: boolean }) => this.onMessage(msg))
      worker.on('error', (err) => this.onFailure(worker, err))
      worker.on('exit', (code) => this.onFailure(worker, new Error(`mining worker exited with code ${code}`)))
      worker.unref()
      this.workers.push(worker)
    }
    return this.workers
  }

  /**
   * Searches nonces >= 1 until sha256(prefix + suffix(nonce) + tail) <= target.
   * Resolves null when `signal` aborts, a newer search starts, or the nonce space is exhausted.
   */
  mine(
    prefix: Uint8Array,
    target: Uint8Array,
    signal?: AbortSignal,
    tail: Uint8Array = new Uint8Array(0),
  ): Promise<MineResult | null> {
    if (this.closed) return Promise.reject(new Error('the mining pool is closed'))
    this.job?.settle(null) // one search at a time: the newer one wins
    if (signal?.aborted) return Promise.resolve(null)
    const workers = this.spawn()
    return new Promise((resolve, reject) => {
      const stop = new SharedArrayBuffer(4)
      const onAbort = (): void => job.settle(null)
      const job: Job = {
        id: this.nextJobId++,
        flag: new Int32Array(stop),
        finished: 0,
        settle: (result, err) => {
          if (this.job !== job) return
          this.job = undefined
          Atomics.store(job.flag, 0, 1)
          signal?.removeEventListener('abort', onAbort)
          for (const w of this.workers) w.unref()
          if (err) reject(err)
          else resolve(result)
        },
      }
      this.job = job
      signal?.addEventListener('abort', onAbort, { once: true })
      workers.forEach((worker, i) => {
        worker.ref() // busy: keep the process alive until the search ends
        worker.postMessage({ job: job.id, prefix, tail, target, start: (i + 1).toString(), step: this.threads, stop })
      })
    })
  }

  private onMessage(msg: { job: number; nonce?: string; done?: boolean }): void {
    const job = this.job
    if (!job || msg.job !== job.id) return // a late answer from a cancelled search
    if (msg.nonce !== undefined) job.settle({ nonce: BigInt(msg.nonce) })
    else if (msg.done && ++job.finished === this.threads) job.settle(null)
  }

  private onFailure(worker: Worker, err: Error): void {
    this.workers = this.workers.filter((w) => w !== worker)
    if (!this.closed) this.job?.settle(null, err)
  }

  async close(): Promise<void> {
    this.closed = true
    this.job?.settle(null)
    const workers = this.workers
    this.workers = []
    await Promise.all(workers.map((w) => w.terminate()))
  }
}

/** One search on a pool of its own (closed afterwards). */
export async function mineNonce(
  prefix: Uint8Array,
  target: Uint8Array,
  threads: number,
  signal?: AbortSignal,
  tail?: Uint8Array,
): Promise<MineResult | null> {
  const pool = new MinerPool(threads)
  try {
    return await pool.mine(prefix, target, signal, tail)
  } finally {
    await pool.close()
  }
}
