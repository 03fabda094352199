import { describe, expect, it } from 'vitest'
import { Samples } from '../../../src/sim/stats.js'

describe('Samples', () => {
  it('gives nearest-rank percentiles, sorting numerically, past its first buffer', () => {
    const s = new Samples()
    expect(s.percentiles()).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, max: 0 })
    // 1..2000 pushed in a scrambled order; 10 would sort before 9 as text.
    for (let i = 0; i < 2000; i++) s.push(((i * 7919) % 2000) + 1)
    expect(s.count).toBe(2000)
    expect(s.percentiles()).toEqual({ count: 2000, p50: 1000, p90: 1800, p99: 1980, max: 2000 })
    const small = new Samples()
    for (const v of [9, 10, 100]) small.push(v)
    expect(small.percentiles()).toMatchObject({ p50: 10, max: 100 })
  })
})
