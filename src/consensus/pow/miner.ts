/**
 * Mining in worker threads, so the event loop never blocks. A header's nonce
 * is its last protobuf field, so encode(header with nonce n) is
 * encode(header with nonce 0) + [0x50, varint(n)] for n >= 1: each worker hashes
 * a fixed prefix plus a short suffix. Workers poll a shared flag, so a
 * cancelled search stops within one batch of hashes.
 */
import { Worker } from 'node:worker_threads'

const NONCE_TAG = 0x50 // field 10, wire type 0

// The worker is self-contained (node:crypto only) and loaded from source, so it runs
// the same under tsx, vitest and compiled JS.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const { prefix, target, start, step, stop } = workerData
const prefixBuf = Buffer.from(prefix)
const targetBuf = Buffer.from(target)
const flag = new Int32Array(stop)
const suffix = Buffer.alloc(11)
suffix[0] = ${NONCE_TAG}
const BATCH = 4096
let nonce = BigInt(start)
const stepN = BigInt(step)
const MAX = (1n << 64n) - 1n
outer: while (nonce <= MAX) {
  if (Atomics.load(flag, 0) !== 0) break
  for (let i = 0; i < BATCH && nonce <= MAX; i++, nonce += stepN) {
    let n = nonce, len = 1
    while (n >= 0x80n) { suffix[len++] = Number(n & 0x7fn) | 0x80; n >>= 7n }
    suffix[len++] = Number(n)
    const h = createHash('sha256').update(prefixBuf).update(suffix.subarray(0, len)).digest()
    if (h.compare(targetBuf) <= 0) { parentPort.postMessage({ nonce: nonce.toString() }); break outer }
  }
}
parentPort.postMessage({ done: true })
`

export interface MineResult {
  nonce: bigint
}

/**
 * Searches nonces >= 1 with `threads` workers until sha256(prefix + suffix(nonce)) <= target.
 * Resolves null when `signal` aborts or the nonce space is exhausted.
 */
export function mineNonce(
  prefix: Uint8Array,
  target: Uint8Array,
  threads: number,
  signal?: AbortSignal,
): Promise<MineResult | null> {
  return new Promise((resolve, reject) => {
    const stop = new SharedArrayBuffer(4)
    const flag = new Int32Array(stop)
    const workers: Worker[] = []
    let finished = 0
    let settled = false
    const settle = (result: MineResult | null, err?: Error): void => {
      if (settled) return
      settled = true
      Atomics.store(flag, 0, 1)
      signal?.removeEventListener('abort', onAbort)
      for (const w of workers) void w.terminate()
      if (err) reject(err)
      else resolve(result)
    }
    const onAbort = (): void => settle(null)
    if (signal?.aborted) return resolve(null)
    signal?.addEventListener('abort', onAbort, { once: true })
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        // The source is CommonJS: do not inherit flags such as --input-type=module or loaders.
        execArgv: [],
        workerData: { prefix, target, start: (i + 1).toString(), step: threads, stop },
      })
      worker.on('message', (msg: { nonce?: string; done?: boolean }) => {
        if (msg.nonce !== undefined) settle({ nonce: BigInt(msg.nonce) })
        else if (msg.done && ++finished === threads) settle(null)
      })
      worker.on('error', (err) => settle(null, err))
      workers.push(worker)
    }
  })
}
