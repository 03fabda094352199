import { describe, expect, it } from 'vitest'
import { FutureMessages } from '../../../src/node/future-messages.js'

describe('messages of coming heights', () => {
  it('keeps only the next heights, at most a share each, and hands a height its own once', () => {
    const future = new FutureMessages<string>(2, 3)
    expect(future.add(5n, 5n, 'current')).toBe(false)
    expect(future.add(8n, 5n, 'too far')).toBe(false)
    for (let i = 0; i < 5; i++) future.add(6n, 5n, `a${i}`)
    future.add(7n, 5n, 'b')
    expect(future.size).toBe(4)
    expect(future.take(6n)).toEqual(['a0', 'a1', 'a2'])
    expect(future.take(6n)).toEqual([])
    expect(future.take(7n)).toEqual(['b'])
    expect(future.size).toBe(0)
  })

  it('forgets heights below the one taken', () => {
    const future = new FutureMessages<string>(2, 10)
    future.add(6n, 5n, 'x')
    future.add(7n, 5n, 'y')
    expect(future.take(7n)).toEqual(['y'])
    expect(future.size).toBe(0)
  })
})
