/**
 * One status line redrawn in place on a terminal (`\r`, clear the line,
 * write), cut to the terminal's width: the `files get` progress bar.
 */
export interface BarStream {
  write(text: string): unknown
  columns?: number
}

export class LineBar {
  private shown = false

  constructor(private readonly stream: BarStream) {}

  draw(line: string): void {
    const width = this.stream.columns ?? 80
    const fitted = line.length >= width ? line.slice(0, Math.max(0, width - 1)) : line
    this.stream.write(`\r\x1b[2K${fitted}`)
    this.shown = true
  }

  clear(): void {
    if (!this.shown) return
    this.stream.write('\r\x1b[2K')
    this.shown = false
  }
}
