/** Small simulated networks for the sim unit tests. */
import { expect } from 'vitest'
import type { GossipMessage, GossipVerdict } from '../../../src/net/network.js'
import type { SimFabricInit } from '../../../src/sim/fabric.js'
import { type AddNodeOptions, SimFabric, type SimNetwork } from '../../../src/sim/network.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'

export const TOPIC = 'sim-test'
export const MBIT = 1_000_000

export interface Receipt {
  node: number
  atMs: number
  from: string
  data: Uint8Array
}

export interface TestNet {
  s: SimScheduler
  fabric: SimFabric
  nets: SimNetwork[]
  /** Every accepted message, per node, in order (onMessage). */
  received: Receipt[][]
  /** Every validator call, per node, in order (arrivals of messages not seen before). */
  validated: Receipt[][]
}

export interface TestNetOptions extends Omit<SimFabricInit, 'scheduler'> {
  seed?: number
  nodes: Array<Partial<AddNodeOptions>> | number
  /** Default: accept everything. */
  verdict?: (node: number, msg: GossipMessage) => GossipVerdict | Promise<GossipVerdict>
  /** Default true. */
  subscribe?: boolean
}

/** Nodes started and subscribed to TOPIC (na-east, 10 Mbit/s unless given), not yet connected. */
export async function testNet(opts: TestNetOptions): Promise<TestNet> {
  const { seed, nodes, verdict, subscribe = true, ...init } = opts
  const s = new SimScheduler({ seed: seed ?? 1, startMs: 0 })
  const fabric = new SimFabric({ scheduler: s, jitterMs: 0, ...init })
  const specs = typeof nodes === 'number' ? Array.from({ length: nodes }, () => ({})) : nodes
  const received: Receipt[][] = specs.map(() => [])
  const validated: Receipt[][] = specs.map(() => [])
  const nets = specs.map((spec, i) => {
    const net = fabric.addNode({ region: 'na-east', uplinkBitsPerSec: 10 * MBIT, ...spec })
    if (subscribe) {
      net.subscribe(
        TOPIC,
        async (msg) => {
          validated[i]?.push({ node: i, atMs: s.nowMs(), from: msg.from, data: msg.data })
          return verdict ? verdict(i, msg) : 'accept'
        },
        (msg) => received[i]?.push({ node: i, atMs: s.nowMs(), from: msg.from, data: msg.data }),
      )
    }
    return net
  })
  for (const net of nets) await net.start()
  return { s, fabric, nets, received, validated }
}

/** Connects each pair and runs until every connection is open. */
export async function link(t: TestNet, pairs: Array<[number, number]>): Promise<void> {
  const dials = pairs.map(([a, b]) => t.fabric.connect(a, b))
  await t.s.run()
  expect(await Promise.all(dials)).toEqual(pairs.map(() => true))
}

/** Every pair of the first n nodes. */
export function fullMesh(n: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = []
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) pairs.push([a, b])
  return pairs
}

/** A payload of `bytes` bytes, distinct per `tag`. */
export function payload(bytes: number, tag: number): Uint8Array {
  const data = new Uint8Array(bytes)
  new DataView(data.buffer).setUint32(0, tag)
  return data
}
