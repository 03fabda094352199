import { describe, expect, it } from 'vitest'
import { RequestError, type RequestLimits } from '../../../src/net/network.js'
import { SCORE_BAN_DURATION_MS } from '../../../src/net/scores.js'
import { FRAME_OVERHEAD_BYTES, SimFabric, simAddress, transmitMs, WAN6 } from '../../../src/sim/network.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { fullMesh, link, MBIT, payload, TOPIC, testNet } from './helpers.js'

const NA_EAST_MS = 20
const LIMITS: RequestLimits = { requestBytesMax: 100_000, responseBytesMax: 100_000, timeoutMs: 5_000 }

/** Arrival of `bytes` of payload sent at `sentMs` on an idle link: serialisation, then latency, up to a whole ms. */
const arrival = (sentMs: number, bytes: number, bitsPerSec: number, latencyMs: number): number =>
  Math.ceil(sentMs + transmitMs(bytes + FRAME_OVERHEAD_BYTES, bitsPerSec) + latencyMs)

describe('SimFabric links', () => {
  it('a 1 MB block on a 10 Mbit/s uplink arrives 0.8 s after a 200 B tx would', async () => {
    const t = await testNet({ nodes: 2, gossip: 'flood' })
    await link(t, [[0, 1]])
    const sentSmall = t.s.nowMs()
    expect(await t.nets[0]!.publish(TOPIC, payload(200, 1))).toBe(1)
    await t.s.run()
    const sentBig = t.s.nowMs()
    await t.nets[0]!.publish(TOPIC, payload(1_000_000, 2))
    await t.s.run()
    const [small, big] = t.received[1]!
    // 200 B + 64 B framing at 10 Mbit/s = 0.2112 ms; 1,000,064 B = 800.0512 ms; plus 20 ms, rounded up
    expect(small!.atMs - sentSmall).toBe(21)
    expect(big!.atMs - sentBig).toBe(821)
    expect(small!.atMs).toBe(arrival(sentSmall, 200, 10 * MBIT, NA_EAST_MS))
    expect(big!.atMs).toBe(arrival(sentBig, 1_000_000, 10 * MBIT, NA_EAST_MS))
    expect(big!.atMs - sentBig - (small!.atMs - sentSmall)).toBe(800)
    // real byte counts, framing included, on both ends
    const bytes = 200 + 1_000_000 + 2 * FRAME_OVERHEAD_BYTES
    expect(t.nets[0]!.traffic()).toEqual({ bytesIn: 0, bytesOut: bytes })
    expect(t.nets[1]!.traffic()).toEqual({ bytesIn: bytes, bytesOut: 0 })
    expect(t.fabric.stats).toMatchObject({ bytesSent: bytes, bytesDelivered: bytes, gossipSent: 2, gossipDelivered: 2 })
  })

  it('queues sends on the uplink: a tx sent behind a block waits for it', async () => {
    const t = await testNet({ nodes: [{ uplinkBitsPerSec: 1 * MBIT }, {}], gossip: 'flood' })
    await link(t, [[0, 1]])
    const t0 = t.s.nowMs()
    void t.nets[0]!.publish(TOPIC, payload(10_000, 1))
    void t.nets[0]!.publish(TOPIC, payload(200, 2))
    await t.s.run()
    const [block, tx] = t.received[1]!.map((r) => r.atMs - t0)
    // block: 10,064 B at 1 Mbit/s = 80.512 ms; the tx leaves after it: + 2.112 ms; + 20 ms each
    expect(block).toBe(101)
    expect(tx).toBe(103)
    expect(tx).toBeGreaterThan(arrival(0, 200, 1 * MBIT, NA_EAST_MS)) // alone it would take 23 ms
  })

  it('a modelled downlink slows what it receives, from the first bit on', async () => {
    const t = await testNet({
      nodes: [{ uplinkBitsPerSec: 100 * MBIT }, { downlinkBitsPerSec: 1 * MBIT }, {}],
      gossip: 'flood',
    })
    await link(t, [
      [0, 1],
      [0, 2],
    ])
    const t0 = t.s.nowMs()
    void t.nets[0]!.publish(TOPIC, payload(10_000, 1))
    await t.s.run()
    // 0.805 ms on the uplink, but 80.512 ms through a 1 Mbit/s downlink that starts 20 ms after sending
    expect(t.received[1]![0]!.atMs - t0).toBe(Math.ceil(NA_EAST_MS + transmitMs(10_064, 1 * MBIT)))
    // the uplink sent it to node 1 first: node 2's copy waited for it
    expect(t.received[2]![0]!.atMs - t0).toBe(Math.ceil(NA_EAST_MS + 2 * transmitMs(10_064, 100 * MBIT)))
  })

  it('takes one-way latency from the region matrix and a round trip to connect', async () => {
    expect(WAN6.regions).toHaveLength(6)
    for (const [i, row] of WAN6.latencyMs.entries()) {
      expect(row[i]).toBe(20)
      for (const [j, ms] of row.entries()) {
        expect(ms).toBeGreaterThanOrEqual(20)
        expect(ms).toBeLessThanOrEqual(150)
        expect(WAN6.latencyMs[j]![i]).toBe(ms)
      }
    }
    const t = await testNet({
      nodes: [{ region: 'na-east' }, { region: 'asia-south' }, { region: 5 }],
      gossip: 'flood',
    })
    expect(t.fabric.baseLatencyMs(0, 1)).toBe(110)
    expect(t.fabric.baseLatencyMs(1, 2)).toBe(75)
    const connectedAt: number[] = []
    t.nets[1]!.on('peer:connect', () => connectedAt.push(t.s.nowMs()))
    t.nets[0]!.on('peer:connect', () => connectedAt.push(t.s.nowMs()))
    await link(t, [[0, 1]])
    expect(connectedAt).toEqual([220, 220])
    const t0 = t.s.nowMs()
    void t.nets[1]!.publish(TOPIC, payload(200, 1))
    await t.s.run()
    expect(t.received[0]![0]!.atMs - t0).toBe(111)
    expect(() => t.fabric.addNode({ region: 'mars', uplinkBitsPerSec: 1 })).toThrow(/unknown region/)
  })

  it('keeps each link in order like TCP, whatever the jitter', async () => {
    const t = await testNet({ nodes: 2, gossip: 'flood', jitterMs: 15, uplinkBitsPerSec: 100 * MBIT } as never)
    await link(t, [[0, 1]])
    const t0 = t.s.nowMs()
    for (let i = 0; i < 300; i++) void t.nets[0]!.publish(TOPIC, payload(200, i))
    await t.s.run()
    const got = t.validated[1]!
    expect(got.map((r) => new DataView(r.data.buffer).getUint32(0))).toEqual(Array.from({ length: 300 }, (_, i) => i))
    const times = got.map((r) => r.atMs - t0)
    // the jitter is there (20 ± 15 ms), and arrival times never go back
    expect(Math.min(...times)).toBeLessThan(35)
    expect(Math.max(...times)).toBeGreaterThan(30)
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!)
  })

  it('drops everything across a partition while connections stay open, and heal restores delivery', async () => {
    const t = await testNet({ nodes: 4, gossip: 'flood' })
    await link(t, fullMesh(4))
    t.fabric.partition([
      [0, 1],
      [2, 3],
    ])
    expect(t.fabric.isCut(0, 2)).toBe(true)
    expect(t.fabric.isCut(0, 1)).toBe(false)
    await t.nets[0]!.publish(TOPIC, payload(200, 1))
    await t.s.run()
    expect(t.received.map((r) => r.length)).toEqual([0, 1, 0, 0])
    expect(t.fabric.stats.cut).toBeGreaterThanOrEqual(2) // 0→2, 0→3 (and 1→2, 1→3 relays)
    expect(t.nets.map((n) => n.peers().length)).toEqual([3, 3, 3, 3])

    t.fabric.heal()
    await t.nets[0]!.publish(TOPIC, payload(200, 2))
    await t.s.run()
    expect(t.received.map((r) => r.length)).toEqual([0, 2, 1, 1])

    // nodes in no group form one more group
    t.fabric.partition([[0]])
    await t.nets[1]!.publish(TOPIC, payload(200, 3))
    await t.s.run()
    expect(t.received.map((r) => r.length)).toEqual([0, 2, 2, 2])
    expect(() => t.fabric.partition([[0], [0, 1]])).toThrow(/two groups/)
  })

  it('drops packets in flight when the partition starts before they arrive', async () => {
    const t = await testNet({ nodes: 2, gossip: 'flood' })
    await link(t, [[0, 1]])
    void t.nets[0]!.publish(TOPIC, payload(200, 1))
    await t.s.run({ untilMs: t.s.nowMs() + 10 })
    t.fabric.partition([[0], [1]])
    await t.s.run()
    expect(t.received[1]).toEqual([])
    expect(t.fabric.stats.cut).toBe(1)
  })

  it('loses gossip messages with the link loss probability, from the seeded rng', async () => {
    const t = await testNet({ nodes: 2, gossip: 'flood', loss: 0.25 })
    await link(t, [[0, 1]])
    for (let i = 0; i < 400; i++) void t.nets[0]!.publish(TOPIC, payload(100, i))
    await t.s.run()
    const got = t.received[1]!.length
    expect(t.fabric.stats.lost).toBe(400 - got)
    expect(got).toBeGreaterThan(260)
    expect(got).toBeLessThan(340)
  })
})

