/**
 * SHA-256 of the blocks of one WANT answer, for their check against their
 * CIDs. `inThreadHasher` hashes on the calling thread (the default; tests and
 * the simulator); `HashWorkers` hashes on worker threads, so a fast download's
 * hashing (~6 ms per 4 MiB answer) leaves the event loop free for the
 * transport: the answer's buffer is transferred to a worker and back, never
 * copied. An answer that does not own its whole buffer (a small one, a view
 * into a shared chunk) is hashed in the thread: transferring its buffer would
 * take memory others use.
 */
import { Worker } from 'node:worker_threads'
import { sha256 } from 'multiformats/hashes/sha2'

export interface ByteRange {
  offset: number
  length: number
}

export interface AnswerHasher {
  /**
   * The SHA-256 digest of each range of `answer`. It may take `answer`'s
   * buffer away (to a worker): the bytes come back as `answer` in the result,
   * to be used from then on.
   */
  digests(answer: Uint8Array, ranges: readonly ByteRange[]): Promise<{ answer: Uint8Array; digests: Uint8Array[] }>
}

/** multiformats' sha2-256 (node:crypto's, as the workers use). */
const digestOf = (bytes: Uint8Array): Uint8Array => (sha256.digest(bytes) as { digest: Uint8Array }).digest

export const inThreadHasher: AnswerHasher = {
  async digests(answer, ranges) {
    return { answer, digests: ranges.map((r) => digestOf(answer.subarray(r.offset, r.offset + r.length))) }
  },
}

/** Answers smaller than this are hashed in the thread: a worker's round trip costs more. */
const WORKER_ANSWER_BYTES_MIN = 256 * 1024

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createHash } = require('node:crypto')
parentPort.on('message', ({ id, buffer, ranges }) => {
  const out = new Uint8Array(32 * ranges.length)
  ranges.forEach((r, i) => {
    out.set(createHash('sha256').update(new Uint8Array(buffer, r.offset, r.length)).digest(), 32 * i)
  })
  parentPort.postMessage({ id, buffer, digests: out.buffer }, [buffer, out.buffer])
})
`

interface Job {
  resolve(r: { answer: Uint8Array; digests: Uint8Array[] }): void
  reject(err: Error): void
  count: number
}

/** A pool of hashing threads; idle threads never keep the process alive. `close()` ends them. */
export class HashWorkers implements AnswerHasher {
  private readonly workers: Array<{ worker: Worker; jobs: Map<number, Job> }> = []
  private nextId = 0
  private turn = 0
  private closed = false

  constructor(threads = 1) {
    for (let i = 0; i < threads; i++) this.spawn()
  }

  async digests(
    answer: Uint8Array,
    ranges: readonly ByteRange[],
  ): Promise<{ answer: Uint8Array; digests: Uint8Array[] }> {
    const owned = answer.byteOffset === 0 && answer.byteLength === answer.buffer.byteLength
    if (
      this.closed ||
      !owned ||
      answer.byteLength < WORKER_ANSWER_BYTES_MIN ||
      !(answer.buffer instanceof ArrayBuffer)
    ) {
      return inThreadHasher.digests(answer, ranges)
    }
    const slot = this.workers[this.turn++ % this.workers.length] as { worker: Worker; jobs: Map<number, Job> }
    const id = this.nextId++
    const buffer = answer.buffer
    return new Promise((resolve, reject) => {
      slot.worker.postMessage({ id, buffer, ranges }, [buffer])
      if (slot.jobs.size === 0) slot.worker.ref()
      slot.jobs.set(id, { resolve, reject, count: ranges.length })
    })
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.workers.splice(0).map((w) => w.worker.terminate()))
  }

  private spawn(): void {
    // execArgv: [] so the parent's flags (a TS loader) do not change how the CommonJS source is read
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] })
    const slot = { worker, jobs: new Map<number, Job>() }
    const failAll = (err: Error): void => {
      for (const job of slot.jobs.values()) job.reject(err)
      slot.jobs.clear()
    }
    worker.on('message', (msg: { id: number; buffer: ArrayBuffer; digests: ArrayBuffer }) => {
      const job = slot.jobs.get(msg.id)
      if (!job) return
      slot.jobs.delete(msg.id)
      if (slot.jobs.size === 0) worker.unref()
      const digests = Array.from({ length: job.count }, (_, i) => new Uint8Array(msg.digests, 32 * i, 32))
      job.resolve({ answer: new Uint8Array(msg.buffer), digests })
    })
    worker.on('error', (err) => failAll(new Error(`hash worker crashed: ${err.message}`, { cause: err })))
    worker.on('exit', (code) => {
      failAll(new Error(`hash worker exited with code ${code}`))
      const i = this.workers.indexOf(slot)
      if (i >= 0) this.workers.splice(i, 1)
      if (!this.closed) this.spawn()
    })
    worker.unref()
    this.workers.push(slot)
  }
}
