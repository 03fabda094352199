/**
 * What the attackers achieved and how fast they were cut.
 *
 * An attack episode runs from a timeline `attack-start` of an attacker until
 * its `attack-stop` (or the run's end). An honest node is exposed to it when
 * it had a connection to any of the attacker's peer ids (or its IP) open
 * during the episode, or cut it. Its time to cut is from the start until its
 * first `cut` of, or logged connection close to, any of those ids.
 *
 * Honest peers lost are honest-to-honest connections an honest node logged
 * closing (a node going down is churn, not loss): during attack episodes and
 * in all. The minimum honest peer count is over every honest node's up time
 * within the attack episodes or, with no attacks, over its up time after its
 * first honest connection in each up interval.
 */
import type { Interval, RunModel } from './model.js'
import { ascending, percentileOfSorted } from './stats.js'

export interface AttackCut {
  attacker: string
  attack: string
  /** Episode start, seconds since the run began. */
  startS: number
  /** Honest nodes exposed to it. */
  exposed: number
  /** Of those, how many cut it (or closed on it). */
  cut: number
  /** Time to cut of the first, median and last honest node that cut it, ms. */
  firstMs: number | null
  medianMs: number | null
  lastMs: number | null
}

export interface HonestPeersLost {
  closedDuringAttacks: number
  closedTotal: number
  minHonestPeers: number | null
  minHonestPeersNode: string | null
  /** What the minimum is taken over. */
  minOver: 'attacks' | 'run'
}

interface Episode extends Interval {
  attacker: string
  attack: string
}

export function attackEpisodes(model: RunModel): Episode[] {
  const episodes: Episode[] = []
  const { timeline, run } = model
  for (const [i, e] of timeline.entries()) {
    if (e.e !== 'attack-start') continue
    const stop = timeline
      .slice(i + 1)
      .find((s) => s.e === 'attack-stop' && s.node === e.node && s.attack === e.attack)?.t
    episodes.push({ attacker: e.node, attack: e.attack, from: e.t, to: stop ?? run.endedAt })
  }
  return episodes
}

export function attackCuts(model: RunModel): AttackCut[] {
  return attackEpisodes(model).map((episode) => {
    const attacker = model.nodes.get(episode.attacker)
    const ids = new Set(attacker?.peerIds ?? [])
    const isAttacker = (peerId: string, ip?: string) =>
      ids.has(peerId) ||
      (attacker !== undefined && ip === attacker.ip) ||
      model.nodeOfPeer(peerId, ip) === episode.attacker
    const delays: number[] = []
    let exposed = 0
    for (const node of model.honest) {
      const cuts = (model.events.get(node) ?? []).flatMap((e) =>
        e.e === 'cut' && e.t >= episode.from && isAttacker(e.peer, e.ip) ? [e.t] : [],
      )
      const conns = model.connections.filter(
        (c) => c.observer === node && c.peer === episode.attacker && c.to >= episode.from && c.from <= episode.to,
      )
      const closes = conns.flatMap((c) => (c.end === 'close' && c.to >= episode.from ? [c.to] : []))
      if (conns.length === 0 && cuts.length === 0) continue
      exposed++
      const first = Math.min(...cuts, ...closes)
      if (Number.isFinite(first)) delays.push(first - episode.from)
    }
    const sorted = ascending(delays)
    return {
      attacker: episode.attacker,
      attack: episode.attack,
      startS: (episode.from - model.run.startedAt) / 1000,
      exposed,
      cut: sorted.length,
      firstMs: sorted[0] ?? null,
      medianMs: percentileOfSorted(sorted, 50),
      lastMs: sorted.at(-1) ?? null,
    }
  })
}

/** The node's count of distinct honest peers as steps: [time, count after it]. */
function honestPeerSteps(model: RunModel, node: string): [number, number][] {
  const changes: { t: number; peer: string; d: number }[] = []
  for (const c of model.connections) {
    if (c.observer !== node || c.peer === undefined || !model.honest.has(c.peer)) continue
    changes.push({ t: c.from, peer: c.peer, d: 1 }, { t: c.to, peer: c.peer, d: -1 })
  }
  // Opens before closes at one instant: a reconnect in the same millisecond is no dip.
  changes.sort((a, b) => a.t - b.t || b.d - a.d)
  const open = new Map<string, number>()
  const steps: [number, number][] = []
  for (const ch of changes) {
    const n = (open.get(ch.peer) ?? 0) + ch.d
    if (n <= 0) open.delete(ch.peer)
    else open.set(ch.peer, n)
    steps.push([ch.t, open.size])
  }
  return steps
}

/** The least count the steps hold over the window: the count entering it, and every step inside it. */
function minOver(steps: readonly [number, number][], window: Interval): number {
  let count = 0
  let i = 0
  for (; i < steps.length && steps[i]![0] <= window.from; i++) count = steps[i]![1]
  let min = count
  for (; i < steps.length && steps[i]![0] < window.to; i++) min = Math.min(min, steps[i]![1])
  return min
}

export function honestPeersLost(model: RunModel): HonestPeersLost {
  const episodes = attackEpisodes(model)
  const during = (t: number) => episodes.some((e) => t >= e.from && t <= e.to)
  let closedTotal = 0
  let closedDuringAttacks = 0
  for (const c of model.connections) {
    if (c.end !== 'close' || !model.honest.has(c.observer) || c.peer === undefined || !model.honest.has(c.peer))
      continue
    closedTotal++
    if (during(c.to)) closedDuringAttacks++
  }
  let minHonestPeers: number | null = null
  let minHonestPeersNode: string | null = null
  // Once the lab stops the nodes, peers leave one by one: that is the end of the run, not a loss.
  const stoppingAt = model.run.stoppingAt ?? Number.POSITIVE_INFINITY
  for (const node of model.honest) {
    const steps = honestPeerSteps(model, node)
    for (const up of model.up.get(node) ?? []) {
      const iv = { from: up.from, to: Math.min(up.to, stoppingAt) }
      const windows =
        episodes.length > 0
          ? episodes.map((e) => ({ from: Math.max(e.from, iv.from), to: Math.min(e.to, iv.to) }))
          : [{ from: steps.find(([t, n]) => t >= iv.from && n > 0)?.[0] ?? iv.to, to: iv.to }]
      for (const w of windows) {
        if (w.to <= w.from) continue
        const m = minOver(steps, w)
        if (minHonestPeers === null || m < minHonestPeers) {
          minHonestPeers = m
          minHonestPeersNode = node
        }
      }
    }
  }
  return {
    closedDuringAttacks,
    closedTotal,
    minHonestPeers,
    minHonestPeersNode,
    minOver: episodes.length > 0 ? 'attacks' : 'run',
  }
}
