/**
 * The trace writer: JSON lines buffered in memory and appended to the sink in
 * one write per flush (every `flushIntervalMs`, or at once past `flushBytes`),
 * so tracing costs a string per event and a write a few times a second. The
 * write is asynchronous and never fsynced: the event loop never waits on the
 * disk.
 *
 * Memory is bounded: while the buffer holds `bufferBytesMax` (the disk is
 * behind), new lines are dropped and counted, and one `dropped` line with the
 * count is written where they would have been. A failed write is counted the
 * same way. `start` is the first line (written by the constructor) and `stop`
 * the last (written by `stop()`).
 */
import type { Clock } from '../util/clock.js'
import type { Timers } from '../util/timers.js'
import { TRACE_VERSION, type TraceEvent } from './format.js'

/** Where the lines go: a file in production (file-sink.ts), memory in tests. */
export interface TraceSink {
  /** Appends `text` (whole lines) after everything appended before. */
  append(text: string): Promise<void>
  close(): Promise<void>
}

export interface TraceWriterLimits {
  /** A buffered line waits at most this long for its write. */
  flushIntervalMs: number
  /** A buffer this large is written at once. */
  flushBytes: number
  /** Lines beyond this many buffered characters (a write in flight included) are dropped and counted. */
  bufferBytesMax: number
}

export const TRACE_WRITER_LIMITS: TraceWriterLimits = Object.freeze({
  flushIntervalMs: 250,
  flushBytes: 64 * 1024,
  bufferBytesMax: 4 * 1024 * 1024,
})

export interface TraceWriterDeps {
  sink: TraceSink
  clock: Clock
  timers: Timers
  /** A failed write (its lines are counted as dropped). */
  onError?(err: unknown): void
}

/** Who is writing: the `start` line's fields. */
export interface TraceStartInfo {
  peerId: string
  pid: number
}

/** Running figures of a writer (the overhead benchmark reads them). */
export interface TraceWriterStats {
  lines: number
  /** Characters handed to the sink (bytes, for the ASCII a trace holds). */
  bytes: number
  writes: number
  /** Lines lost, in total. */
  dropped: number
}

export class TraceWriter {
  private readonly limits: TraceWriterLimits
  private lines: string[] = []
  private bufferedBytes = 0
  /** Characters of the write in flight: they count against the bound until it lands. */
  private flushingBytes = 0
  private flushing: Promise<void> | undefined
  private timer: unknown
  /** Lines dropped since the last `dropped` line. */
  private droppedRun = 0
  private state: 'open' | 'stopping' | 'stopped' = 'open'
  readonly stats: TraceWriterStats = { lines: 0, bytes: 0, writes: 0, dropped: 0 }

  constructor(
    private readonly deps: TraceWriterDeps,
    start: TraceStartInfo,
    limits: Partial<TraceWriterLimits> = {},
  ) {
    this.limits = { ...TRACE_WRITER_LIMITS, ...limits }
    for (const key of ['flushIntervalMs', 'flushBytes', 'bufferBytesMax'] as const) {
      const value = this.limits[key]
      if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${key} must be a positive integer: ${value}`)
    }
    this.push({ t: deps.clock.nowMs(), e: 'start', v: TRACE_VERSION, peerId: start.peerId, pid: start.pid })
  }

  /** Buffers one event (ignored once `stop()` has begun: `stop` is the last line). */
  write(event: TraceEvent): void {
    if (this.state !== 'open') return
    const line = `${JSON.stringify(event)}\n`
    if (this.bufferedBytes + this.flushingBytes + line.length > this.limits.bufferBytesMax) {
      this.droppedRun++
      this.stats.dropped++
      return
    }
    this.noteDropped()
    this.push(line)
  }

  /** Writes `stop` after everything buffered, waits for the writes and closes the sink. */
  async stop(): Promise<void> {
    if (this.state !== 'open') return
    this.state = 'stopping'
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer)
    this.timer = undefined
    await this.drain()
    // after the drain, so that a write failing in it is still reported before `stop`
    this.noteDropped()
    this.push({ t: this.deps.clock.nowMs(), e: 'stop' })
    await this.drain()
    this.state = 'stopped'
    await this.deps.sink.close()
  }

  private async drain(): Promise<void> {
    while (this.flushing !== undefined || this.lines.length > 0) {
      if (this.flushing !== undefined) await this.flushing
      else this.flush()
    }
  }

  /** The `dropped` line for the run of lines lost just before, if there was one. */
  private noteDropped(): void {
    if (this.droppedRun === 0) return
    const n = this.droppedRun
    this.droppedRun = 0
    this.push({ t: this.deps.clock.nowMs(), e: 'dropped', n })
  }

  private push(event: TraceEvent | string): void {
    const line = typeof event === 'string' ? event : `${JSON.stringify(event)}\n`
    this.lines.push(line)
    this.bufferedBytes += line.length
    this.stats.lines++
    if (this.state !== 'open') return
    if (this.bufferedBytes >= this.limits.flushBytes) this.flush()
    else this.schedule()
  }

  private schedule(): void {
    if (this.timer !== undefined || this.flushing !== undefined || this.lines.length === 0) return
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = undefined
      this.flush()
    }, this.limits.flushIntervalMs)
  }

  /** One write of everything buffered; the next waits for it to land. */
  private flush(): void {
    if (this.flushing !== undefined || this.lines.length === 0) return
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer)
    this.timer = undefined
    const count = this.lines.length
    const text = this.lines.join('')
    this.lines = []
    this.flushingBytes = this.bufferedBytes
    this.bufferedBytes = 0
    this.stats.writes++
    const landed = (ok: boolean, err?: unknown): void => {
      this.flushing = undefined
      this.flushingBytes = 0
      if (ok) {
        this.stats.bytes += text.length
      } else {
        // these lines are lost: counted, and the next line says so
        this.stats.lines -= count
        this.stats.dropped += count
        this.droppedRun += count
        this.deps.onError?.(err)
      }
      if (this.state !== 'open') return
      if (this.bufferedBytes >= this.limits.flushBytes) this.flush()
      else this.schedule()
    }
    this.flushing = this.deps.sink.append(text).then(
      () => landed(true),
      (err: unknown) => landed(false, err),
    )
  }
}
