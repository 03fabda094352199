/**
 * The connection graph alive at the end of the run, laid out by region:
 * regions evenly on a circle, each region's nodes on a small circle around
 * its point, in name order. Deterministic, so two reports of one run match.
 */
import type { LabRole } from '../run-format.js'
import type { RunModel } from './model.js'

export interface TopologyNode {
  name: string
  region: string
  role: LabRole
  x: number
  y: number
  /** Connections alive at the end. */
  degree: number
}

export interface TopologyFigures {
  /** When the graph was taken, seconds since the run began. */
  atS: number
  nodes: TopologyNode[]
  edges: { a: string; b: string }[]
}

export function topologyFigures(model: RunModel): TopologyFigures {
  const { run } = model
  const at = endOfRun(model) - 1
  const edges = model.links
    .filter((l) => l.from <= at && at < l.to)
    .map(({ a, b }) => ({ a, b }))
    .sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1))
  const degree = new Map<string, number>()
  for (const { a, b } of edges) {
    degree.set(a, (degree.get(a) ?? 0) + 1)
    degree.set(b, (degree.get(b) ?? 0) + 1)
  }
  const nodes: TopologyNode[] = []
  const regions = run.regions
  for (const [r, region] of regions.entries()) {
    const angle = (2 * Math.PI * r) / regions.length - Math.PI / 2
    const cx = regions.length === 1 ? 0 : Math.cos(angle)
    const cy = regions.length === 1 ? 0 : Math.sin(angle)
    const members = run.nodes.filter((n) => n.region === region).sort((a, b) => a.name.localeCompare(b.name))
    const radius = members.length <= 1 ? 0 : regions.length === 1 ? 1 : 0.35
    for (const [k, n] of members.entries()) {
      const a = (2 * Math.PI * k) / Math.max(1, members.length)
      nodes.push({
        name: n.name,
        region,
        role: n.role,
        x: round(cx + radius * Math.cos(a)),
        y: round(cy + radius * Math.sin(a)),
        degree: degree.get(n.name) ?? 0,
      })
    }
  }
  return { atS: (at - run.startedAt) / 1000, nodes, edges }
}

/** The scenario's end, before the lab's teardown closed connections (see LabRun.stoppingAt). */
export function endOfRun(model: RunModel): number {
  if (model.run.stoppingAt !== undefined) return model.run.stoppingAt
  let first = model.run.endedAt
  for (const [node, events] of model.events) {
    const intervals = model.up.get(node) ?? []
    const last = intervals.at(-1)
    if (last !== undefined && events.at(-1)?.e === 'stop') first = Math.min(first, last.to)
  }
  return first
}

const round = (v: number) => Math.round(v * 1000) / 1000
