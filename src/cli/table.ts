/**
 * Plain-text layout for the read commands: aligned `key  value` lines and
 * column tables. Widths count code points, so "…" is one column. Lines carry
 * no trailing spaces, so the output pastes and greps cleanly.
 */
import { ellipsize } from './format.js'

const GAP = '  '

export interface Column {
  header: string
  align?: 'left' | 'right'
  /**
   * Whether the column may be cut (middle "…") to fit `maxWidth`; hashes and
   * addresses are, short fields are not. It is never cut below `minWidth`
   * (default: its header's width, and at least 12).
   */
  shrink?: boolean
  minWidth?: number
}

export interface TableOptions {
  /** The line width to fit; the widest shrinkable column gives way first. Default: no limit. */
  maxWidth?: number
}

const width = (text: string): number => [...text].length

function pad(text: string, to: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, to - width(text)))
  return align === 'right' ? fill + text : text + fill
}

/** Column widths that fit `maxWidth` if the shrinkable columns allow it. */
export function fitWidths(columns: readonly Column[], natural: readonly number[], maxWidth: number): number[] {
  const widths = [...natural]
  const floor = columns.map((c, i) => Math.min(natural[i] ?? 0, c.minWidth ?? Math.max(width(c.header), 12)))
  let total = widths.reduce((a, b) => a + b, 0) + GAP.length * (columns.length - 1)
  while (total > maxWidth) {
    let widest = -1
    for (let i = 0; i < columns.length; i++) {
      if (!columns[i]?.shrink || (widths[i] ?? 0) <= (floor[i] ?? 0)) continue
      if (widest === -1 || (widths[i] ?? 0) > (widths[widest] ?? 0)) widest = i
    }
    if (widest === -1) break // nothing left to give: the table overflows rather than lose short fields
    widths[widest] = (widths[widest] ?? 0) - 1
    total--
  }
  return widths
}

/** A table with a header row; cells of shrunk columns are cut in the middle. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  const natural = columns.map((c, i) => Math.max(width(c.header), ...rows.map((r) => width(r[i] ?? ''))))
  const widths = fitWidths(columns, natural, options.maxWidth ?? Number.POSITIVE_INFINITY)
  const line = (cells: readonly string[]): string =>
    columns
      .map((c, i) => pad(ellipsize(cells[i] ?? '', widths[i] ?? 0), widths[i] ?? 0, c.align ?? 'left'))
      .join(GAP)
      .trimEnd()
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join('\n')
}

/** `label  value` lines with the values in one column; a multi-line value stays in that column. */
export function renderFields(fields: ReadonlyArray<readonly [label: string, value: string]>): string {
  const labelWidth = Math.max(0, ...fields.map(([label]) => width(label)))
  const indent = ' '.repeat(labelWidth + GAP.length)
  return fields
    .map(([label, value]) =>
      `${pad(label, labelWidth, 'left')}${GAP}${value.split('\n').join(`\n${indent}`)}`.trimEnd(),
    )
    .join('\n')
}

/** The width to fit human output to: the terminal's when stdout is one, else unlimited (pipes get full values). */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns ? stream.columns : Number.POSITIVE_INFINITY
}
