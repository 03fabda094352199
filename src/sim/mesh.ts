/**
 * The gossipsub mesh rules, without heartbeats: a mesh link is symmetric
 * (both ends hold it), formed when two subscribers connect if the degree
 * bounds allow, and repaired from random connected subscribers when a node's
 * mesh falls below Dlo.
 */
import type { Rng } from '../util/rng.js'
import type { GossipParams } from './gossip-params.js'

export interface MeshNode {
  readonly index: number
  /** The node's mesh of `topic` (mutable), or undefined when it does not subscribe. */
  meshOf(topic: string): Set<number> | undefined
  isGraylisted(peer: number): boolean
}

type Bounds = Pick<GossipParams, 'meshDegree' | 'meshDegreeMin' | 'meshDegreeMax'>

/**
 * Grafts a and b into each other's `topic` mesh when both subscribe and
 * either both are below D, or one is below Dlo and the other below Dhi.
 */
export function tryGraft(a: MeshNode, b: MeshNode, topic: string, bounds: Bounds): boolean {
  const ma = a.meshOf(topic)
  const mb = b.meshOf(topic)
  if (ma === undefined || mb === undefined || ma.has(b.index)) return false
  if (a.isGraylisted(b.index) || b.isGraylisted(a.index)) return false
  const { meshDegree: d, meshDegreeMin: lo, meshDegreeMax: hi } = bounds
  const sa = ma.size
  const sb = mb.size
  if (!((sa < d && sb < d) || (sa < lo && sb < hi) || (sb < lo && sa < hi))) return false
  ma.add(b.index)
  mb.add(a.index)
  return true
}

/**
 * Tops `self`'s mesh of `topic` up to D from `candidates` (connected peers),
 * in random order, skipping those that do not subscribe or already hold Dhi.
 * Returns the number of links formed.
 */
export function repairMesh(
  self: MeshNode,
  topic: string,
  candidates: number[],
  nodeOf: (index: number) => MeshNode,
  bounds: Bounds,
  rng: Rng,
): number {
  const mesh = self.meshOf(topic)
  if (mesh === undefined) return 0
  let grafts = 0
  for (const peer of pick(candidates, candidates.length, rng)) {
    if (mesh.size >= bounds.meshDegree) break
    if (mesh.has(peer)) continue
    const other = nodeOf(peer)
    const theirs = other.meshOf(topic)
    if (theirs === undefined || theirs.size >= bounds.meshDegreeMax) continue
    if (self.isGraylisted(peer) || other.isGraylisted(self.index)) continue
    mesh.add(peer)
    theirs.add(self.index)
    grafts++
  }
  return grafts
}

/** Up to `k` of `items` in random order (a partial Fisher–Yates shuffle, in place; returns `items` cut to k). */
export function pick(items: number[], k: number, rng: Rng): number[] {
  const n = items.length
  const count = Math.min(k, n)
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(n - i)
    const tmp = items[i] as number
    items[i] = items[j] as number
    items[j] = tmp
  }
  items.length = count
  return items
}
