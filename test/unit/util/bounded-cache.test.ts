import { describe, expect, it } from 'vitest'
import { BoundedCache } from '../../../src/util/bounded-cache.js'

describe('BoundedCache', () => {
  it('never holds more than its bound', () => {
    const c = new BoundedCache<number, number>(100)
    for (let i = 0; i < 10_000; i++) {
      c.set(i, i)
      expect(c.size).toBeLessThanOrEqual(100)
    }
  })

  it('keeps recently used entries and drops the least recently used', () => {
    const c = new BoundedCache<string, number>(4)
    c.set('a', 1)
    c.set('b', 2) // young full → old {a, b}
    expect(c.get('a')).toBe(1) // promoted into the young generation
    c.set('c', 3) // young {a, c} full → old {a, c}; b dropped
    expect(c.has('b')).toBe(false)
    expect(c.get('a')).toBe(1)
    expect(c.get('c')).toBe(3)
  })

  it('stores null values and tells them from absence', () => {
    const c = new BoundedCache<string, null>(10)
    c.set('x', null)
    expect(c.has('x')).toBe(true)
    expect(c.get('x')).toBeNull()
    expect(c.get('y')).toBeUndefined()
  })

  it('holds nothing with a bound of 0, and refuses a bad bound', () => {
    const c = new BoundedCache<string, number>(0)
    c.set('a', 1)
    expect(c.size).toBe(0)
    expect(() => new BoundedCache(-1)).toThrow(RangeError)
  })

  it('deletes from either generation', () => {
    const c = new BoundedCache<string, number>(4)
    c.set('a', 1)
    c.set('b', 2)
    c.set('c', 3)
    c.delete('a')
    c.delete('c')
    expect(c.has('a') || c.has('c')).toBe(false)
    expect(c.get('b')).toBe(2)
  })
})
