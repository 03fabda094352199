/**
 * How fast a catch-up goes: head heights sampled as blocks are imported, over
 * a sliding window, give the rate and the time left. `start`'s progress bar,
 * `node_status` and the dashboard all read these numbers.
 */
import type { Clock } from '../util/clock.js'
import type { SyncProgress } from './types.js'

export interface SyncStatus {
  state: 'idle' | 'headers' | 'blocks'
  doneHeight: number
  targetHeight: number
  /** Blocks imported per second over the window; 0 when idle or not known yet. */
  blocksPerSecond: number
  /** Seconds left at that rate; null when idle or not known yet. */
  etaSeconds: number | null
  peer: string | null
}

interface Sample {
  atMs: number
  height: number
}

export class SyncMeter {
  private samples: Sample[] = []

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = 60_000,
  ) {}

  /** Call on every head change. */
  record(height: number): void {
    const atMs = this.clock.nowMs()
    this.samples.push({ atMs, height })
    this.trim(atMs)
  }

  status(progress: SyncProgress, headHeight: number): SyncStatus {
    if (progress.state === 'idle') {
      return {
        state: 'idle',
        doneHeight: headHeight,
        targetHeight: headHeight,
        blocksPerSecond: 0,
        etaSeconds: null,
        peer: null,
      }
    }
    const nowMs = this.clock.nowMs()
    this.trim(nowMs)
    // Only this run's imports count: a head that moved before it began says nothing of its speed.
    const run = this.samples.filter((s) => s.atMs >= progress.sinceMs)
    const first = run[0]
    const last = run.at(-1)
    let blocksPerSecond = 0
    if (first && last && last.atMs > first.atMs) {
      blocksPerSecond = (last.height - first.height) / ((nowMs - first.atMs) / 1000)
    }
    const doneHeight = Math.max(headHeight, progress.doneHeight)
    const targetHeight = Math.max(progress.targetHeight, doneHeight)
    const left = targetHeight - doneHeight
    return {
      state: progress.state,
      doneHeight,
      targetHeight,
      blocksPerSecond: Math.max(0, Math.round(blocksPerSecond * 10) / 10),
      etaSeconds: blocksPerSecond > 0 ? Math.ceil(left / blocksPerSecond) : left === 0 ? 0 : null,
      peer: progress.peer,
    }
  }

  private trim(nowMs: number): void {
    const from = nowMs - this.windowMs
    let drop = 0
    while (drop < this.samples.length && (this.samples[drop] as Sample).atMs < from) drop++
    if (drop > 0) this.samples = this.samples.slice(drop)
  }
}
