/**
 * Convergence after each heal.
 *
 * Definition. Let h be the time of a `heal` and E the end of the
 * partition-free period that follows it (the next `split`, or the run's end).
 * At an instant c the network agrees on H when every honest node up at c has
 * a head in its current up interval and all those heads are H. The network
 * has converged at c when it agrees on H at c and, for the rest of the period
 * (c, E), every head any honest node reports lies on H's chain: H itself, a
 * descendant of H (mining goes on, so the head keeps growing; it must not
 * leave H's branch) or an ancestor of H (a node restarting from an older
 * head on the way to it). The convergence time is c − h for the earliest such
 * c ≥ h; null when there is none.
 *
 * Ancestry comes from the blocks' `parent` links; where a link is missing a
 * head is taken to be on H's chain only when it is H or higher than H.
 */
import { blockTree } from './blocks.js'
import type { RunModel } from './model.js'

export interface HealConvergence {
  /** The heal, seconds since the run began. */
  healS: number
  /** Time from the heal until the honest nodes converged, ms; null: they did not before the period ended. */
  convergedMs: number | null
  head: string | null
  height: number | null
  /** Honest nodes up at the moment of convergence. */
  nodes: number
}

interface HeadEvent {
  node: string
  t: number
  hash: string
}

export function convergenceFigures(model: RunModel): HealConvergence[] {
  const tree = blockTree(model)
  const heads: HeadEvent[] = []
  for (const [node, events] of model.events) {
    if (!model.honest.has(node)) continue
    for (const e of events) if (e.e === 'head') heads.push({ node, t: e.t, hash: e.hash })
  }
  heads.sort((a, b) => a.t - b.t)
  const onChain = (x: string, h: string): boolean => {
    const down = tree.descends(x, h)
    const up = tree.descends(h, x)
    if (down === true || up === true) return true
    if (down === false && up === false) return false
    return (tree.height.get(x) ?? -1) >= (tree.height.get(h) ?? Number.POSITIVE_INFINITY)
  }
  const results: HealConvergence[] = []
  const { timeline, run } = model
  for (const [i, heal] of timeline.entries()) {
    if (heal.e !== 'heal') continue
    const end = timeline.slice(i + 1).find((e) => e.e === 'split')?.t ?? run.endedAt
    const candidates = new Set<number>([heal.t])
    for (const e of heads) if (e.t > heal.t && e.t < end) candidates.add(e.t)
    for (const intervals of model.up.values()) {
      for (const iv of intervals) for (const t of [iv.from, iv.to]) if (t > heal.t && t < end) candidates.add(t)
    }
    // Sweep the head events in time order, keeping each node's latest.
    const latest = new Map<string, HeadEvent>()
    let next = 0
    let found: HealConvergence | undefined
    for (const c of [...candidates].sort((a, b) => a - b)) {
      for (; next < heads.length && heads[next]!.t <= c; next++) latest.set(heads[next]!.node, heads[next]!)
      const upNodes = [...model.honest].filter((n) => model.isUp(n, c))
      if (upNodes.length === 0) continue
      const agreed = new Set(
        upNodes.map((n) => {
          const interval = model.up.get(n)!.find((iv) => iv.from <= c && c < iv.to)!
          const head = latest.get(n)
          return head !== undefined && head.t >= interval.from ? head.hash : undefined
        }),
      )
      const h = agreed.size === 1 ? [...agreed][0] : undefined
      if (h === undefined) continue
      const verdicts = new Map<string, boolean>()
      const stays = (x: string) => verdicts.get(x) ?? verdicts.set(x, onChain(x, h)).get(x)!
      let stayed = true
      for (let k = next; stayed && k < heads.length && heads[k]!.t < end; k++) stayed = stays(heads[k]!.hash)
      if (!stayed) continue
      found = {
        healS: (heal.t - run.startedAt) / 1000,
        convergedMs: c - heal.t,
        head: h,
        height: tree.height.get(h) ?? null,
        nodes: upNodes.length,
      }
      break
    }
    results.push(
      found ?? { healS: (heal.t - run.startedAt) / 1000, convergedMs: null, head: null, height: null, nodes: 0 },
    )
  }
  return results
}
