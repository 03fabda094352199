/**
 * A lab run's timeline, drawn before anything starts: every block (which
 * miner, when), every tx (from which node), every partition, kill, restart,
 * late join and attack, in time order. Pure and seeded: one scenario and one
 * seed give one plan, so two runs of a scenario differ only by what the real
 * processes do with it.
 *
 * - Blocks are a Poisson process with the scenario's mean interval; each
 *   block goes to a miner with odds equal to its hash share. A block drawn
 *   for a miner that is down at that instant is not mined (its work stops).
 * - Txs are a Poisson process per load entry; each starts at a node drawn
 *   among those planned to be up.
 * - Churn kills are a Poisson process; each picks a node planned up (never
 *   the last miner up) and restarts it after `downS`.
 */
import { exponential, type Rng } from '../util/rng.js'

export interface PlanNode {
  name: string
  role: 'full' | 'miner'
  /** Share of the network's hash power (miners; normalised over all miners). */
  hashShare: number
  /** Starts late, at this second of the run. */
  joinAtS?: number
}

export type PlanEvent =
  | { kind: 'split'; atS: number; groups: string[][] }
  | { kind: 'heal'; atS: number }
  | { kind: 'kill'; atS: number; nodes: string[]; signal: 'SIGKILL' | 'SIGTERM'; restartAfterS?: number }
  | { kind: 'churn'; fromS: number; untilS: number; killsPerMin: number; signal: 'SIGKILL' | 'SIGTERM'; downS: number }

export interface PlanAttacker {
  name: string
  fromS: number
  untilS: number
}

export interface PlanInput {
  durationS: number
  blockIntervalS: number
  nodes: PlanNode[]
  load: Array<{ txRate: number; fromS: number; untilS: number }>
  events: PlanEvent[]
  attackers: PlanAttacker[]
}

export type LabAction =
  | { atMs: number; kind: 'mine'; node: string }
  | { atMs: number; kind: 'tx'; node: string }
  | { atMs: number; kind: 'split'; groups: string[][] }
  | { atMs: number; kind: 'heal' }
  | { atMs: number; kind: 'kill'; node: string; signal: 'SIGKILL' | 'SIGTERM' }
  | { atMs: number; kind: 'restart'; node: string }
  | { atMs: number; kind: 'join'; node: string }
  | { atMs: number; kind: 'attack-start'; attacker: string }
  | { atMs: number; kind: 'attack-stop'; attacker: string }

/** Down intervals per node, [from, until) in ms, as the plan has them so far. */
class Uptime {
  private readonly down = new Map<string, Array<[number, number]>>()

  constructor(nodes: PlanNode[]) {
    for (const n of nodes) if (n.joinAtS !== undefined && n.joinAtS > 0) this.markDown(n.name, 0, n.joinAtS * 1000)
  }

  markDown(name: string, from: number, until: number): void {
    const spans = this.down.get(name) ?? []
    spans.push([from, until])
    this.down.set(name, spans)
  }

  isUp(name: string, at: number): boolean {
    return !(this.down.get(name) ?? []).some(([from, until]) => at >= from && at < until)
  }
}

const ORDER: Record<LabAction['kind'], number> = {
  join: 0,
  restart: 1,
  heal: 2,
  split: 3,
  'attack-start': 4,
  mine: 5,
  tx: 6,
  'attack-stop': 7,
  kill: 8,
}

/** The miner whose slice of [0, total share) holds `point`. */
function pickByShare(miners: PlanNode[], point: number): PlanNode {
  let below = 0
  for (const miner of miners) {
    below += miner.hashShare
    if (point < below) return miner
  }
  return miners[miners.length - 1] as PlanNode
}

export function planLab(input: PlanInput, rng: Rng): LabAction[] {
  const endMs = input.durationS * 1000
  const actions: LabAction[] = []
  const uptime = new Uptime(input.nodes)
  for (const n of input.nodes)
    if (n.joinAtS !== undefined && n.joinAtS > 0) actions.push({ atMs: n.joinAtS * 1000, kind: 'join', node: n.name })

  // Kills first: they decide who is up for the blocks and txs drawn after.
  for (const event of input.events) {
    if (event.kind === 'split') actions.push({ atMs: event.atS * 1000, kind: 'split', groups: event.groups })
    else if (event.kind === 'heal') actions.push({ atMs: event.atS * 1000, kind: 'heal' })
    else if (event.kind === 'kill') {
      for (const node of event.nodes) {
        const at = event.atS * 1000
        actions.push({ atMs: at, kind: 'kill', node, signal: event.signal })
        const back = event.restartAfterS === undefined ? endMs : Math.min(endMs, at + event.restartAfterS * 1000)
        if (back < endMs) actions.push({ atMs: back, kind: 'restart', node })
        uptime.markDown(node, at, back)
      }
    }
  }
  for (const event of input.events) {
    if (event.kind !== 'churn' || event.killsPerMin <= 0) continue
    const meanMs = 60_000 / event.killsPerMin
    for (
      let at = event.fromS * 1000 + exponential(rng, meanMs);
      at < event.untilS * 1000;
      at += exponential(rng, meanMs)
    ) {
      const minersUp = input.nodes.filter((n) => n.role === 'miner' && uptime.isUp(n.name, at))
      const candidates = input.nodes.filter(
        (n) => uptime.isUp(n.name, at) && !(n.role === 'miner' && minersUp.length <= 1),
      )
      const victim = candidates[rng.int(candidates.length)]
      if (!victim) continue
      const back = Math.min(endMs, at + event.downS * 1000)
      actions.push({ atMs: at, kind: 'kill', node: victim.name, signal: event.signal })
      if (back < endMs) actions.push({ atMs: back, kind: 'restart', node: victim.name })
      uptime.markDown(victim.name, at, back)
    }
  }

  const miners = input.nodes.filter((n) => n.role === 'miner' && n.hashShare > 0)
  const totalShare = miners.reduce((sum, n) => sum + n.hashShare, 0)
  if (miners.length > 0 && input.blockIntervalS > 0) {
    const meanMs = input.blockIntervalS * 1000
    for (let at = exponential(rng, meanMs); at < endMs; at += exponential(rng, meanMs)) {
      const miner = pickByShare(miners, rng.next() * totalShare)
      if (uptime.isUp(miner.name, at)) actions.push({ atMs: at, kind: 'mine', node: miner.name })
    }
  }

  for (const load of input.load) {
    if (load.txRate <= 0) continue
    const meanMs = 1000 / load.txRate
    const until = Math.min(endMs, load.untilS * 1000)
    for (let at = load.fromS * 1000 + exponential(rng, meanMs); at < until; at += exponential(rng, meanMs)) {
      const up = input.nodes.filter((n) => uptime.isUp(n.name, at))
      const origin = up[rng.int(up.length)]
      if (origin) actions.push({ atMs: at, kind: 'tx', node: origin.name })
    }
  }

  for (const a of input.attackers) {
    actions.push({ atMs: a.fromS * 1000, kind: 'attack-start', attacker: a.name })
    actions.push({ atMs: Math.min(endMs, a.untilS * 1000), kind: 'attack-stop', attacker: a.name })
  }

  return actions
    .map((action, i) => ({ action, i }))
    .sort((x, y) => x.action.atMs - y.action.atMs || ORDER[x.action.kind] - ORDER[y.action.kind] || x.i - y.i)
    .map(({ action }) => action)
}
