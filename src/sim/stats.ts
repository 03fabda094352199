/**
 * RECONSTRUCTED: this file was overwritten by mistake by the session writing
 * the sim fabric, and rebuilt from its uses (observer.ts, report.ts). Its
 * author should check it against the original.
 */

export interface Percentiles {
  count: number
  p50: number
  p90: number
  p99: number
  max: number
}

/** A growing list of measurements with nearest-rank percentiles. */
export class Samples {
  private readonly values: number[] = []

  push(value: number): void {
    this.values.push(value)
  }

  get count(): number {
    return this.values.length
  }

  percentiles(): Percentiles {
    const sorted = [...this.values].sort((a, b) => a - b)
    const n = sorted.length
    if (n === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 }
    const at = (q: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] as number
    return { count: n, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[n - 1] as number }
  }
}
