import type { Timers } from '../util/timers.js'

/** Tasks run every so often until `stop` (the network's ping samples and address-manager saves). */
export class RepeatingTasks {
  /** The pending timer of each task. */
  private readonly pending = new Set<unknown>()
  private stopped = false

  constructor(private readonly timers: Timers) {}

  /** Runs `task` every `intervalMs`, the first time `intervalMs` from now. */
  every(intervalMs: number, task: () => void): void {
    const run = (): void => {
      this.pending.delete(handle)
      if (this.stopped) return
      task()
      handle = this.timers.setTimeout(run, intervalMs)
      this.pending.add(handle)
    }
    let handle = this.timers.setTimeout(run, intervalMs)
    this.pending.add(handle)
  }

  stop(): void {
    this.stopped = true
    for (const handle of this.pending) this.timers.clearTimeout(handle)
    this.pending.clear()
  }
}
