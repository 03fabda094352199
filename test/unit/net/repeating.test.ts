import { describe, expect, it } from 'vitest'
import { RepeatingTasks } from '../../../src/net/repeating.js'
import { ManualTimers } from './helpers.js'

describe('RepeatingTasks', () => {
  it('runs each task every interval, first one interval from now, and never after stop', () => {
    const timers = new ManualTimers()
    const tasks = new RepeatingTasks(timers)
    const runs: string[] = []
    tasks.every(100, () => runs.push(`a@${timers.nowMs()}`))
    tasks.every(250, () => runs.push(`b@${timers.nowMs()}`))
    timers.advance(99)
    expect(runs).toEqual([])
    timers.advance(201)
    expect(runs).toEqual(['a@100', 'a@200', 'b@250', 'a@300'])
    tasks.stop()
    expect(timers.pending).toBe(0)
    timers.advance(1_000)
    expect(runs).toHaveLength(4)
  })
})
