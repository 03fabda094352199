import { describe, expect, it } from 'vitest'
import { DISCOURAGE_DURATION_MS, DiscouragementFilter } from '../../../src/net/discouraged.js'
import { manualClock } from './helpers.js'

describe('DiscouragementFilter', () => {
  it('refuses a discouraged key until its time runs out, then forgets it', () => {
    const clock = manualClock()
    const filter = new DiscouragementFilter(clock.nowMs)
    filter.add('peer-a', 'bad block')
    expect(filter.has('peer-a')).toBe(true)
    expect(filter.has('peer-b')).toBe(false)
    clock.advance(DISCOURAGE_DURATION_MS - 1)
    expect(filter.has('peer-a')).toBe(true)
    clock.advance(1)
    expect(filter.has('peer-a')).toBe(false)
    expect(filter.size).toBe(0)
  })

  it('is bounded: past its size the oldest entry goes, and discouraging again makes an entry new', () => {
    const filter = new DiscouragementFilter(manualClock().nowMs, 3)
    for (const key of ['a', 'b', 'c']) filter.add(key, 'x')
    filter.add('a', 'again') // a is now the newest
    filter.add('d', 'x')
    expect(['a', 'b', 'c', 'd'].filter((k) => filter.has(k))).toEqual(['a', 'c', 'd'])
    expect(filter.size).toBe(3)
  })

  it('lifts an entry on remove', () => {
    const filter = new DiscouragementFilter(manualClock().nowMs)
    filter.add('10.0.0.1', 'x')
    filter.remove('10.0.0.1')
    expect(filter.has('10.0.0.1')).toBe(false)
  })
})
