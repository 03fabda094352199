import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LinkQueue, LinkQueueOverflowError, Uplink } from '../../../src/net/link-schedule.js'
import { seededRng } from '../../../src/util/rng.js'

const MiB = 1024 * 1024

describe('link schedule', () => {
  it('releases a chunk after the one-way latency', () => {
    const queue = new LinkQueue<string>(new Uplink(undefined), { latencyMs: 100, jitterMs: 0 }, seededRng(1), MiB)
    expect(queue.push(1_000, 'a', 10)).toBe(1_100)
    expect(queue.takeDue(1_099.9)).toEqual([])
    expect(queue.takeDue(1_100)).toEqual(['a'])
    expect(queue.length).toBe(0)
    expect(queue.queuedBytes).toBe(0)
  })

  it('paces by bandwidth: 1 MB on 10 Mbit/s takes 0.8 s more than 200 B', () => {
    const small = new LinkQueue(new Uplink(10), { latencyMs: 50, jitterMs: 0 }, seededRng(1), 64 * MiB)
    const large = new LinkQueue(new Uplink(10), { latencyMs: 50, jitterMs: 0 }, seededRng(1), 64 * MiB)
    const smallMs = small.push(0, 's', 200)
    const largeMs = large.push(0, 'l', 1_000_000)
    expect(smallMs).toBeCloseTo(50 + 0.16, 6)
    expect(largeMs - smallMs).toBeCloseTo(800 - 0.16, 6)
  })

  it('shares one uplink between connections: the second waits for the first to leave', () => {
    const uplink = new Uplink(8) // 1 byte per microsecond
    const a = new LinkQueue(uplink, { latencyMs: 10, jitterMs: 0 }, seededRng(1), 64 * MiB)
    const b = new LinkQueue(uplink, { latencyMs: 0, jitterMs: 0 }, seededRng(1), 64 * MiB)
    expect(a.push(0, 'a', 100_000)).toBeCloseTo(110, 6)
    // b's chunk starts once a's has left the uplink at 100 ms
    expect(b.push(1, 'b', 1_000)).toBeCloseTo(101, 6)
    // an idle uplink starts at once
    expect(b.push(500, 'c', 1_000)).toBeCloseTo(501, 6)
  })

  it('keeps order: a later chunk is never released before an earlier one, whatever the jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 50_000 })), {
          minLength: 2,
          maxLength: 60,
        }),
        (seed, sends) => {
          const queue = new LinkQueue<number>(
            new Uplink(100),
            { latencyMs: 40, jitterMs: 25 },
            seededRng(seed),
            64 * MiB,
          )
          let nowMs = 0
          const releases: number[] = []
          sends.forEach(([gapMs, bytes], i) => {
            nowMs += gapMs
            const releaseMs = queue.push(nowMs, i, bytes)
            // never earlier than the latency after the send
            expect(releaseMs).toBeGreaterThanOrEqual(nowMs + 40)
            releases.push(releaseMs)
          })
          for (let i = 1; i < releases.length; i++)
            expect(releases[i]).toBeGreaterThanOrEqual(releases[i - 1] as number)
          const taken: number[] = []
          for (let t = 0; queue.length > 0; t += 7) taken.push(...queue.takeDue(t))
          expect(taken).toEqual(sends.map((_, i) => i))
        },
      ),
    )
  })

  it('jitter stays within [0, jitterMs)', () => {
    const queue = new LinkQueue(new Uplink(undefined), { latencyMs: 100, jitterMs: 20 }, seededRng(7), MiB)
    const delays: number[] = []
    // sends far apart, so monotonicity never lifts a release
    for (let i = 0; i < 500; i++) delays.push(queue.push(i * 1_000, i, 1) - i * 1_000)
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(100)
    expect(Math.max(...delays)).toBeLessThan(120)
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(15)
  })

  it('bounds the bytes queued on one connection', () => {
    const queue = new LinkQueue(new Uplink(undefined), { latencyMs: 100, jitterMs: 0 }, seededRng(1), 1_000)
    queue.push(0, 'a', 600)
    expect(() => queue.push(0, 'b', 401)).toThrow(LinkQueueOverflowError)
    queue.push(0, 'c', 400)
    expect(queue.queuedBytes).toBe(1_000)
    expect(queue.takeDue(100)).toEqual(['a', 'c'])
    queue.push(100, 'd', 1_000)
    queue.clear()
    expect(queue.queuedBytes).toBe(0)
    expect(queue.nextReleaseMs()).toBeUndefined()
  })

  it('refuses a bad bandwidth or latency', () => {
    expect(() => new Uplink(0)).toThrow(RangeError)
    expect(() => new LinkQueue(new Uplink(1), { latencyMs: -1, jitterMs: 0 }, seededRng(1), 1)).toThrow(/latencyMs/)
  })
})
