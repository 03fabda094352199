import { describe, expect, it } from 'vitest'
import { GOSSIP_DEFAULTS, type GossipModel } from '../../../src/sim/network.js'
import { link, MBIT, payload, type TestNet, TOPIC, testNet } from './helpers.js'

const NODES = 200
const MESSAGES = 20

/** 200 nodes over WAN6 with random link speeds, each dialing 8 random others (same topology for the same seed). */
async function wan(model: GossipModel, seed = 11): Promise<TestNet> {
  const nodes = Array.from({ length: NODES }, (_, i) => ({
    region: i % 6,
    uplinkBitsPerSec: (10 + (i % 9) * 10) * MBIT,
  }))
  const t = await testNet({ seed, nodes, gossip: model, jitterMs: 5 })
  const dials = t.fabric.connectRandom(8)
  await t.s.run()
  await dials
  return t
}

async function publishSome(t: TestNet): Promise<number[]> {
  const counts: number[] = []
  for (let m = 0; m < MESSAGES; m++) {
    const from = (m * 37) % NODES
    counts.push(await t.nets[from]!.publish(TOPIC, payload(400, m)))
    await t.s.run({ untilMs: t.s.nowMs() + 50 })
  }
  await t.s.run()
  return counts
}

/** Each node received every message it did not publish itself, once. */
function expectEveryoneGotAll(t: TestNet): void {
  for (const [i, got] of t.received.entries()) {
    const own = Array.from({ length: MESSAGES }, (_, m) => m).filter((m) => (m * 37) % NODES === i).length
    expect(new Set(got.map((r) => r.data[3])).size).toBe(got.length)
    expect(got.length + own).toBe(MESSAGES)
  }
}

