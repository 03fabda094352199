import { describe, expect, it } from 'vitest'
import { StatusDeadline } from '../../../src/net/status-deadline.js'
import { ManualTimers } from './helpers.js'

function setup(deadlineMs = 20_000) {
  const timers = new ManualTimers()
  const missed: string[] = []
  const deadline = new StatusDeadline({ timers, deadlineMs, onMissed: (peer) => missed.push(peer) })
  return { timers, missed, deadline }
}

describe('status deadline', () => {
  it('hands over a peer that has not completed the status exchange when its deadline passes', () => {
    const { timers, missed, deadline } = setup()
    deadline.watch('a')
    timers.advance(19_999)
    expect(missed).toEqual([])
    timers.advance(1)
    expect(missed).toEqual(['a'])
    expect(deadline.size).toBe(0)
  })

  it('spares a peer whose status arrived in time, and one that left', () => {
    const { timers, missed, deadline } = setup()
    deadline.watch('a')
    deadline.watch('b')
    timers.advance(5_000)
    deadline.clear('a')
    deadline.clear('b')
    timers.advance(60_000)
    expect(missed).toEqual([])
    expect(timers.pending).toBe(0)
  })

  it('runs one clock per peer: a second connection does not restart it', () => {
    const { timers, missed, deadline } = setup(1_000)
    deadline.watch('a')
    timers.advance(600)
    deadline.watch('a')
    timers.advance(400)
    expect(missed).toEqual(['a'])
  })

  it('stops every clock at stop and starts none after', () => {
    const { timers, missed, deadline } = setup(1_000)
    deadline.watch('a')
    deadline.stop()
    deadline.watch('b')
    timers.advance(5_000)
    expect(missed).toEqual([])
    expect(timers.pending).toBe(0)
  })
})
