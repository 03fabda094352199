/**
 * Runs async tasks one at a time, in call order. The mempool's admissions and
 * head resets each read accounts (an await) and then change the pool; running
 * them through one queue keeps two of them from interleaving.
 */
export class SerialQueue {
  private last: Promise<unknown> = Promise.resolve()

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.last.then(task)
    // The next task waits for this one whether it succeeded or not.
    this.last = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }
}
