import { describe, expect, it } from 'vitest'
import { TRACE_VERSION, type TraceEvent } from '../../../src/trace/format.js'
import { TraceWriter, type TraceWriterLimits } from '../../../src/trace/writer.js'
import { FakeTime, MemorySink, settle } from './fake-time.js'

const START = { peerId: '12D3KooWtest', pid: 42 }

function setup(limits: Partial<TraceWriterLimits> = {}) {
  const time = new FakeTime()
  const sink = new MemorySink()
  const errors: unknown[] = []
  const writer = new TraceWriter({ sink, clock: time, timers: time, onError: (err) => errors.push(err) }, START, limits)
  return { time, sink, writer, errors }
}

const tx = (t: number, id: string): TraceEvent => ({ t, e: 'tx', id, from: 'local' })

describe('TraceWriter', () => {
  it('writes start first and stop last, with the version, peer id, pid and times', async () => {
    const { time, sink, writer } = setup()
    const t0 = time.nowMs()
    writer.write(tx(t0, 'aa'))
    time.advance(1000)
    await writer.stop()
    const events = sink.events()
    expect(events[0]).toEqual({ t: t0, e: 'start', v: TRACE_VERSION, peerId: START.peerId, pid: 42 })
    expect(events[1]).toEqual(tx(t0, 'aa'))
    expect(events.at(-1)).toEqual({ t: t0 + 1000, e: 'stop' })
    expect(events).toHaveLength(3)
    expect(sink.closed).toBe(true)
  })

  it('keeps the order of the writes', async () => {
    const { time, sink, writer } = setup({ flushBytes: 200 })
    for (let i = 0; i < 50; i++) {
      writer.write(tx(time.nowMs(), `id${i}`))
      if (i % 7 === 0) time.advance(100)
      if (i % 11 === 0) await settle()
    }
    await writer.stop()
    const ids = sink.events().flatMap((e) => (e.e === 'tx' ? [e.id] : []))
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => `id${i}`))
  })

  it('batches lines into one write per flush interval', async () => {
    const { time, sink, writer } = setup({ flushIntervalMs: 250 })
    for (let i = 0; i < 10; i++) writer.write(tx(time.nowMs(), `a${i}`))
    expect(sink.writes).toHaveLength(0) // nothing written before the interval
    time.advance(249)
    expect(sink.writes).toHaveLength(0)
    time.advance(1)
    await settle()
    expect(sink.writes).toHaveLength(1) // start + 10 lines in one write
    expect(sink.writes[0]?.split('\n').filter(Boolean)).toHaveLength(11)
    for (let i = 0; i < 5; i++) writer.write(tx(time.nowMs(), `b${i}`))
    time.advance(250)
    await settle()
    expect(sink.writes).toHaveLength(2)
    expect(writer.stats.writes).toBe(2)
  })

  it('writes at once when the buffer reaches flushBytes, without waiting for the timer', async () => {
    const { time, sink, writer } = setup({ flushIntervalMs: 10_000, flushBytes: 1024 })
    const line = `${JSON.stringify(tx(time.nowMs(), 'x'.repeat(64)))}\n`
    const needed = Math.ceil(1024 / line.length)
    for (let i = 0; i < needed; i++) writer.write(tx(time.nowMs(), 'x'.repeat(64)))
    await settle()
    expect(sink.writes).toHaveLength(1)
    await writer.stop()
  })

  it('arms no timer while idle', async () => {
    const { time, writer } = setup()
    time.advance(250)
    await settle()
    expect(time.pending).toBe(0) // the start line went out; nothing left to flush
    await writer.stop()
  })

  it('has one write in flight at a time; lines written meanwhile go in the next', async () => {
    const { time, sink, writer } = setup({ flushIntervalMs: 100 })
    sink.hold()
    writer.write(tx(time.nowMs(), 'first'))
    time.advance(100) // flush 1 starts and hangs
    writer.write(tx(time.nowMs(), 'second'))
    time.advance(1000) // no second write while the first is in flight
    expect(writer.stats.writes).toBe(1)
    sink.release()
    await settle()
    time.advance(100)
    await settle()
    expect(writer.stats.writes).toBe(2)
    expect(sink.writes[1]).toContain('second')
    await writer.stop()
  })

  it('bounds its memory: past bufferBytesMax lines are dropped and one dropped line counts them, in place', async () => {
    const { time, sink, writer } = setup({ flushIntervalMs: 100, flushBytes: 512, bufferBytesMax: 2048 })
    sink.hold() // the disk stalls
    let written = 0
    for (let i = 0; i < 200; i++) {
      writer.write(tx(time.nowMs(), `stall${i}`))
      written++
    }
    expect(writer.stats.dropped).toBeGreaterThan(100)
    const dropped = writer.stats.dropped
    sink.release()
    await settle()
    writer.write(tx(time.nowMs(), 'after'))
    await writer.stop()
    const events = sink.events()
    const kept = events.filter((e) => e.e === 'tx' && e.id.startsWith('stall'))
    expect(kept.length + dropped).toBe(written) // nothing lost without being counted
    const marks = events.filter((e) => e.e === 'dropped')
    expect(marks).toEqual([{ t: time.nowMs(), e: 'dropped', n: dropped }])
    // the dropped line sits after the kept lines and before the next one
    const at = events.findIndex((e) => e.e === 'dropped')
    expect(events[at - 1]).toMatchObject({ e: 'tx', id: (kept.at(-1) as { id: string }).id })
    expect(events[at + 1]).toMatchObject({ e: 'tx', id: 'after' })
    expect(events.at(-1)?.e).toBe('stop')
  })

  it('counts the lines of a failed write as dropped, reports the error and goes on', async () => {
    const { time, sink, writer, errors } = setup({ flushIntervalMs: 100 })
    time.advance(100) // the start line lands
    await settle()
    writer.write(tx(time.nowMs(), 'lost1'))
    writer.write(tx(time.nowMs(), 'lost2'))
    sink.fail()
    time.advance(100)
    await settle()
    expect(errors).toHaveLength(1)
    expect(writer.stats.dropped).toBe(2)
    writer.write(tx(time.nowMs(), 'kept'))
    await writer.stop()
    const events = sink.events()
    expect(events.map((e) => e.e)).toEqual(['start', 'dropped', 'tx', 'stop'])
    expect(events[1]).toMatchObject({ n: 2 })
  })

  it('reports lines dropped just before stop ahead of the stop line', async () => {
    const { time, sink, writer } = setup({ flushIntervalMs: 100 })
    writer.write(tx(time.nowMs(), 'lost'))
    sink.fail()
    time.advance(100)
    await writer.stop()
    expect(sink.events().map((e) => e.e)).toEqual(['dropped', 'stop'])
  })

  it('ignores writes after stop, and a second stop', async () => {
    const { time, sink, writer } = setup()
    await writer.stop()
    writer.write(tx(time.nowMs(), 'late'))
    await writer.stop()
    expect(sink.events().map((e) => e.e)).toEqual(['start', 'stop'])
  })

  it('refuses limits that are not positive integers', () => {
    expect(() => setup({ flushIntervalMs: 0 })).toThrow(/flushIntervalMs/)
    expect(() => setup({ bufferBytesMax: 1.5 })).toThrow(/bufferBytesMax/)
  })
})