describe('SimNetwork requests', () => {
  async function pair() {
    const t = await testNet({ nodes: 3, subscribe: false })
    await link(t, [[0, 1]])
    const asked: string[] = []
    await t.nets[1]!.handle(
      '/echo',
      async (req, peer) => {
        asked.push(peer)
        return payload(new DataView(req.buffer, req.byteOffset).getUint32(0), 0)
      },
      LIMITS,
    )
    return { t, asked, a: t.nets[0]!, b: t.nets[1]! }
  }
  const ask = (n: number) => payload(1000, n)

  it('carries the request and the response over the link with their sizes', async () => {
    const { t, a, b, asked } = await pair()
    const t0 = t.s.nowMs()
    let doneAt = 0
    const response = a.request(b.peerId, '/echo', ask(50_000), LIMITS).finally(() => {
      doneAt = t.s.nowMs()
    })
    await t.s.run()
    expect((await response).byteLength).toBe(50_000)
    expect(asked).toEqual([a.peerId])
    const requestAt = arrival(t0, 1000, 10 * MBIT, NA_EAST_MS)
    expect(doneAt).toBe(arrival(requestAt, 50_000, 10 * MBIT, NA_EAST_MS))
    expect(doneAt - t0).toBe(82)
    expect(t.fabric.stats).toMatchObject({ requestsSent: 1, responsesSent: 1 })
  })

  it('times out at exactly timeoutMs of virtual time under a partition, and works again after heal', async () => {
    const { t, a, b, asked } = await pair()
    t.fabric.partition([[0], [1]])
    const t0 = t.s.nowMs()
    let failedAt = 0
    const failed = a.request(b.peerId, '/echo', ask(10), LIMITS).catch((err: unknown) => {
      failedAt = t.s.nowMs()
      return err
    })
    await t.s.run()
    const err = await failed
    expect(err).toBeInstanceOf(RequestError)
    expect((err as RequestError).code).toBe('TIMEOUT')
    expect(failedAt - t0).toBe(LIMITS.timeoutMs)
    expect(asked).toEqual([])
    expect(t.fabric.stats.cut).toBe(1)
    t.fabric.heal()
    const ok = a.request(b.peerId, '/echo', ask(10), LIMITS)
    await t.s.run()
    expect((await ok).byteLength).toBe(10)
  })

  it('fails with the codes of the interface', async () => {
    const { t, a, b } = await pair()
    await b.handle(
      '/throws',
      async () => {
        throw new Error('handler bug')
      },
      LIMITS,
    )
    await b.handle('/big', async () => new Uint8Array(200), { ...LIMITS, responseBytesMax: 100 })
    await b.handle('/slow', () => new Promise(() => {}), { ...LIMITS, timeoutMs: 100 })
    const code = async (p: Promise<unknown>): Promise<string> => {
      const settled = p.then(
        () => 'resolved',
        (err: unknown) => (err instanceof RequestError ? err.code : `other: ${String(err)}`),
      )
      await t.s.run()
      return settled
    }
    expect(await code(a.request(b.peerId, '/nobody', ask(1), LIMITS))).toBe('PROTOCOL')
    expect(await code(a.request(t.nets[2]!.peerId, '/echo', ask(1), LIMITS))).toBe('DIAL_FAILED')
    expect(await code(a.request('not-a-peer', '/echo', ask(1), LIMITS))).toBe('DIAL_FAILED')
    expect(await code(a.request(b.peerId, '/echo', ask(1), { ...LIMITS, requestBytesMax: 999 }))).toBe('TOO_LARGE')
    expect(await code(a.request(b.peerId, '/echo', ask(5000), { ...LIMITS, responseBytesMax: 4999 }))).toBe('TOO_LARGE')
    expect(await code(a.request(b.peerId, '/throws', ask(1), LIMITS))).toBe('RESET')
    expect(await code(a.request(b.peerId, '/big', ask(1), LIMITS))).toBe('RESET')
    const t0 = t.s.nowMs()
    expect(await code(a.request(b.peerId, '/slow', ask(1), LIMITS))).toBe('RESET')
    expect(t.s.nowMs() - t0).toBeLessThan(LIMITS.timeoutMs) // the handler's own 100 ms limit, not ours
    expect(() => a.request(b.peerId, '/echo', ask(1), { ...LIMITS, timeoutMs: -1 })).toThrow(RangeError)
  })

  it('rejects when the signal aborts, and with RESET when the connection closes', async () => {
    const { t, a, b } = await pair()
    await b.handle('/slow', () => new Promise(() => {}), LIMITS)
    const controller = new AbortController()
    let abortedAt = 0
    const abandoned = a.request(b.peerId, '/slow', ask(1), LIMITS, controller.signal).catch((err: unknown) => {
      abortedAt = t.s.nowMs()
      return err
    })
    t.s.setTimeout(() => controller.abort(), 300)
    await t.s.run()
    expect(await abandoned).toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/abandoned/) })
    expect(abortedAt).toBe(300 + 40)
    await expect(a.request(b.peerId, '/slow', ask(1), LIMITS, AbortSignal.abort())).rejects.toBeInstanceOf(RequestError)

    const cut = a.request(b.peerId, '/slow', ask(1), LIMITS).catch((err: unknown) => err)
    t.s.setTimeout(() => void b.hangUp(a.peerId), 50)
    await t.s.run()
    expect(await cut).toMatchObject({ code: 'RESET' })
    expect(t.s.pendingCount).toBe(0) // no timeout left behind
  })
})

