/**
 * How hard the machine worked: each honest node's CPU use (user + system)
 * as a share of one core, from its `proc` samples, over its first life (start
 * to its last sample before a stop or kill). On one machine the nodes share
 * its cores: when their sum passes the core count, every delay in the run
 * includes time spent waiting for a CPU, and the report says so.
 */
import type { TraceEvent } from '../../trace/format.js'
import type { RunModel } from './model.js'

export interface CpuFigures {
  /** Mean over honest nodes of each one's CPU share, % of a core; null without samples. */
  meanPercent: number | null
  maxPercent: number | null
  maxNode: string | null
  /** The sum over honest nodes, in cores. */
  totalCores: number | null
}

/** Samples closer than this to the start are left out: start-up work is not the run's steady state. */
const WARMUP_MS = 10_000

export function cpuFigures(model: RunModel): CpuFigures {
  const shares: { node: string; percent: number }[] = []
  for (const node of model.honest) {
    const events = (model.events.get(node) ?? []) as TraceEvent[]
    const start = events.find((e) => e.e === 'start')?.t
    if (start === undefined) continue
    const firstLife: Extract<TraceEvent, { e: 'proc' }>[] = []
    for (const e of events) {
      if (e.e === 'start' && e.t !== start) break
      if (e.e === 'proc' && e.t >= start + WARMUP_MS) firstLife.push(e)
    }
    const a = firstLife[0]
    const b = firstLife.at(-1)
    if (!a || !b || b.t <= a.t) continue
    shares.push({ node, percent: (100 * (b.cpuMs - a.cpuMs)) / (b.t - a.t) })
  }
  if (shares.length === 0) return { meanPercent: null, maxPercent: null, maxNode: null, totalCores: null }
  const total = shares.reduce((sum, s) => sum + s.percent, 0)
  const max = shares.reduce((m, s) => (s.percent > m.percent ? s : m))
  return { meanPercent: total / shares.length, maxPercent: max.percent, maxNode: max.node, totalCores: total / 100 }
}
