/** Stall timeouts double per stall (to a cap) and go back to the base on an answer, as Bitcoin Core's block stalling timeout. */
import { beforeAll, describe, expect, it } from 'vitest'
import { RequestError } from '../../../src/net/network.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { StallTimeout } from '../../../src/sync/deadline.js'
import { Synchronizer } from '../../../src/sync/synchronizer.js'
import { ManualClock } from '../../../src/util/clock.js'
import { openTestChain, type TestChain } from '../../helpers/chain.js'
import { drive, encode, type FakePeer, fakeFns, sourceChain, stall } from './helpers.js'

let source: TestChain

beforeAll(async () => {
  ;({ source } = await sourceChain(20))
})

describe('StallTimeout', () => {
  it('doubles per stall up to its cap, and an answer puts it back to the base', async () => {
    const t = new StallTimeout(100, 500)
    const timeout = () => t.track(Promise.reject(new RequestError('TIMEOUT', 'slow')))
    const ms: number[] = []
    for (let i = 0; i < 5; i++) {
      await timeout().catch(() => undefined)
      ms.push(t.ms)
    }
    expect(ms).toEqual([200, 400, 500, 500, 500])
    // Other failures are not stalls.
    await t.track(Promise.reject(new RequestError('RESET', 'gone'))).catch(() => undefined)
    expect(t.ms).toBe(500)
    await t.track(Promise.resolve(1))
    expect(t.ms).toBe(100)
  })
})

describe('Synchronizer stall deadlines', () => {
  it('gives each stalling peer twice the time of the one before, up to the cap', async () => {
    const s = new SimScheduler({ seed: 5, startMs: 0 })
    const local = await openTestChain({ clock: new ManualClock(source.clock.nowMs()) })
    // Every peer ignores its signal and never answers: only the synchronizer's deadline ends each request.
    const peers: FakePeer[] = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, chain: source, intercept: () => stall() }))
    const fns = fakeFns(local, peers, s)
    const chargedAt: number[] = []
    const sync = new Synchronizer(
      {
        ...fns,
        reportPeer: (p, penalty, reason) => {
          chargedAt.push(s.nowMs())
          fns.reportPeer(p, penalty, reason)
        },
      },
      { clock: s, timers: s, rng: s.rng, requestTimeoutMs: 100, requestTimeoutMaxMs: 400 },
    )
    await drive(s, sync.sync())
    // 100, then 200, 400, 400, 400 after each other.
    expect(chargedAt).toEqual([100, 300, 700, 1100, 1500])
    expect(sync.requestTimeoutMs).toBe(400)
  })

  it('cuts a stalling peer at the base again once another has answered', async () => {
    const s = new SimScheduler({ seed: 6, startMs: 0 })
    const local = await openTestChain({ clock: new ManualClock(source.clock.nowMs()) })
    let firstDone = false
    // 'slow' stalls on its first request only (doubling the deadline); then 'good' answers.
    const peers: FakePeer[] = [
      {
        id: 'slow',
        chain: source,
        intercept: async (req, answer) => {
          if (!firstDone) {
            firstDone = true
            return stall()
          }
          if (req.blockHashes.length > 0) return stall()
          return encode(await answer())
        },
      },
      { id: 'good', chain: source, latencyMs: () => 1 },
    ]
    const fns = fakeFns(local, peers, s)
    const sync = new Synchronizer(fns, {
      clock: s,
      timers: s,
      rng: s.rng,
      requestTimeoutMs: 100,
      requestTimeoutMaxMs: 1600,
    })
    await drive(s, sync.sync('slow'))
    expect(local.chain.head.id).toBe(source.chain.head.id)
    expect(sync.requestTimeoutMs).toBe(100)
    expect(fns.reports.map((r) => r.peer)).toEqual(['slow'])
  })
})
