/**
 * The modelled network of the Dandelion++ experiment: nodes placed in the
 * regions of a latency matrix, each dialing `outbound` distinct random peers
 * (so it also has a random number of inbound ones), and one-way link delays
 * from the matrix with a fixed per-link jitter. Drawn from one RNG, so one
 * seed gives one network.
 */
import type { Rng } from '../../util/rng.js'
import type { LatencyMatrix } from '../regions.js'

export interface TopologyOptions {
  nodes: number
  /** Outbound connections each node opens (8 full-relay slots, as a node's peer manager). */
  outbound: number
  regions: LatencyMatrix
  /** Per-link jitter, as a fraction of the base latency (each direction drawn once). */
  jitter: number
}

export interface Topology {
  readonly size: number
  /** outbound[v]: the peers v dialed. */
  readonly outbound: readonly (readonly number[])[]
  /** neighbours[v]: every peer v is connected to, either way. */
  readonly neighbours: readonly (readonly number[])[]
  /** One-way delay v → w in ms (only for connected pairs). */
  delayMs(v: number, w: number): number
}

export function buildTopology(rng: Rng, opts: TopologyOptions): Topology {
  const { nodes, outbound: k } = opts
  if (!(nodes > k && k >= 1)) throw new RangeError(`need more nodes (${nodes}) than outbound connections (${k}) >= 1`)
  const region = Array.from({ length: nodes }, () => rng.int(opts.regions.regions.length))
  const outbound: number[][] = []
  const neighbourSets = Array.from({ length: nodes }, () => new Set<number>())
  for (let v = 0; v < nodes; v++) {
    const chosen = new Set<number>()
    while (chosen.size < k) {
      const w = rng.int(nodes)
      if (w !== v && !neighbourSets[v]?.has(w)) chosen.add(w)
    }
    outbound.push([...chosen])
    for (const w of chosen) {
      neighbourSets[v]?.add(w)
      neighbourSets[w]?.add(v)
    }
  }
  const delays = new Map<number, number>()
  const neighbours = neighbourSets.map((set) => [...set].sort((a, b) => a - b))
  for (let v = 0; v < nodes; v++) {
    for (const w of neighbours[v] as number[]) {
      const base = opts.regions.latencyMs[region[v] as number]?.[region[w] as number] as number
      delays.set(v * nodes + w, base * (1 + opts.jitter * (2 * rng.next() - 1)))
    }
  }
  return {
    size: nodes,
    outbound,
    neighbours,
    delayMs: (v, w) => {
      const ms = delays.get(v * nodes + w)
      if (ms === undefined) throw new Error(`nodes ${v} and ${w} are not connected`)
      return ms
    },
  }
}
