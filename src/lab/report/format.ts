/** Figures as the report's HTML shows them, with their units. */

export const esc = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

const DASH = '—'

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return DASH
  if (Math.abs(ms) < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return DASH
  const units = ['B', 'kB', 'MB', 'GB']
  let value = bytes
  let unit = 0
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`
}

export const formatRatio = (r: number | null | undefined): string =>
  r === null || r === undefined ? DASH : `${r.toFixed(2)}×`

export const formatPercent = (fraction: number | null | undefined): string =>
  fraction === null || fraction === undefined ? DASH : `${(fraction * 100).toFixed(1)} %`

export const formatNumber = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined ? DASH : n.toFixed(digits)

/** A table: header cells and rows of cells, every cell escaped here. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], testId?: string): string {
  const head = header.map((h) => `<th>${esc(h)}</th>`).join('')
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')
  const id = testId === undefined ? '' : ` data-testid="${esc(testId)}"`
  return `<table${id}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`
}

/** One line in place of a section with nothing to show. */
export const none = (text: string): string => `<p class="none">${esc(text)}</p>`
