import { describe, expect, it } from 'vitest'
import { exponential, seededRng } from '../../../src/util/rng.js'

describe('exponential', () => {
  it('draws positive waiting times whose mean is the given mean', () => {
    const rng = seededRng(3)
    let sum = 0
    for (let i = 0; i < 20_000; i++) {
      const x = exponential(rng, 10)
      expect(x).toBeGreaterThanOrEqual(0)
      sum += x
    }
    expect(sum / 20_000).toBeGreaterThan(9.6)
    expect(sum / 20_000).toBeLessThan(10.4)
  })
})
