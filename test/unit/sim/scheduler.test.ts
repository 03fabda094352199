import { describe, expect, it } from 'vitest'
import { SIM_START_MS, SimScheduler } from '../../../src/sim/scheduler.js'
import { sleep } from '../../../src/util/timers.js'

/** A run of `count` timers that reschedule themselves at random delays: the (time, id) sequence it produces. */
async function randomTrace(seed: number, count = 200): Promise<string[]> {
  const s = new SimScheduler({ seed, startMs: 0 })
  const trace: string[] = []
  for (let id = 0; id < count; id++) {
    let left = 5
    const fire = (): void => {
      trace.push(`${s.nowMs()}:${id}`)
      if (--left > 0) s.setTimeout(fire, s.rng.int(20))
    }
    s.setTimeout(fire, s.rng.int(50))
  }
  await s.run()
  return trace
}

describe('SimScheduler', () => {
  it('starts at a realistic epoch time and runs timers in time order, reading the virtual clock', async () => {
    const s = new SimScheduler()
    expect(s.nowMs()).toBe(SIM_START_MS)
    const seen: Array<[string, number]> = []
    s.setTimeout(() => seen.push(['c', s.nowMs()]), 300)
    s.setTimeout(() => seen.push(['a', s.nowMs()]), 100)
    s.setTimeout(() => seen.push(['b', s.nowMs()]), 200)
    const result = await s.run()
    expect(seen).toEqual([
      ['a', SIM_START_MS + 100],
      ['b', SIM_START_MS + 200],
      ['c', SIM_START_MS + 300],
    ])
    expect(result).toEqual({ stop: 'idle', events: 3, nowMs: SIM_START_MS + 300 })
    expect(s.eventsRun).toBe(3)
    expect(s.elapsedMs()).toBe(300)
  })

  it('runs timers due at the same ms in the order they were set, including ones set while running', async () => {
    const s = new SimScheduler({ startMs: 0 })
    const order: string[] = []
    for (const name of ['first', 'second', 'third']) s.setTimeout(() => order.push(name), 10)
    s.setTimeout(() => {
      order.push('at 5')
      s.setTimeout(() => order.push('set at 5 for 10'), 5)
    }, 5)
    s.setTimeout(() => order.push('fourth'), 10)
    await s.run()
    expect(order).toEqual(['at 5', 'first', 'second', 'third', 'fourth', 'set at 5 for 10'])
  })

  it('gives the same event sequence for the same seed, and another for another seed', async () => {
    const a = await randomTrace(42)
    const b = await randomTrace(42)
    const c = await randomTrace(43)
    expect(a).toHaveLength(1000)
    expect(b).toEqual(a)
    expect(c).not.toEqual(a)
  })

  it('clearTimeout cancels a pending timer; clearing a fired or foreign handle is harmless', async () => {
    const s = new SimScheduler({ startMs: 0 })
    const ran: number[] = []
    const keep = s.setTimeout(() => ran.push(1), 10)
    const drop = s.setTimeout(() => ran.push(2), 10)
    s.setTimeout(() => ran.push(3), 20)
    expect(s.pendingCount).toBe(3)
    s.clearTimeout(drop)
    s.clearTimeout(drop)
    s.clearTimeout(undefined)
    s.clearTimeout({})
    expect(s.pendingCount).toBe(2)
    await s.run()
    s.clearTimeout(keep)
    expect(ran).toEqual([1, 3])
    expect(s.pendingCount).toBe(0)
  })

  it('skips instants whose timers were all cancelled, and keeps order through compaction of many cancellations', async () => {
    const s = new SimScheduler({ startMs: 0 })
    const ran: number[] = []
    const handles = []
    for (let i = 0; i < 5000; i++) {
      const h = s.setTimeout(() => ran.push(i), 1 + (i % 100))
      if (i % 10 !== 0) handles.push(h)
    }
    const lone = s.setTimeout(() => ran.push(-1), 10_000)
    for (const h of handles) s.clearTimeout(h)
    s.clearTimeout(lone)
    expect(s.pendingCount).toBe(500)
    const result = await s.run()
    const expected = Array.from({ length: 500 }, (_, k) => k * 10).sort((a, b) => (a % 100) - (b % 100) || a - b)
    expect(ran).toEqual(expected)
    // the cancelled timer at 10 s never moved the clock
    expect(result.nowMs).toBe(91)
  })

  it('rounds delays up to whole ms and never below 1 ms, like Node', async () => {
    const s = new SimScheduler({ startMs: 0 })
    const at: number[] = []
    s.setTimeout(() => at.push(s.nowMs()), 0)
    s.setTimeout(() => at.push(s.nowMs()), -5)
    s.setTimeout(() => at.push(s.nowMs()), Number.NaN)
    s.setTimeout(() => at.push(s.nowMs()), 2.2)
    await s.run()
    expect(at).toEqual([1, 1, 1, 3])
  })

  it('lets the promises an event starts settle before time moves on', async () => {
    const s = new SimScheduler({ startMs: 0 })
    const observed: Array<[string, number]> = []
    const chain = async (): Promise<void> => {
      const startedAt = s.nowMs()
      for (let i = 0; i < 100; i++) await Promise.resolve()
      await new Promise<void>((resolve) => queueMicrotask(resolve))
      observed.push(['chain end', s.nowMs()])
      expect(s.nowMs()).toBe(startedAt)
      // a continuation can schedule more work at this same instant's clock
      await sleep(s, 5)
      observed.push(['chain after sleep', s.nowMs()])
    }
    s.setTimeout(() => void chain(), 10)
    s.setTimeout(() => observed.push(['next instant', s.nowMs()]), 11)
    await s.run()
    expect(observed).toEqual([
      ['chain end', 10],
      ['next instant', 11],
      ['chain after sleep', 15],
    ])
  })

  it('settles an instant of machinery events (atSync) only when one of them started async work', async () => {
    const s = new SimScheduler({ startMs: 0 })
    const observed: Array<[string, number]> = []
    const chain = async (name: string): Promise<void> => {
      for (let i = 0; i < 10; i++) await Promise.resolve()
      observed.push([name, s.nowMs()])
    }
    // machinery that hands work on says so: its instant settles before time moves on
    s.atSync(
      10,
      () => {
        s.startedAsyncWork()
        void chain('announced')
      },
      undefined,
    )
    // machinery alone: no turn of the event loop, so an unannounced promise runs late (the rule it must keep)
    s.atSync(20, () => void chain('unannounced'), undefined)
    s.atSync(21, () => observed.push(['next machinery instant', s.nowMs()]), undefined)
    s.setTimeout(() => observed.push(['timer', s.nowMs()]), 30)
    await s.run()
    expect(observed).toEqual([
      ['announced', 10],
      ['next machinery instant', 21],
      ['timer', 30],
      ['unannounced', 30],
    ])
  })

  it('lets work the caller started schedule its timers before it looks at the queue', async () => {
    const s = new SimScheduler({ startMs: 0 })
    const log: string[] = []
    const task = async (): Promise<void> => {
      await Promise.resolve()
      await sleep(s, 30)
      log.push(`woke at ${s.nowMs()}`)
    }
    void task()
    expect(s.pendingCount).toBe(0) // nothing scheduled yet: the task is one await away from its timer
    expect(await s.run()).toEqual({ stop: 'idle', events: 1, nowMs: 30 })
    expect(log).toEqual(['woke at 30'])
  })

  it('moves the clock to untilMs when nothing is due before it', async () => {
    const s = new SimScheduler({ startMs: 0 })
    expect(await s.run({ untilMs: 60_000 })).toEqual({ stop: 'idle', events: 0, nowMs: 60_000 })
    expect(await s.run()).toEqual({ stop: 'idle', events: 0, nowMs: 60_000 })
  })

  it('stops at untilMs with the clock there, at until(), or after eventsMax events', async () => {
    const s = new SimScheduler({ startMs: 0 })
    let count = 0
    for (let t = 1; t <= 100; t++) s.setTimeout(() => count++, t)
    expect(await s.run({ untilMs: 40.5 })).toEqual({ stop: 'untilMs', events: 40, nowMs: 40 })
    expect(s.nowMs()).toBe(40)
    expect(await s.run({ untilMs: 45 })).toEqual({ stop: 'untilMs', events: 5, nowMs: 45 })
    expect(await s.run({ until: () => count >= 50 })).toEqual({ stop: 'until', events: 5, nowMs: 50 })
    expect(await s.run({ until: () => count >= 50 })).toMatchObject({ stop: 'until', events: 0 })
    expect(await s.run({ eventsMax: 5 })).toEqual({ stop: 'eventsMax', events: 5, nowMs: 55 })
    expect(await s.run()).toEqual({ stop: 'idle', events: 45, nowMs: 100 })
    expect(count).toBe(100)
  })

  it('fails run() with the error of a throwing callback, after the other events of its instant ran', async () => {
    const s = new SimScheduler({ startMs: 0 })
    const ran: string[] = []
    s.setTimeout(() => {
      throw new Error('sim bug')
    }, 5)
    s.setTimeout(() => ran.push('same instant'), 5)
    s.setTimeout(() => ran.push('later'), 6)
    await expect(s.run()).rejects.toThrow('sim bug')
    expect(ran).toEqual(['same instant'])
    expect(s.nowMs()).toBe(5)
    // the run can go on
    await s.run()
    expect(ran).toEqual(['same instant', 'later'])

    s.setTimeout(() => {
      throw new Error('one')
    }, 1)
    s.setTimeout(() => {
      throw new Error('two')
    }, 1)
    const err = await s.run().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AggregateError)
    expect((err as AggregateError).errors.map((e: Error) => e.message)).toEqual(['one', 'two'])
  })

  it('refuses a second concurrent run', async () => {
    const s = new SimScheduler()
    s.setTimeout(() => {}, 1)
    const first = s.run()
    await expect(s.run()).rejects.toThrow(/already running/)
    await first
  })
})
