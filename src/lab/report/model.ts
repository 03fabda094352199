/**
 * One loaded run indexed for the figures: who each peer id is, when each
 * node was up, and every connection as an interval. Built once per run.
 *
 * A node is up from each `start` in its trace until its `stop`, or the
 * timeline's `kill` of it, or (killed at the end of the run, or crashed) the
 * run's end; an interval that a later `start` interrupts without either ends
 * at its last event.
 */

import type { TraceEvent } from '../../trace/format.js'
import type { LabNodeInfo, LabRun, LabTimelineEvent } from '../run-format.js'
import type { LoadedRun } from './load.js'

export interface Interval {
  from: number
  to: number
}

/** One connection as one node saw it. `peer` is the node it led to, when the peer id or IP is one of the run's. */
export interface ObservedConnection extends Interval {
  observer: string
  peerId: string
  peer: string | undefined
  /** `close`: the observer logged its close; `down`: the observer went down (or the run ended) with it open. */
  end: 'close' | 'down'
}

export interface RunModel {
  run: LabRun
  timeline: LabTimelineEvent[]
  nodes: Map<string, LabNodeInfo>
  honest: Set<string>
  events: Map<string, TraceEvent[]>
  up: Map<string, Interval[]>
  connections: ObservedConnection[]
  /** Connections between two of the run's nodes, both sides' views merged: alive while either side had it open. */
  links: { a: string; b: string; from: number; to: number }[]
  nodeOfPeer(peerId: string, ip?: string): string | undefined
  isUp(node: string, t: number): boolean
  /** One-way latency between two nodes' regions, ms. */
  latencyMs(from: string, to: string): number
}

function upIntervals(name: string, events: readonly TraceEvent[], run: LabRun, timeline: readonly LabTimelineEvent[]) {
  const kills = timeline.filter((e) => e.e === 'kill' && e.node === name).map((e) => e.t)
  const starts = events.flatMap((e, i) => (e.e === 'start' ? [i] : []))
  const intervals: Interval[] = []
  for (const [k, startIndex] of starts.entries()) {
    const from = events[startIndex]!.t
    const nextIndex = starts[k + 1]
    const segment = events.slice(startIndex, nextIndex)
    const stop = segment.find((e) => e.e === 'stop')?.t
    const nextFrom = nextIndex === undefined ? Number.POSITIVE_INFINITY : events[nextIndex]!.t
    const kill = kills.find((t) => t >= from && t < nextFrom)
    const to = stop ?? kill ?? (nextIndex === undefined ? run.endedAt : segment.at(-1)!.t)
    intervals.push({ from, to: Math.max(from, to) })
  }
  return intervals
}

function observedConnections(
  observer: string,
  events: readonly TraceEvent[],
  up: readonly Interval[],
  nodeOfPeer: (peerId: string, ip?: string) => string | undefined,
): ObservedConnection[] {
  const out: ObservedConnection[] = []
  // Open connections per peer id: a stack of open times (two connections to one peer are two intervals).
  let open = new Map<string, { from: number; ip?: string }[]>()
  let interval = -1
  const closeAll = (t: number) => {
    for (const [peerId, stack] of open) {
      for (const c of stack)
        out.push({ observer, peerId, peer: nodeOfPeer(peerId, c.ip), from: c.from, to: t, end: 'down' })
    }
    open = new Map()
  }
  for (const e of events) {
    if (e.e === 'start') {
      if (interval >= 0) closeAll(up[interval]!.to)
      interval++
      continue
    }
    if (e.e !== 'peer') continue
    const stack = open.get(e.peer) ?? []
    if (e.op === 'open') {
      stack.push({ from: e.t, ip: e.ip })
      open.set(e.peer, stack)
      continue
    }
    const c = stack.shift()
    if (c === undefined) continue // a close of a connection opened before the trace began
    if (stack.length === 0) open.delete(e.peer)
    out.push({ observer, peerId: e.peer, peer: nodeOfPeer(e.peer, c.ip ?? e.ip), from: c.from, to: e.t, end: 'close' })
  }
  if (interval >= 0) closeAll(up[interval]!.to)
  return out
}

/** Merges both sides' views of each node pair into maximal alive intervals. */
function mergeLinks(connections: readonly ObservedConnection[]) {
  const byPair = new Map<string, Interval[]>()
  for (const c of connections) {
    if (c.peer === undefined || c.peer === c.observer) continue
    const [a, b] = c.observer < c.peer ? [c.observer, c.peer] : [c.peer, c.observer]
    const key = `${a}\u0000${b}`
    const list = byPair.get(key) ?? []
    list.push({ from: c.from, to: c.to })
    byPair.set(key, list)
  }
  const links: { a: string; b: string; from: number; to: number }[] = []
  for (const [key, list] of byPair) {
    const [a, b] = key.split('\u0000') as [string, string]
    list.sort((x, y) => x.from - y.from)
    let current: Interval | undefined
    for (const iv of list) {
      if (current !== undefined && iv.from <= current.to) {
        current.to = Math.max(current.to, iv.to)
        continue
      }
      if (current !== undefined) links.push({ a, b, ...current })
      current = { ...iv }
    }
    if (current !== undefined) links.push({ a, b, ...current })
  }
  return links
}

export function buildModel(loaded: LoadedRun): RunModel {
  const { run, timeline } = loaded
  const nodes = new Map(run.nodes.map((n) => [n.name, n]))
  const honest = new Set(run.nodes.filter((n) => n.role !== 'attacker').map((n) => n.name))
  const byPeerId = new Map<string, string>()
  const byIp = new Map<string, string>()
  for (const n of run.nodes) {
    for (const id of n.peerIds) byPeerId.set(id, n.name)
    byIp.set(n.ip, n.name)
  }
  const events = new Map<string, TraceEvent[]>()
  for (const trace of loaded.traces) {
    events.set(trace.node, trace.events)
    for (const e of trace.events) if (e.e === 'start' && !byPeerId.has(e.peerId)) byPeerId.set(e.peerId, trace.node)
  }
  const nodeOfPeer = (peerId: string, ip?: string) =>
    byPeerId.get(peerId) ?? (ip === undefined ? undefined : byIp.get(ip))
  const up = new Map<string, Interval[]>()
  const connections: ObservedConnection[] = []
  for (const [name, list] of events) {
    const intervals = upIntervals(name, list, run, timeline)
    up.set(name, intervals)
    connections.push(...observedConnections(name, list, intervals, nodeOfPeer))
  }
  const regionIndex = new Map(run.regions.map((r, i) => [r, i]))
  return {
    run,
    timeline,
    nodes,
    honest,
    events,
    up,
    connections,
    links: mergeLinks(connections),
    nodeOfPeer,
    isUp: (node, t) => (up.get(node) ?? []).some((iv) => iv.from <= t && t < iv.to),
    latencyMs: (from, to) => {
      const i = regionIndex.get(nodes.get(from)?.region ?? '')
      const j = regionIndex.get(nodes.get(to)?.region ?? '')
      return i === undefined || j === undefined ? 0 : (run.latencyMs[i]?.[j] ?? 0)
    },
  }
}
