import { describe, expect, it } from 'vitest'
import { exponential, pooledSystemRng, seededRng } from '../../../src/util/rng.js'

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

describe('pooledSystemRng', () => {
  it('draws uniform values in range across pool refills, and two pools differ', () => {
    const rng = pooledSystemRng(16) // 4 draws per refill
    const counts = new Array(10).fill(0)
    for (let i = 0; i < 20_000; i++) {
      const x = rng.next()
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThan(1)
      counts[rng.int(10)]++
    }
    for (const c of counts) {
      expect(c).toBeGreaterThan(1_700)
      expect(c).toBeLessThan(2_300)
    }
    const a = pooledSystemRng()
    const b = pooledSystemRng()
    expect(Array.from({ length: 8 }, () => a.next())).not.toEqual(Array.from({ length: 8 }, () => b.next()))
  })
})
