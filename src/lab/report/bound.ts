/**
 * The shortest-path bound: how soon a message could reach each node if every
 * hop took only the one-way latency between the two nodes' regions (plus the
 * sender's time to put the message on its uplink, when its size is known),
 * over the connections alive when the message was made. Gossip cannot beat
 * it; the report divides measured propagation by it.
 */
import type { RunModel } from './model.js'

/** Milliseconds to send `bytes` at `bandwidthMbit` Mbit/s; 0 when either is unknown. */
export function transmissionMs(bytes: number | undefined, bandwidthMbit: number | undefined): number {
  if (bytes === undefined || bandwidthMbit === undefined || bandwidthMbit <= 0) return 0
  return (bytes * 8) / (bandwidthMbit * 1000)
}

/** Neighbours of each node over the links alive at `t`. */
export function graphAt(model: RunModel, t: number): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>()
  const add = (a: string, b: string) => {
    const set = graph.get(a) ?? new Set<string>()
    set.add(b)
    graph.set(a, set)
  }
  for (const link of model.links) {
    if (link.from <= t && t < link.to) {
      add(link.a, link.b)
      add(link.b, link.a)
    }
  }
  return graph
}

/** Least-latency distance (ms) from `origin` to every node it can reach in `graph` (Dijkstra). */
export function shortestPathsMs(
  model: RunModel,
  graph: ReadonlyMap<string, ReadonlySet<string>>,
  origin: string,
  bytes?: number,
): Map<string, number> {
  const dist = new Map<string, number>([[origin, 0]])
  const done = new Set<string>()
  for (;;) {
    let u: string | undefined
    let best = Number.POSITIVE_INFINITY
    for (const [node, d] of dist) {
      if (!done.has(node) && d < best) {
        best = d
        u = node
      }
    }
    if (u === undefined) return dist
    done.add(u)
    const sendMs = transmissionMs(bytes, model.nodes.get(u)?.bandwidthMbit)
    for (const v of graph.get(u) ?? []) {
      const d = best + model.latencyMs(u, v) + sendMs
      if (d < (dist.get(v) ?? Number.POSITIVE_INFINITY)) dist.set(v, d)
    }
  }
}
