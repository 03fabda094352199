/**
 * One verify thread of the pool. It holds a ref on the event loop only while
 * it has jobs in flight: an idle worker never keeps the process alive, and an
 * awaited job is never cut short by the process exiting under it.
 *
 * A crash (an uncaught error in the worker, an unexpected exit, a reply that
 * makes no sense) is our bug, not a peer's fault: every job in flight is
 * rejected with a plain Error and the worker reports itself dead so the pool
 * replaces it.
 */
import { Worker } from 'node:worker_threads'

interface Job {
  itemCount: number
  resolve: (firstInvalid: number) => void
  reject: (err: Error) => void
}

interface Reply {
  id: number
  firstInvalid: number
}

export class VerifyWorker {
  private readonly worker: Worker
  private readonly jobs = new Map<number, Job>()
  private nextJobId = 0
  private dead = false

  constructor(
    source: string,
    private readonly onDead: (worker: VerifyWorker) => void,
  ) {
    // execArgv: [] so the parent's flags (--input-type=module, a TS loader) do not
    // change how the CommonJS source is read, or slow the thread's start.
    this.worker = new Worker(source, { eval: true, execArgv: [] })
    this.worker.on('message', (message: unknown) => this.onReply(message))
    this.worker.on('error', (err) => this.fail(new Error(`signature worker crashed: ${err.message}`, { cause: err })))
    this.worker.on('messageerror', (err) =>
      this.fail(new Error('signature worker sent an unreadable reply', { cause: err })),
    )
    this.worker.on('exit', (code) => this.fail(new Error(`signature worker exited with code ${code}`)))
    // After the listeners: adding a 'message' listener refs the worker again.
    this.worker.unref()
  }

  get alive(): boolean {
    return !this.dead
  }

  /** Index of the first invalid item of `batch` (see batch.ts), or -1. `batch` is transferred: it is detached afterwards. */
  verify(batch: ArrayBuffer, itemCount: number): Promise<number> {
    if (this.dead) return Promise.reject(new Error('signature worker is dead'))
    return new Promise((resolve, reject) => {
      const id = this.nextJobId++
      this.worker.postMessage({ id, batch }, [batch]) // first: if it throws, no job is left behind
      if (this.jobs.size === 0) this.worker.ref()
      this.jobs.set(id, { itemCount, resolve, reject })
    })
  }

  /** Ends the thread; jobs in flight reject. */
  async terminate(): Promise<void> {
    this.fail(new Error('signature verifier closed'))
    await this.worker.terminate()
  }

  private onReply(message: unknown): void {
    const reply = (typeof message === 'object' && message !== null ? message : {}) as Partial<Reply>
    const job = reply.id === undefined ? undefined : this.jobs.get(reply.id)
    const n = reply.firstInvalid
    if (job === undefined || n === undefined || !Number.isInteger(n) || n < -1 || n >= job.itemCount) {
      this.fail(new Error(`signature worker sent a bad reply: ${JSON.stringify(message)}`))
      void this.worker.terminate()
      return
    }
    this.jobs.delete(reply.id!)
    if (this.jobs.size === 0) this.worker.unref()
    job.resolve(n)
  }

  private fail(err: Error): void {
    if (this.dead) return
    this.dead = true
    this.worker.unref()
    for (const job of this.jobs.values()) job.reject(err)
    this.jobs.clear()
    this.onDead(this)
  }
}
