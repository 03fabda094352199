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
    this.worker.unref()
    this.worker.on('message', (reply: Reply) => this.onReply(reply))
    this.worker.on('error', (err) => this.fail(new Error(`signature worker crashed: ${err.message}`, { cause: err })))
    this.worker.on('messageerror', (err) =>
      this.fail(new Error('signature worker sent an unreadable reply', { cause: err })),
    )
    this.worker.on('exit', (code) => this.fail(new Error(`signature worker exited with code ${code}`)))
  }

  get alive(): boolean {
    return !this.dead
  }

  /** Index of the first invalid item of `batch` (see batch.ts), or -1. `batch` is transferred: it is detached afterwards. */
  verify(batch: ArrayBuffer, itemCount: number): Promise<number> {
    if (this.dead) return Promise.reject(new Error('signature worker is dead'))
    return new Promise((resolve, reject) => {
      const id = this.nextJobId++
      if (this.jobs.size === 0) this.worker.ref()
      this.jobs.set(id, { itemCount, resolve, reject })
      this.worker.postMessage({ id, batch }, [batch])
    })
  }

  /** Ends the thread; jobs in flight reject. */
  async terminate(): Promise<void> {
    this.fail(new Error('signature verifier closed'))
    await this.worker.terminate()
  }

  private onReply(reply: Reply): void {
    const job = this.jobs.get(reply.id)
    const n = reply.firstInvalid
    if (job === undefined || !Number.isInteger(n) || n < -1 || n >= job.itemCount) {
      this.fail(new Error(`signature worker sent a bad reply: ${JSON.stringify(reply)}`))
      void this.worker.terminate()
      return
    }
    this.jobs.delete(reply.id)
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
