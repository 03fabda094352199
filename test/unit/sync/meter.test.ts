import { describe, expect, it } from 'vitest'
import { SyncMeter } from '../../../src/sync/meter.js'
import type { SyncProgress } from '../../../src/sync/types.js'
import { ManualClock } from '../../../src/util/clock.js'

const blocks = (sinceMs: number, doneHeight: number, targetHeight: number): SyncProgress => ({
  state: 'blocks',
  peer: 'peer-a',
  sinceMs,
  doneHeight,
  targetHeight,
  peerCount: 2,
  downloadedHeight: doneHeight,
})

describe('SyncMeter', () => {
  it('reports idle as done = target = head, with no rate and no ETA', () => {
    const meter = new SyncMeter(new ManualClock(1000))
    expect(meter.status({ state: 'idle' }, 42)).toEqual({
      state: 'idle',
      doneHeight: 42,
      targetHeight: 42,
      blocksPerSecond: 0,
      etaSeconds: null,
      peer: null,
    })
  })

  it('measures blocks per second over the run and the time left at that rate', () => {
    const clock = new ManualClock(10_000)
    const meter = new SyncMeter(clock)
    for (let h = 0; h <= 100; h += 10) {
      meter.record(h)
      clock.advance(1000)
    }
    // 100 blocks in 11 s since the first sample of the run.
    const status = meter.status(blocks(10_000, 100, 1100), 100)
    expect(status.state).toBe('blocks')
    expect(status.blocksPerSecond).toBeCloseTo(9.1, 1)
    expect(status.etaSeconds).toBe(Math.ceil(1000 / (100 / 11)))
    expect(status.peer).toBe('peer-a')
  })

  it('ignores heads recorded before the run began and outside the window', () => {
    const clock = new ManualClock(0)
    const meter = new SyncMeter(clock, 10_000)
    meter.record(0)
    clock.advance(1000)
    meter.record(500) // a jump before the run: not this run's speed
    clock.advance(1000)
    const status = meter.status(blocks(2000, 500, 900), 500)
    expect(status.blocksPerSecond).toBe(0)
    expect(status.etaSeconds).toBeNull()
    meter.record(520)
    clock.advance(20_000) // past the window: nothing left to measure
    expect(meter.status(blocks(2000, 520, 900), 520).blocksPerSecond).toBe(0)
  })

  it('never reports a target below the head, nor a negative ETA', () => {
    const clock = new ManualClock(0)
    const meter = new SyncMeter(clock)
    meter.record(10)
    clock.advance(1000)
    meter.record(20)
    const status = meter.status(blocks(0, 15, 12), 20)
    expect(status.doneHeight).toBe(20)
    expect(status.targetHeight).toBe(20)
    expect(status.etaSeconds).toBe(0)
  })
})
