import { describe, expect, it } from 'vitest'
import { drawEmbargoMs, EMBARGO_MEAN_FACTOR_MAX, EmbargoTimers } from '../../../../src/relay/dandelion/embargo.js'
import type { Rng } from '../../../../src/util/rng.js'
import { seededRng } from '../../../../src/util/rng.js'
import { ManualTimers } from './helpers.js'

describe('embargo draw', () => {
  it('is exponential with the given mean (not a Poisson count: Monero #9295)', () => {
    const rng = seededRng(11)
    const meanMs = 10_000
    const draws = Array.from({ length: 20_000 }, () => drawEmbargoMs(rng, meanMs))
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length
    expect(mean).toBeGreaterThan(meanMs * 0.97)
    expect(mean).toBeLessThan(meanMs * 1.03)
    // An exponential's median is mean·ln 2 and its sd equals its mean; a Poisson count's median is near its mean.
    const sorted = [...draws].sort((a, b) => a - b)
    const median = sorted[draws.length / 2] as number
    expect(median / meanMs).toBeGreaterThan(0.66)
    expect(median / meanMs).toBeLessThan(0.73)
    const sd = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length)
    expect(sd / mean).toBeGreaterThan(0.95)
    expect(sd / mean).toBeLessThan(1.05)
    // P(X > mean) = e^-1 for an exponential.
    const above = draws.filter((d) => d > meanMs).length / draws.length
    expect(above).toBeGreaterThan(0.35)
    expect(above).toBeLessThan(0.385)
  })

  it('is the inverse transform of one uniform draw, capped at EMBARGO_MEAN_FACTOR_MAX means and at least 1 ms', () => {
    const fixed = (u: number): Rng => ({ next: () => u, int: () => 0 })
    expect(drawEmbargoMs(fixed(0.5), 1000)).toBe(Math.round(-Math.log(0.5) * 1000))
    expect(drawEmbargoMs(fixed(1 - 1e-12), 1000)).toBe(EMBARGO_MEAN_FACTOR_MAX * 1000)
    expect(drawEmbargoMs(fixed(0), 1000)).toBe(1)
    expect(() => drawEmbargoMs(fixed(0.5), 0)).toThrow(RangeError)
  })
})

describe('EmbargoTimers', () => {
  it('fires once per id after its draw, unless cancelled', () => {
    const timers = new ManualTimers()
    const fired: string[] = []
    const embargo = new EmbargoTimers(timers, seededRng(5), 1000, (id) => fired.push(id))
    const waitA = embargo.start('a') as number
    embargo.start('b')
    expect(embargo.start('a')).toBeUndefined() // one timer per id
    embargo.cancel('b')
    expect(embargo.size).toBe(1)
    timers.advance(waitA - 1)
    expect(fired).toEqual([])
    timers.advance(1)
    expect(fired).toEqual(['a'])
    timers.advance(EMBARGO_MEAN_FACTOR_MAX * 1000)
    expect(fired).toEqual(['a'])
    expect(embargo.size).toBe(0)
  })
})
