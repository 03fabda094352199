/**
 * The Dandelion++ experiment: one modelled network (topology.ts) on the
 * simulator's scheduler, txs sent from random honest nodes at Poisson times,
 * and spies (a share of the nodes) running the first-spy estimator
 * (first-spy.ts). Under `dandelion` every node runs the node's own stem
 * relay (relay/dandelion/: routing, stem pool, embargo, fallback) with the
 * scheduler's clock, timers and a seeded RNG, over a modelled stem protocol;
 * under `gossip` the sender gossips at once. Gossip is modelled as flooding
 * (each node forwards a new tx to every neighbour), each hop costing the
 * link's one-way delay plus a validation time.
 *
 * One seed gives one exact run: the topology, spies, senders and times are
 * drawn from the seed before anything runs, so both modes see the same
 * network and the same txs.
 */
import { devnetKey } from '../../ledger/genesis.js'
import { Tx } from '../../ledger/tx.js'
import type { PeerIdString, RequestHandler } from '../../net/network.js'
import { EMBARGO_MEAN_MS } from '../../relay/dandelion/embargo.js'
import { DandelionRelay, FLUFF_PROBABILITY_DEFAULT } from '../../relay/dandelion/index.js'
import { STEM_LIMITS } from '../../relay/dandelion/stem-codec.js'
import { exponential, seededRng } from '../../util/rng.js'
import { type LatencyMatrix, WAN6 } from '../regions.js'
import { SimScheduler } from '../scheduler.js'
import { FirstSpyEstimator } from './first-spy.js'
import { buildTopology, type Topology } from './topology.js'

export type RelayMode = 'dandelion' | 'gossip'

export interface DandelionExperimentOptions {
  seed: number
  nodes: number
  /** Share of the nodes that are spies (0.1: one in ten). */
  spyFraction: number
  txs: number
  /** Mean gap between two txs, ms (a Poisson process). */
  txIntervalMs: number
  outbound?: number
  regions?: LatencyMatrix
  /** Validation before a node forwards a tx, ms. */
  validationMs?: number
  fluffProbability?: number
  embargoMeanMs?: number
  /** Honest-looking nodes that take stem txs and never pass them on (not spies; they still gossip). */
  blackHoles?: number
}

export interface ModeResult {
  mode: RelayMode
  /** First-spy precision over every tx. */
  precision: number
  /** Per tx, ms from sending until 90% of the nodes hold it in their mempool (public). */
  reach90Ms: number[]
  /** Txs that reached every node. */
  reachedAll: number
  /** Txs at least one node's embargo fired for. */
  embargoedTxs: number
  embargoFires: number
  stemTxs: number
  /** Events the scheduler ran (a measure of the run's size). */
  events: number
}

/** The modelled node, stem side: its relay and the handler the modelled stem protocol calls. */
interface ModelNode {
  relay?: DandelionRelay
  handler?: RequestHandler
}

const PROTOCOL_CHAIN_ID = 'sim-dandelion'
const peerName = (i: number): PeerIdString => `n${i}`
const peerIndex = (peer: PeerIdString): number => Number(peer.slice(1))

