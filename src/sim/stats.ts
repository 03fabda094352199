/** Percentiles of a sample (nearest rank), for the simulator's report. */

export interface Percentiles {
  count: number
  p50: number
  p90: number
  p99: number
  max: number
}

/** A growable list of numbers in one typed array: a million samples must not be a million boxed values. */
export class Samples {
  private data = new Float64Array(1024)
  private n = 0

  push(value: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2)
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[this.n++] = value
  }

  get count(): number {
    return this.n
  }

  percentiles(): Percentiles {
    const n = this.n
    if (n === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 }
    // A typed array sorts numerically.
    const sorted = this.data.slice(0, n).sort()
    const at = (q: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] as number
    return { count: n, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[n - 1] as number }
  }
}
