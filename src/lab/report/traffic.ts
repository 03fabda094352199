/**
 * Copies received per message and bytes moved: per node class over time,
 * and per node in total. `bytes` samples are running totals since the
 * node's (re)start; each start counts as a zero sample.
 */
import type { TraceEvent } from '../../trace/format.js'
import type { LabRole } from '../run-format.js'
import type { RunModel } from './model.js'
import { ascending, mean, percentileOfSorted } from './stats.js'

export interface CopiesFigures {
  /** (node, message) pairs counted. */
  pairs: number
  mean: number | null
  p50: number | null
  p99: number | null
  max: number | null
  /** How many (node, message) pairs received each number of copies. */
  histogram: { copies: number; pairs: number }[]
}

export interface BandwidthPoint {
  role: LabRole
  /** Bucket start, seconds since the run began. */
  tS: number
  /** Mean per node of the class, bytes per second. */
  inBps: number
  outBps: number
}

export interface BandwidthFigures {
  bucketS: number
  series: BandwidthPoint[]
  perNode: { node: string; role: LabRole; region: string; inBytes: number; outBytes: number }[]
  perProtocol: { proto: string; inBytes: number; outBytes: number }[]
}

export function copiesFigures(model: RunModel, kind: 'tx' | 'block'): CopiesFigures {
  const counts: number[] = []
  for (const [node, events] of model.events) {
    if (!model.honest.has(node)) continue
    for (const e of events) if (e.e === 'copies' && e.k === kind) counts.push(e.n)
  }
  const sorted = ascending(counts)
  const histogram = new Map<number, number>()
  for (const n of sorted) histogram.set(n, (histogram.get(n) ?? 0) + 1)
  return {
    pairs: sorted.length,
    mean: mean(sorted),
    p50: percentileOfSorted(sorted, 50),
    p99: percentileOfSorted(sorted, 99),
    max: sorted.at(-1) ?? null,
    histogram: [...histogram].map(([copies, pairs]) => ({ copies, pairs })),
  }
}

const BUCKETS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600]

/** A round bucket width giving at most ~`bucketsMax` buckets over the run. */
export function bucketWidthS(durationMs: number, bucketsMax = 60): number {
  const wanted = durationMs / 1000 / bucketsMax
  return BUCKETS_S.find((b) => b >= wanted) ?? BUCKETS_S.at(-1)!
}

interface Sample {
  t: number
  in: number
  out: number
  proto: Record<string, { in: number; out: number }>
}

/** Per up interval, the node's samples beginning with a zero at its start. */
function samplesByInterval(events: readonly TraceEvent[]): Sample[][] {
  const runs: Sample[][] = []
  for (const e of events) {
    if (e.e === 'start') runs.push([{ t: e.t, in: 0, out: 0, proto: {} }])
    if (e.e !== 'bytes') continue
    let inBytes = 0
    let outBytes = 0
    for (const p of Object.values(e.proto)) {
      inBytes += p.in
      outBytes += p.out
    }
    runs.at(-1)?.push({ t: e.t, in: inBytes, out: outBytes, proto: e.proto })
  }
  return runs
}

export function bandwidthFigures(model: RunModel): BandwidthFigures {
  const { startedAt, endedAt } = model.run
  const bucketS = bucketWidthS(endedAt - startedAt)
  const bucketMs = bucketS * 1000
  const buckets = Math.max(1, Math.ceil((endedAt - startedAt) / bucketMs))
  const sums = new Map<LabRole, { in: Float64Array; out: Float64Array; nodes: number }>()
  const perNode: BandwidthFigures['perNode'] = []
  const perProtocol = new Map<string, { in: number; out: number }>()
  for (const [name, events] of model.events) {
    const info = model.nodes.get(name)
    if (info === undefined || !model.honest.has(name)) continue
    const role = sums.get(info.role) ?? { in: new Float64Array(buckets), out: new Float64Array(buckets), nodes: 0 }
    role.nodes++
    sums.set(info.role, role)
    let inBytes = 0
    let outBytes = 0
    for (const samples of samplesByInterval(events)) {
      const last = samples.at(-1)!
      inBytes += last.in
      outBytes += last.out
      for (const [proto, p] of Object.entries(last.proto)) {
        const total = perProtocol.get(proto) ?? { in: 0, out: 0 }
        total.in += p.in
        total.out += p.out
        perProtocol.set(proto, total)
      }
      for (let i = 1; i < samples.length; i++) {
        spread(role, samples[i - 1]!, samples[i]!, startedAt, bucketMs)
      }
    }
    perNode.push({ node: name, role: info.role, region: info.region, inBytes, outBytes })
  }
  const series: BandwidthPoint[] = []
  for (const [role, sum] of [...sums].sort(([a], [b]) => a.localeCompare(b))) {
    for (let b = 0; b < buckets; b++) {
      series.push({
        role,
        tS: b * bucketS,
        inBps: sum.in[b]! / bucketS / sum.nodes,
        outBps: sum.out[b]! / bucketS / sum.nodes,
      })
    }
  }
  return {
    bucketS,
    series,
    perNode,
    perProtocol: [...perProtocol]
      .map(([proto, p]) => ({ proto, inBytes: p.in, outBytes: p.out }))
      .sort((a, b) => b.inBytes + b.outBytes - (a.inBytes + a.outBytes)),
  }
}

/** Adds the bytes moved between two samples to the buckets they span, in proportion to the overlap. */
function spread(
  sum: { in: Float64Array; out: Float64Array },
  a: Sample,
  b: Sample,
  startedAt: number,
  bucketMs: number,
) {
  const dIn = b.in - a.in
  const dOut = b.out - a.out
  if (dIn < 0 || dOut < 0) return
  const span = b.t - a.t
  if (span <= 0) {
    const i = Math.floor((b.t - startedAt) / bucketMs)
    if (i >= 0 && i < sum.in.length) {
      sum.in[i]! += dIn
      sum.out[i]! += dOut
    }
    return
  }
  for (let i = Math.max(0, Math.floor((a.t - startedAt) / bucketMs)); i < sum.in.length; i++) {
    const from = Math.max(a.t, startedAt + i * bucketMs)
    const to = Math.min(b.t, startedAt + (i + 1) * bucketMs)
    if (from >= b.t) break
    if (to <= from) continue
    const share = (to - from) / span
    sum.in[i]! += dIn * share
    sum.out[i]! += dOut * share
  }
}