/** Runs one mode of the experiment and returns its figures. */
export async function runDandelionMode(mode: RelayMode, opts: DandelionExperimentOptions): Promise<ModeResult> {
  const sched = new SimScheduler({ seed: opts.seed })
  const plan = seededRng(opts.seed)
  const topology = buildTopology(plan, {
    nodes: opts.nodes,
    outbound: opts.outbound ?? 8,
    regions: opts.regions ?? WAN6,
    jitter: 0.1,
  })
  const n = topology.size
  const spies = new Set<number>()
  const spyCount = Math.round(opts.spyFraction * n)
  while (spies.size < spyCount) spies.add(plan.int(n))
  const blackHoles = new Set<number>()
  while (blackHoles.size < (opts.blackHoles ?? 0)) {
    const v = plan.int(n)
    if (!spies.has(v)) blackHoles.add(v)
  }
  const honest = Array.from({ length: n }, (_, v) => v).filter((v) => !spies.has(v) && !blackHoles.has(v))
  const origins: number[] = []
  const sendTimes: number[] = []
  let t = sched.nowMs()
  for (let i = 0; i < opts.txs; i++) {
    t += exponential(plan, opts.txIntervalMs)
    origins.push(honest[plan.int(honest.length)] as number)
    sendTimes.push(Math.ceil(t))
  }
  const key = devnetKey(0)
  const txs = origins.map((_, i) =>
    Tx.create(
      { chainId: PROTOCOL_CHAIN_ID, recipient: new Uint8Array(20).fill(1), amount: 1n, fee: 1n, nonce: BigInt(i) },
      key,
    ),
  )
  const txIndex = new Map(txs.map((tx, i) => [tx.id, i]))

  const validationMs = opts.validationMs ?? 2
  const estimator = new FirstSpyEstimator((v) => spies.has(v))
  /** gossipAt[tx * n + v]: when v first held tx in gossip (NaN: not yet). */
  const gossipAt = new Float64Array(opts.txs * n).fill(Number.NaN)
  const embargoed = new Set<number>()
  let embargoFires = 0
  const nodes: ModelNode[] = Array.from({ length: n }, () => ({}))

  const receiveGossip = (arg: { tx: number; to: number; from: number }): void => {
    const { tx, to, from } = arg
    const at = tx * n + to
    if (!Number.isNaN(gossipAt[at] as number)) return
    gossipAt[at] = sched.nowMs()
    if (spies.has(to) && from !== to) estimator.observe(tx, from, sched.nowMs())
    nodes[to]?.relay?.seenInGossip((txs[tx] as Tx).id)
    for (const w of topology.neighbours[to] as number[]) {
      if (w === from) continue
      sched.atSync(sched.nowMs() + validationMs + topology.delayMs(to, w), receiveGossip, { tx, to: w, from: to })
    }
  }
  const fluffAt = (v: number, tx: number): void => receiveGossip({ tx, to: v, from: v })

  if (mode === 'dandelion') {
    for (let v = 0; v < n; v++) {
      const node = nodes[v] as ModelNode
      const relayRng = seededRng(plan.int(2 ** 32))
      node.relay = new DandelionRelay(
        {
          handle: async (_protocol, handler) => {
            node.handler = handler
          },
          request: (peer, _protocol, bytes) => stemRequest(v, peerIndex(peer), bytes),
          outboundPeers: () => (topology.outbound[v] as number[]).map(peerName),
          reportPeer: () => {},
        },
        {
          decodeTx: (bytes) => txs[txIndexOfBytes(bytes)] as Tx,
          check: async () => 'ready',
          isPublic: (id) => !Number.isNaN(gossipAt[(txIndex.get(id) as number) * n + v] as number),
          fluff: async (tx) => fluffAt(v, txIndex.get(tx.id) as number),
        },
        { clock: sched, timers: sched, rng: relayRng },
        {
          chainId: PROTOCOL_CHAIN_ID,
          fluffProbability: opts.fluffProbability ?? FLUFF_PROBABILITY_DEFAULT,
          embargoMeanMs: opts.embargoMeanMs ?? EMBARGO_MEAN_MS,
        },
        {
          onEmbargoFire: (id) => {
            embargoFires++
            embargoed.add(txIndex.get(id) as number)
          },
        },
      )
      await node.relay.start()
    }
  }

  const byteIndex = new Map(txs.map((tx, i) => [tx.bytes, i]))
  function txIndexOfBytes(bytes: Uint8Array): number {
    const i = byteIndex.get(bytes)
    if (i === undefined) throw new Error('the modelled stem carries only the experiment txs')
    return i
  }

  /** The modelled stem protocol: the request after the link's delay, the answer after the way back. */
  function stemRequest(from: number, to: number, bytes: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const handler = nodes[to]?.handler
      if (handler === undefined) {
        sched.setTimeout(() => reject(new Error(`${peerName(to)} does not serve the stem`)), STEM_LIMITS.timeoutMs)
        return
      }
      sched.at(
        sched.nowMs() + topology.delayMs(from, to),
        () => {
          const tx = txIndexOfBytes(bytes)
          if (spies.has(to)) estimator.observe(tx, from, sched.nowMs())
          if (blackHoles.has(to)) {
            // Takes it, answers accepted, and never passes it on.
            sched.at(sched.nowMs() + topology.delayMs(to, from), () => resolve(Uint8Array.of(1)), undefined)
            return
          }
          sched.at(
            sched.nowMs() + validationMs,
            () => {
              handler(bytes, peerName(from)).then(
                (answer) => sched.at(sched.nowMs() + topology.delayMs(to, from), () => resolve(answer), undefined),
                (err: unknown) => sched.at(sched.nowMs() + topology.delayMs(to, from), () => reject(err), undefined),
              )
            },
            undefined,
          )
        },
        undefined,
      )
    })
  }

  for (let i = 0; i < opts.txs; i++) {
    const origin = origins[i] as number
    sched.at(
      sendTimes[i] as number,
      () => {
        const relay = nodes[origin]?.relay
        if (relay) void relay.submitOwn(txs[i] as Tx)
        else fluffAt(origin, i)
      },
      undefined,
    )
  }
  const run = await sched.run()
  for (const node of nodes) node.relay?.stop()

  const reach90Ms: number[] = []
  let reachedAll = 0
  for (let i = 0; i < opts.txs; i++) {
    const times = Array.from(gossipAt.subarray(i * n, (i + 1) * n))
    if (times.every((x) => !Number.isNaN(x))) reachedAll++
    const held = times.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b)
    const at90 = held[Math.ceil(0.9 * n) - 1]
    reach90Ms.push(at90 === undefined ? Number.POSITIVE_INFINITY : at90 - (sendTimes[i] as number))
  }
  let stemTxs = 0
  for (const node of nodes) stemTxs += node.relay?.stats.stemTxs ?? 0
  return {
    mode,
    precision: estimator.precision(origins),
    reach90Ms,
    reachedAll,
    embargoedTxs: embargoed.size,
    embargoFires,
    stemTxs,
    events: run.events,
  }
}

/** Both modes on one seed, and the figures issue 16 asks for. */
export interface DandelionComparison {
  gossip: ModeResult
  dandelion: ModeResult
  /** Dandelion's first-spy precision over plain gossip's (goal ≤ 1/3). */
  precisionRatio: number
  /** Median reach-90% time, Dandelion minus gossip, ms (goal ≤ 1,000). */
  medianExtraMs: number
  /** Share of txs whose embargo fired somewhere (goal ≤ 1%). */
  embargoFireRate: number
}

export async function compareDandelion(opts: DandelionExperimentOptions): Promise<DandelionComparison> {
  const gossip = await runDandelionMode('gossip', opts)
  const dandelion = await runDandelionMode('dandelion', opts)
  return {
    gossip,
    dandelion,
    precisionRatio: gossip.precision === 0 ? 0 : dandelion.precision / gossip.precision,
    medianExtraMs: median(dandelion.reach90Ms) - median(gossip.reach90Ms),
    embargoFireRate: opts.txs === 0 ? 0 : dandelion.embargoedTxs / opts.txs,
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export type { Topology }
