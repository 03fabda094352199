/**
 * Propagation of txs and blocks made by honest nodes.
 *
 * A message's origin time is the earliest moment anyone saw it: the first
 * first-seen over all traces (its maker logs it `from: local`) or, for a tx,
 * the timeline's `tx-sent` (the driver made the tx then). A block's `mine`
 * line names its maker but not its time: it is when the driver asked for a
 * block, so it also holds the template, the seal and the miner's own import,
 * none of which is propagation. Its targets are the honest nodes up at that
 * moment, less those that went down (killed) before seeing it; a node counts
 * as having seen it only by a first-seen in the up interval that held the
 * origin (a restarted node catching up by sync is not propagation). The delay
 * to L% is the time until ⌈L·targets/100⌉ targets had seen it (the maker
 * counts, at its own first-seen); null when fewer ever did.
 *
 * Messages no honest node made (an attacker's junk) are counted and left out.
 */
import type { TraceEvent } from '../../trace/format.js'
import { graphAt, shortestPathsMs } from './bound.js'
import type { RunModel } from './model.js'
import { type CdfPoint, cdf, type Percentiles, percentiles } from './stats.js'

export const REACH_LEVELS = [50, 90, 100] as const
export type ReachLevel = (typeof REACH_LEVELS)[number]
export type MessageKind = 'tx' | 'block'

export interface MessageReach {
  id: string
  origin: string
  originTime: number
  targets: number
  /** Delay to each reach level, ms (null: never reached). */
  delayMs: Record<ReachLevel, number | null>
  /** The shortest-path bound's delay to each level, ms (null: the connection graph could not reach that many). */
  boundMs: Record<ReachLevel, number | null>
}

export interface PropagationFigures {
  /** Messages measured (made by honest nodes). */
  messages: number
  /** Messages seen but made by no honest node, left out. */
  foreign: number
  /** Per reach level: percentiles over messages of the delay to reach it (ms), and how many messages never did. */
  reach: { level: ReachLevel; delayMs: Percentiles; unreached: number }[]
  /** Per reach level: measured delay ÷ shortest-path bound, over messages where both exist and the bound is > 0. */
  boundRatio: { level: ReachLevel; ratio: Percentiles }[]
  /** Per reach level: the CDF over messages of the delay to reach it (x in ms); never-reached messages keep y below 1. */
  cdf: { level: ReachLevel; points: CdfPoint[] }[]
}

interface Sighting {
  node: string
  t: number
  from: string
  bytes?: number
}

function sightings(model: RunModel, kind: MessageKind): Map<string, Sighting[]> {
  const byId = new Map<string, Sighting[]>()
  for (const [node, events] of model.events) {
    if (!model.honest.has(node)) continue
    for (const e of events as TraceEvent[]) {
      if (e.e !== kind) continue
      const id = e.e === 'tx' ? e.id : e.e === 'block' ? e.hash : ''
      const list = byId.get(id) ?? []
      list.push({ node, t: e.t, from: e.from, bytes: e.bytes })
      byId.set(id, list)
    }
  }
  return byId
}

function madeBy(model: RunModel, kind: MessageKind): Map<string, { node: string; t: number }> {
  const made = new Map<string, { node: string; t: number }>()
  for (const e of model.timeline) {
    if (kind === 'tx' && e.e === 'tx-sent' && !made.has(e.id)) made.set(e.id, { node: e.node, t: e.t })
    if (kind === 'block' && e.e === 'mine' && e.hash !== undefined && !made.has(e.hash)) {
      made.set(e.hash, { node: e.node, t: e.t })
    }
  }
  return made
}

function delayToLevel(sortedDelays: readonly number[], targets: number, level: ReachLevel): number | null {
  const needed = Math.ceil((level / 100) * targets)
  if (needed === 0) return null
  return sortedDelays[needed - 1] ?? null
}

/** Each honest-made message with its reach delays and bound. */
export function messageReaches(model: RunModel, kind: MessageKind): { reaches: MessageReach[]; foreign: number } {
  const made = madeBy(model, kind)
  const kills = new Map<string, number[]>()
  for (const e of model.timeline) if (e.e === 'kill') kills.set(e.node, [...(kills.get(e.node) ?? []), e.t])
  const reaches: MessageReach[] = []
  let foreign = 0
  for (const [id, seen] of sightings(model, kind)) {
    const local = seen.filter((s) => s.from === 'local').sort((a, b) => a.t - b.t)[0]
    const sent = made.get(id)
    const origin = local?.node ?? (sent !== undefined && model.honest.has(sent.node) ? sent.node : undefined)
    if (origin === undefined) {
      foreign++
      continue
    }
    const sentAt = kind === 'tx' ? (sent?.t ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY
    const originTime = Math.min(sentAt, ...seen.map((s) => s.t))
    const delays: number[] = []
    let targets = 0
    for (const node of model.honest) {
      const interval = (model.up.get(node) ?? []).find((iv) => iv.from <= originTime && originTime < iv.to)
      if (interval === undefined) continue
      const first = seen.filter((s) => s.node === node && s.t >= interval.from && s.t <= interval.to)
      const t = first.length === 0 ? undefined : Math.min(...first.map((s) => s.t))
      const killed = (kills.get(node) ?? []).some((k) => k >= originTime && k <= interval.to)
      if (t === undefined && killed) continue
      targets++
      if (t !== undefined) delays.push(t - originTime)
    }
    delays.sort((a, b) => a - b)
    const bytes = seen.find((s) => s.bytes !== undefined)?.bytes
    const dist = shortestPathsMs(model, graphAt(model, originTime), origin, bytes)
    const boundDelays: number[] = []
    for (const node of model.honest) {
      if (model.isUp(node, originTime)) boundDelays.push(dist.get(node) ?? Number.POSITIVE_INFINITY)
    }
    boundDelays.sort((a, b) => a - b)
    const boundTargets = Math.min(targets, boundDelays.length)
    const delayMs = {} as Record<ReachLevel, number | null>
    const boundMs = {} as Record<ReachLevel, number | null>
    for (const level of REACH_LEVELS) {
      delayMs[level] = delayToLevel(delays, targets, level)
      const bound = delayToLevel(boundDelays, boundTargets, level)
      boundMs[level] = bound === null || !Number.isFinite(bound) ? null : bound
    }
    reaches.push({ id, origin, originTime, targets, delayMs, boundMs })
  }
  reaches.sort((a, b) => a.originTime - b.originTime)
  return { reaches, foreign }
}

export function propagationFigures(model: RunModel, kind: MessageKind): PropagationFigures {
  const { reaches, foreign } = messageReaches(model, kind)
  const reachedAt = (level: ReachLevel) => reaches.flatMap((r) => (r.delayMs[level] === null ? [] : [r.delayMs[level]]))
  return {
    messages: reaches.length,
    foreign,
    reach: REACH_LEVELS.map((level) => {
      const delays = reachedAt(level)
      return { level, delayMs: percentiles(delays), unreached: reaches.length - delays.length }
    }),
    boundRatio: REACH_LEVELS.map((level) => ({
      level,
      ratio: percentiles(
        reaches.flatMap((r) => {
          const actual = r.delayMs[level]
          const bound = r.boundMs[level]
          return actual === null || bound === null || bound <= 0 ? [] : [actual / bound]
        }),
      ),
    })),
    cdf: REACH_LEVELS.map((level) => ({ level, points: cdf(reachedAt(level), reaches.length) })),
  }
}
