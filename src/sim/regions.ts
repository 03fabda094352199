/**
 * Where simulated nodes live: a region-to-region matrix of one-way latencies.
 * A link's base latency is its regions' entry; the fabric adds jitter.
 */

export interface LatencyMatrix {
  readonly regions: readonly string[]
  /** One-way latency latencyMs[from][to], indexed like `regions`; need not be symmetric. */
  readonly latencyMs: readonly (readonly number[])[]
}

/**
 * Six regions of a wide-area network, one-way latency in ms (about half the
 * typical round trip between cloud regions; 20 ms inside a region, which
 * stands for last-mile access as much as distance).
 */
export const WAN6: LatencyMatrix = {
  regions: ['na-east', 'na-west', 'europe', 'asia-east', 'asia-south', 'oceania'],
  latencyMs: [
    //    na-e na-w  eu  as-e as-s  oce
    [20, 35, 45, 95, 110, 105],
    [35, 20, 75, 65, 115, 80],
    [45, 75, 20, 120, 65, 140],
    [95, 65, 120, 20, 45, 60],
    [110, 115, 65, 45, 20, 75],
    [105, 80, 140, 60, 75, 20],
  ],
}

/** Throws unless the matrix is square and non-empty and holds finite latencies >= 0. */
export function checkLatencyMatrix(latencyMs: readonly (readonly number[])[]): void {
  const n = latencyMs.length
  if (n === 0) throw new RangeError('latency matrix: no regions')
  for (const [i, row] of latencyMs.entries()) {
    if (row.length !== n) throw new RangeError(`latency matrix: row ${i} has ${row.length} entries, not ${n}`)
    for (const ms of row) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency matrix: row ${i} holds ${ms}`)
    }
  }
}

/** A region given by index or by name (names need `names`); throws when the matrix has no such region. */
export function regionIndex(region: number | string, regionCount: number, names?: readonly string[]): number {
  const i = typeof region === 'number' ? region : (names?.indexOf(region) ?? -1)
  if (!Number.isInteger(i) || i < 0 || i >= regionCount) {
    throw new RangeError(
      `unknown region ${JSON.stringify(region)} (${names ? names.join(', ') : `0..${regionCount - 1}`})`,
    )
  }
  return i
}