describe('SimNetwork connections', () => {
  it('dials an address after one round trip: outbound on the dialer, inbound on the other', async () => {
    const t = await testNet({ nodes: 3, subscribe: false })
    const [a, b] = t.nets as [(typeof t.nets)[0], (typeof t.nets)[0]]
    expect(b.listenAddresses()).toEqual([`/sim/1/p2p/${b.peerId}`])
    expect(b.peerId).toBe('sim-000001')
    expect(simAddress(42)).toBe('/sim/42/p2p/sim-000042')
    const events: string[] = []
    a.on('peer:connect', (p) => events.push(`a+${p}@${t.s.nowMs()}`))
    b.on('peer:connect', (p) => events.push(`b+${p}@${t.s.nowMs()}`))
    a.on('peer:disconnect', (p) => events.push(`a-${p}@${t.s.nowMs()}`))
    b.on('peer:disconnect', (p) => events.push(`b-${p}@${t.s.nowMs()}`))
    const dialed = a.dial(b.listenAddresses()[0]!)
    await t.s.run()
    expect(await dialed).toBe(b.peerId)
    expect(events).toEqual([`a+${b.peerId}@40`, `b+${a.peerId}@40`])
    const groupOf = (n: { region: number }) => `sim:${n.region}`
    expect(a.peers()).toEqual([
      {
        id: b.peerId,
        addresses: [simAddress(1)],
        direction: 'outbound',
        group: groupOf(b),
        connectionType: 'full-relay',
        score: 0,
      },
    ])
    expect(b.peers()).toEqual([
      {
        id: a.peerId,
        addresses: [simAddress(0)],
        direction: 'inbound',
        group: groupOf(a),
        connectionType: 'inbound',
        score: 0,
      },
    ])
    // a second dial (either way) reuses the connection
    const again = b.dial(simAddress(0))
    await t.s.run()
    expect(await again).toBe(a.peerId)
    expect(a.peers()).toHaveLength(1)

    await a.hangUp(b.peerId)
    await t.s.run()
    expect(events.slice(2)).toEqual([`a-${b.peerId}@40`, `b-${a.peerId}@40`])
    expect(a.peers()).toEqual([])
    expect(b.peers()).toEqual([])
    await expect(a.dial('/sim/9/p2p/sim-000009')).rejects.toMatchObject({ code: 'DIAL_FAILED' })
    await expect(a.dial(simAddress(0))).rejects.toMatchObject({ code: 'DIAL_FAILED' })
  })

  it('a dial into a partition fails after the dial timeout', async () => {
    const t = await testNet({ nodes: 2, subscribe: false, dialTimeoutMs: 3000 })
    t.fabric.partition([[0], [1]])
    const dialed = t.nets[0]!.dial(simAddress(1)).catch((err: unknown) => err)
    await t.s.run()
    expect(await dialed).toMatchObject({ code: 'DIAL_FAILED' })
    expect(t.s.nowMs()).toBe(3000)
  })

  it('ban hangs up and refuses the peer both ways until unban', async () => {
    const t = await testNet({ nodes: 2, subscribe: false })
    const [a, b] = t.nets as [(typeof t.nets)[0], (typeof t.nets)[0]]
    await link(t, [[0, 1]])
    await a.ban(b.peerId, 'wrong chain')
    await t.s.run()
    expect(a.peers()).toEqual([])
    expect(b.peers()).toEqual([])
    expect(a.bans()).toEqual([{ peer: b.peerId, reason: 'wrong chain' }])
    expect(await t.fabric.connect(0, 1)).toBe(false)
    const fromB = t.fabric.connect(1, 0)
    await t.s.run()
    expect(await fromB).toBe(false)
    await a.unban(b.peerId)
    expect(a.bans()).toEqual([])
    await link(t, [[1, 0]])
    expect(a.peers()).toHaveLength(1)
  })

  it('reportPeer lowers the score; at -100 the peer is disconnected and banned for a while', async () => {
    const t = await testNet({ nodes: 2, subscribe: false })
    const [a, b] = t.nets as [(typeof t.nets)[0], (typeof t.nets)[0]]
    await link(t, [[0, 1]])
    a.reportPeer(b.peerId, 60, 'BAD_THING')
    expect(a.peers()[0]!.score).toBe(-60)
    a.reportPeer(b.peerId, 40, 'BAD_THING')
    await t.s.run()
    expect(a.peers()).toEqual([])
    expect(a.bans()).toEqual([{ peer: b.peerId, reason: 'score -100: BAD_THING' }])
    const refused = t.fabric.connect(1, 0)
    await t.s.run()
    expect(await refused).toBe(false)
    expect(() => a.reportPeer('nobody', 1, 'x')).toThrow(RangeError)
    // the ban is temporary, and the score starts again from 0
    t.s.setTimeout(() => {}, SCORE_BAN_DURATION_MS)
    await t.s.run()
    expect(a.bans()).toEqual([])
    await link(t, [[1, 0]])
    expect(a.peers()[0]!.score).toBe(0)
  })

  it('a stopped node drops everything and cannot start again', async () => {
    const t = await testNet({ nodes: 3, gossip: 'flood' })
    await link(t, fullMesh(3))
    const lost: string[] = []
    t.nets[1]!.on('peer:disconnect', (p) => lost.push(p))
    await t.nets[0]!.stop()
    await t.s.run()
    expect(lost).toEqual([t.nets[0]!.peerId])
    expect(t.nets[0]!.peers()).toEqual([])
    expect(await t.nets[0]!.publish(TOPIC, payload(10, 1))).toBe(0)
    expect(await t.nets[1]!.publish(TOPIC, payload(10, 2))).toBe(1)
    await t.s.run()
    expect(t.validated[0]).toEqual([])
    const refused = t.fabric.connect(1, 0)
    await t.s.run()
    expect(await refused).toBe(false)
    await expect(t.nets[0]!.start()).rejects.toThrow(/cannot be restarted/)
  })
})

describe('SimFabric determinism', () => {
  async function trace(seed: number): Promise<string[]> {
    const s = new SimScheduler({ seed, startMs: 0 })
    const fabric = new SimFabric({ scheduler: s, jitterMs: 10, loss: 0.05 })
    const out: string[] = []
    for (let i = 0; i < 40; i++) {
      const net = fabric.addNode({ region: s.rng.int(6), uplinkBitsPerSec: (5 + s.rng.int(50)) * MBIT })
      net.subscribe(
        TOPIC,
        async () => 'accept',
        (m) => out.push(`${s.nowMs()} ${i} ${m.from} ${m.data[3]}`),
      )
      await net.start()
    }
    void fabric.connectRandom(6)
    await s.run()
    for (let m = 0; m < 10; m++) void fabric.node(s.rng.int(40)).publish(TOPIC, payload(300 + m * 1000, m))
    await s.run()
    out.push(JSON.stringify(fabric.stats))
    return out
  }

  it('the same seed gives the same deliveries at the same times', async () => {
    const a = await trace(5)
    expect(a.length).toBeGreaterThan(300)
    expect(await trace(5)).toEqual(a)
    expect(await trace(6)).not.toEqual(a)
  })
})
