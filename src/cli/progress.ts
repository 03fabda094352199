/**
 * `start`'s sync progress bar: while the node catches up, one line on the
 * terminal redrawn in place (blocks done / target, rate, ETA). The numbers are
 * node_status's, so `peerchain status` shows the same.
 */
import type { SyncStatusJson } from '../api/json.js'
import { formatCount, formatEta, formatPercent } from './format.js'

const BAR_CELLS = 24

/** One line: "syncing [#######-----] 1,234/5,000 24.7% 35.2 blocks/s ETA 1m47s". */
export function renderSyncLine(status: SyncStatusJson): string {
  const { doneHeight, targetHeight } = status
  if (status.state === 'idle') return `synced at height ${formatCount(doneHeight)}`
  if (status.state === 'headers') return `syncing: fetching headers toward height ${formatCount(targetHeight)}…`
  const fraction = targetHeight > 0 ? Math.min(1, Math.max(0, doneHeight / targetHeight)) : 1
  const filled = Math.floor(fraction * BAR_CELLS)
  const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_CELLS - filled)}`
  return (
    `syncing [${bar}] ${formatCount(doneHeight)}/${formatCount(targetHeight)} ` +
    `${formatPercent(doneHeight, targetHeight)} ${status.blocksPerSecond.toFixed(1)} blocks/s ` +
    `ETA ${formatEta(status.etaSeconds)}`
  )
}

export interface BarStream {
  write(text: string): unknown
  columns?: number
}

/**
 * Draws the line in place while a sync runs and says when it finishes. Other
 * output (log lines) must go through `print`, which lifts the bar off the
 * line, writes, and puts it back.
 */
export class SyncProgressBar {
  private shown = ''
  private timer?: NodeJS.Timeout

  constructor(
    private readonly stream: BarStream,
    private readonly read: () => SyncStatusJson,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.clear()
  }

  /** Writes `text` (whole lines) above the bar. */
  print(text: string): void {
    const bar = this.shown
    this.clear()
    this.stream.write(text)
    if (bar) this.draw(bar)
  }

  tick(): void {
    const status = this.read()
    if (status.state === 'idle') {
      if (this.shown) {
        this.clear()
        this.stream.write(`${renderSyncLine(status)}\n`)
      }
      return
    }
    this.draw(renderSyncLine(status))
  }

  private draw(line: string): void {
    const width = this.stream.columns ?? 80
    const fitted = line.length >= width ? line.slice(0, Math.max(0, width - 1)) : line
    this.stream.write(`\r\x1b[2K${fitted}`)
    this.shown = fitted
  }

  private clear(): void {
    if (!this.shown) return
    this.stream.write('\r\x1b[2K')
    this.shown = ''
  }
}
