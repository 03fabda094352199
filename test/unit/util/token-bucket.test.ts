import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/util/clock.js'
import { KeyedBuckets, TokenBucket } from '../../../src/util/token-bucket.js'

describe('TokenBucket', () => {
  it('allows a burst of its capacity, then refills at its rate', () => {
    const clock = new ManualClock(1_000)
    const bucket = new TokenBucket({ capacity: 3, ratePerSec: 2 }, clock)
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false])
    expect(bucket.waitMs()).toBe(500)
    clock.advance(499)
    expect(bucket.tryTake()).toBe(false)
    clock.advance(1)
    expect(bucket.tryTake()).toBe(true)
    clock.advance(60_000)
    expect(bucket.available()).toBe(3)
  })

  it('a failed take takes nothing', () => {
    const clock = new ManualClock()
    const bucket = new TokenBucket({ capacity: 10, ratePerSec: 1 }, clock)
    expect(bucket.tryTake(11)).toBe(false)
    expect(bucket.available()).toBe(10)
    expect(bucket.waitMs(11)).toBe(Number.POSITIVE_INFINITY)
  })

  it('a charge can leave it in debt, which later takes wait out', () => {
    const clock = new ManualClock()
    const bucket = new TokenBucket({ capacity: 100, ratePerSec: 100 }, clock)
    bucket.charge(300)
    expect(bucket.available()).toBe(-200)
    expect(bucket.tryTake()).toBe(false)
    expect(bucket.waitMs(1)).toBe(2_010)
    clock.advance(2_010)
    expect(bucket.tryTake()).toBe(true)
  })

  it('refuses a nonsensical rate', () => {
    const clock = new ManualClock()
    expect(() => new TokenBucket({ capacity: 0, ratePerSec: 1 }, clock)).toThrow(RangeError)
    expect(() => new TokenBucket({ capacity: 1, ratePerSec: -1 }, clock)).toThrow(RangeError)
    expect(() => new TokenBucket({ capacity: Number.NaN, ratePerSec: 1 }, clock)).toThrow(RangeError)
  })
})

describe('KeyedBuckets', () => {
  it('keeps one bucket per key', () => {
    const clock = new ManualClock()
    const buckets = new KeyedBuckets<string>({ capacity: 1, ratePerSec: 1 }, clock)
    expect(buckets.tryTake('a')).toBe(true)
    expect(buckets.tryTake('a')).toBe(false)
    expect(buckets.tryTake('b')).toBe(true)
  })

  it('holds at most keysMax buckets, dropping full ones first and then the oldest', () => {
    const clock = new ManualClock()
    const buckets = new KeyedBuckets<number>({ capacity: 2, ratePerSec: 1 }, clock, 3)
    buckets.charge(1, 2)
    buckets.charge(2, 2)
    buckets.get(3) // full: the one to drop
    buckets.charge(4, 2)
    expect(buckets.size).toBe(3)
    expect(buckets.get(1).available()).toBe(0) // kept: still in debt to its rate
    buckets.charge(5, 2) // no full bucket left: the oldest (1) goes
    expect(buckets.size).toBe(3)
    expect(buckets.get(2).available()).toBe(0)
  })
})
