/** Order statistics the report uses. Percentiles are nearest-rank: the smallest value with at least p% of values at or below it. */

export interface Percentiles {
  p50: number | null
  p90: number | null
  p99: number | null
  /** How many values they were taken over. */
  n: number
}

/** Nearest-rank percentile of ascending `sorted`, null when empty. */
export function percentileOfSorted(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1] ?? null
}

export const ascending = (values: Iterable<number>): number[] => [...values].sort((a, b) => a - b)

export function percentiles(values: Iterable<number>): Percentiles {
  const sorted = ascending(values)
  return {
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p99: percentileOfSorted(sorted, 99),
    n: sorted.length,
  }
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null
  let sum = 0
  for (const v of values) sum += v
  return sum / values.length
}

export interface CdfPoint {
  x: number
  /** Fraction of values ≤ x, in [0, 1]. */
  y: number
}

/**
 * The empirical CDF of `values` as step points, at most `pointsMax` of them
 * (evenly spaced ranks, always the last), over `total` values: values that
 * never came (null in the caller's terms) count in `total` but never reach 1.
 */
export function cdf(values: Iterable<number>, total: number, pointsMax = 200): CdfPoint[] {
  const sorted = ascending(values)
  if (sorted.length === 0 || total <= 0) return []
  const step = Math.max(1, Math.ceil(sorted.length / pointsMax))
  const points: CdfPoint[] = []
  for (let i = step - 1; i < sorted.length; i += step) points.push({ x: sorted[i]!, y: (i + 1) / total })
  const lastIndex = sorted.length - 1
  if ((lastIndex + 1) % step !== 0) points.push({ x: sorted[lastIndex]!, y: sorted.length / total })
  return points
}