describe('gossipsub model', () => {
  it('delivers every message to all 200 nodes through a bounded mesh, with far fewer duplicates than flooding', async () => {
    const t = await wan('gossipsub')
    const meshSizes = t.nets.map((n) => n.meshPeers(TOPIC).length)
    expect(Math.min(...meshSizes)).toBeGreaterThanOrEqual(GOSSIP_DEFAULTS.meshDegreeMin)
    expect(Math.max(...meshSizes)).toBeLessThanOrEqual(GOSSIP_DEFAULTS.meshDegreeMax)
    // the mesh is symmetric
    for (const net of t.nets) {
      for (const peer of net.meshPeers(TOPIC))
        expect(t.fabric.node(t.fabric.indexOf(peer)!).meshPeers(TOPIC)).toContain(net.peerId)
    }
    const sentTo = await publishSome(t)
    expect(sentTo).toEqual(Array.from({ length: MESSAGES }, (_, m) => meshSizes[(m * 37) % NODES]))
    expectEveryoneGotAll(t)

    const flood = await wan('flood')
    await publishSome(flood)
    expectEveryoneGotAll(flood)
    const g = t.fabric.stats
    const f = flood.fabric.stats
    expect(g.gossipDelivered).toBe(f.gossipDelivered)
    expect(g.gossipDuplicates).toBeLessThan(f.gossipDuplicates / 2)
    expect(g.gossipSent).toBeLessThan(f.gossipSent / 2)
    expect(g.bytesSent).toBeLessThan(f.bytesSent / 2)
  })

  it('lazy gossip (IHAVE/IWANT) reaches a node whose mesh links lose every message', async () => {
    const run = async (lazyDegree: number) => {
      const t = await testNet({
        seed: 3,
        nodes: Array.from({ length: 40 }, (_, i) => ({ region: i % 6 })),
        gossipParams: { lazyDegree },
      })
      const dials = t.fabric.connectRandom(8)
      await t.s.run()
      await dials
      const mesh = t.nets[0]!.meshPeers(TOPIC)
      for (const peer of mesh) t.fabric.setLoss(t.fabric.indexOf(peer)!, 0, 1)
      const t0 = t.s.nowMs()
      await t.nets[39]!.publish(TOPIC, payload(300, 1))
      await t.s.run()
      return { t, mesh, t0 }
    }
    const { t, mesh, t0 } = await run(GOSSIP_DEFAULTS.lazyDegree)
    expect(mesh.length).toBeGreaterThanOrEqual(GOSSIP_DEFAULTS.meshDegreeMin)
    expect(t.received[0]).toHaveLength(1)
    const got = t.received[0]![0]!
    expect(mesh).not.toContain(got.from) // it came from a peer outside the mesh, asked with IWANT
    expect(got.atMs - t0).toBeGreaterThan(60) // after a heartbeat boundary and a round trip, not a mesh hop
    expect(t.fabric.stats.lost).toBeGreaterThanOrEqual(mesh.length - 1)
    expect(t.fabric.stats.iwantSent).toBeGreaterThan(0)
    expect(t.received.slice(1, 39).every((r) => r.length === 1)).toBe(true)

    // without lazy gossip the node never gets it
    const without = await run(0)
    expect(without.t.received[0]).toEqual([])
    expect(without.t.fabric.stats.ihaveSent).toBe(0)
  })

  it('a rejected message lowers the sender gossip score, is neither delivered nor relayed; at -100 the sender is pruned', async () => {
    const t = await testNet({ nodes: 3, verdict: (node) => (node === 1 ? 'reject' : 'accept') })
    await link(t, [
      [0, 1],
      [1, 2],
    ])
    const [a, b, c] = t.nets as [(typeof t.nets)[0], (typeof t.nets)[0], (typeof t.nets)[0]]
    expect(b.meshPeers(TOPIC).sort()).toEqual([a.peerId, c.peerId])
    for (let m = 0; m < 3; m++) await a.publish(TOPIC, payload(100, m))
    await t.s.run()
    expect(t.validated[1]).toHaveLength(3)
    expect(b.gossipScore(a.peerId)).toBe(-3 * GOSSIP_DEFAULTS.rejectPenalty)
    expect(t.received[1]).toEqual([])
    expect(t.validated[2]).toEqual([]) // not relayed
    expect(b.peers().find((p) => p.id === a.peerId)?.score).toBe(0) // the application score is the upper layers'
    expect(t.fabric.stats.gossipRejected).toBe(3)

    for (let m = 3; m < 10; m++) await a.publish(TOPIC, payload(100, m))
    await t.s.run()
    expect(b.gossipScore(a.peerId)).toBe(-100)
    expect(b.meshPeers(TOPIC)).toEqual([c.peerId])
    expect(a.meshPeers(TOPIC)).toEqual([])
    // graylisted: its messages are no longer even validated
    const flood = await testNet({ nodes: 2, gossip: 'flood', verdict: () => 'reject' })
    await link(flood, [[0, 1]])
    for (let m = 0; m < 12; m++) {
      await flood.nets[0]!.publish(TOPIC, payload(100, m))
      await flood.s.run()
    }
    expect(flood.validated[1]).toHaveLength(10)
    expect(flood.fabric.stats.gossipIgnored).toBe(2)
  })

  it('relays only accepted messages: ignore and a throwing validator drop it without blame', async () => {
    const verdicts: Array<'accept' | 'ignore' | 'throw'> = ['ignore', 'throw', 'accept']
    let k = 0
    const t = await testNet({
      nodes: 3,
      verdict: (node) => {
        if (node !== 1) return 'accept'
        const v = verdicts[k++]
        if (v === 'throw') throw new Error('validator bug')
        return v ?? 'accept'
      },
    })
    await link(t, [
      [0, 1],
      [1, 2],
    ])
    for (let m = 0; m < 3; m++) {
      await t.nets[0]!.publish(TOPIC, payload(100, m))
      await t.s.run()
    }
    expect(t.received[1]!.map((r) => r.data[3])).toEqual([2])
    expect(t.received[2]!.map((r) => r.data[3])).toEqual([2])
    expect(t.nets[1]!.gossipScore(t.nets[0]!.peerId)).toBe(0)
  })

  it('publish resolves 0 before start and for a message already seen', async () => {
    const t = await testNet({ nodes: 2 })
    await link(t, [[0, 1]])
    expect(await t.nets[0]!.publish(TOPIC, payload(10, 1))).toBe(1)
    expect(await t.nets[0]!.publish(TOPIC, payload(10, 1))).toBe(0)
    await t.s.run()
    expect(await t.nets[1]!.publish(TOPIC, payload(10, 1))).toBe(0) // seen when it arrived
    const late = t.fabric.addNode({ region: 0, uplinkBitsPerSec: MBIT })
    expect(await late.publish(TOPIC, payload(10, 2))).toBe(0)
    expect(() =>
      t.nets[0]!.subscribe(
        TOPIC,
        async () => 'accept',
        () => {},
      ),
    ).toThrow(/already subscribed/)
  })

  it('grafts later subscribers, and repairs a mesh that falls below Dlo from the other connected peers', async () => {
    const star = await testNet({ nodes: 8, subscribe: false })
    await link(
      star,
      Array.from({ length: 7 }, (_, i): [number, number] => [0, i + 1]),
    )
    for (const net of star.nets)
      net.subscribe(
        TOPIC,
        async () => 'accept',
        () => {},
      )
    // D = 6 from the first six; the seventh still grafts: it has no mesh (< Dlo) and node 0 is below Dhi
    expect(star.nets[0]!.meshPeers(TOPIC)).toHaveLength(7)
    for (const leaf of star.nets.slice(1)) expect(leaf.meshPeers(TOPIC)).toEqual([star.nets[0]!.peerId])

    const t = await testNet({ seed: 4, nodes: 40 })
    const dials = t.fabric.connectRandom(8)
    await t.s.run()
    await dials
    const x = t.nets.findIndex((n) => n.peers().length - n.meshPeers(TOPIC).length >= 4)
    const net = t.nets[x]!
    const before = net.meshPeers(TOPIC)
    const outside = net
      .peers()
      .map((p) => p.id)
      .filter((id) => !before.includes(id))
    const grafts = t.fabric.stats.grafts
    for (const peer of before.slice(0, before.length - GOSSIP_DEFAULTS.meshDegreeMin + 1)) {
      await t.fabric.node(t.fabric.indexOf(peer)!).stop()
    }
    await t.s.run()
    const after = net.meshPeers(TOPIC)
    expect(after.length).toBeGreaterThanOrEqual(GOSSIP_DEFAULTS.meshDegreeMin)
    expect(after.some((id) => outside.includes(id))).toBe(true)
    expect(t.fabric.stats.grafts).toBeGreaterThan(grafts)
  })
})
