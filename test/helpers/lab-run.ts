/**
 * Synthetic lab runs for the report's tests: a run.json, a timeline and
 * traces built event by event at known times, as a LoadedRun or written to
 * a directory in the layout of src/lab/run-format.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LoadedRun } from '../../src/lab/report/load.js'
import type { LabNodeInfo, LabRole, LabRun, LabTimelineEvent } from '../../src/lab/run-format.js'
import { TRACE_VERSION, type TraceEvent } from '../../src/trace/format.js'

/** Every synthetic run begins at this instant, so event times read as T0 + ms. */
export const T0 = 1_700_000_000_000

export interface NodeSpec {
  name: string
  region?: string
  role?: LabRole
  peerIds?: string[]
  bandwidthMbit?: number
  /** Whether its trace begins with a start at T0 (default: yes, for non-attackers). */
  startAtT0?: boolean
}

export const peerIdOf = (name: string) => `peer-${name}`

type Omit1<E> = E extends unknown ? Omit<E, 't'> : never

export class RunBuilder {
  readonly run: LabRun
  readonly timeline: LabTimelineEvent[] = []
  readonly traces = new Map<string, TraceEvent[]>()

  constructor(
    nodes: NodeSpec[],
    options: {
      regions?: string[]
      latencyMs?: number[][]
      durationMs?: number
      gossip?: LabRun['gossip']
      stoppingAtMs?: number
    } = {},
  ) {
    const regions = options.regions ?? ['eu']
    this.run = {
      scenario: 'synthetic',
      gossip: options.gossip ?? 'gossipsub',
      seed: 1,
      startedAt: T0,
      endedAt: T0 + (options.durationMs ?? 60_000),
      ...(options.stoppingAtMs === undefined ? {} : { stoppingAt: T0 + options.stoppingAtMs }),
      regions,
      latencyMs: options.latencyMs ?? regions.map(() => regions.map(() => 0)),
      jitterMs: 0,
      nodes: nodes.map((n, i): LabNodeInfo => {
        const role = n.role ?? 'full'
        return {
          name: n.name,
          ip: `127.0.${i + 1}.1`,
          region: n.region ?? regions[0]!,
          role,
          peerIds: n.peerIds ?? [peerIdOf(n.name)],
          bandwidthMbit: n.bandwidthMbit ?? 100,
          ...(role === 'attacker' ? { attack: 'sybil-inbound' } : { trace: `traces/${n.name}.jsonl` }),
        }
      }),
    }
    for (const n of nodes) {
      if ((n.role ?? 'full') === 'attacker') continue
      this.traces.set(n.name, [])
      if (n.startAtT0 !== false) this.at(n.name, 0, { e: 'start', v: TRACE_VERSION, peerId: peerIdOf(n.name), pid: 1 })
    }
  }

  /** Adds a trace event to `node` at T0 + ms. */
  at(node: string, ms: number, event: Omit1<TraceEvent>): this {
    const trace = this.traces.get(node)
    if (trace === undefined) throw new Error(`no traced node ${node}`)
    trace.push({ t: T0 + ms, ...event } as TraceEvent)
    return this
  }

  /** Adds a timeline event at T0 + ms. */
  event(ms: number, event: Omit1<LabTimelineEvent>): this {
    this.timeline.push({ t: T0 + ms, ...event } as LabTimelineEvent)
    this.timeline.sort((a, b) => a.t - b.t)
    return this
  }

  /** A connection between two nodes open from `fromMs` (and closed at `toMs`), logged by both sides. */
  connect(a: string, b: string, fromMs: number, toMs?: number): this {
    for (const [self, other, dir] of [
      [a, b, 'out'],
      [b, a, 'in'],
    ] as const) {
      if (!this.traces.has(self)) continue
      const ip = this.run.nodes.find((n) => n.name === other)?.ip
      this.at(self, fromMs, { e: 'peer', op: 'open', peer: peerIdOf(other), ip, dir })
      if (toMs !== undefined) this.at(self, toMs, { e: 'peer', op: 'close', peer: peerIdOf(other), ip, dir })
    }
    return this
  }

  loaded(): LoadedRun {
    const traces = [...this.traces].map(([node, events]) => ({
      node,
      events: [...events].sort((x, y) => x.t - y.t),
      truncatedLines: 0,
    }))
    return { run: this.run, timeline: this.timeline, traces }
  }

  /** Writes DIR/<gossip>/run.json, timeline.jsonl and traces/. */
  async write(dir: string): Promise<void> {
    const runDir = join(dir, this.run.gossip)
    await mkdir(join(runDir, 'traces'), { recursive: true })
    await writeFile(join(runDir, 'run.json'), JSON.stringify(this.run, null, 2))
    await writeFile(join(runDir, 'timeline.jsonl'), this.timeline.map((e) => `${JSON.stringify(e)}\n`).join(''))
    for (const { node, events } of this.loaded().traces) {
      await writeFile(join(runDir, 'traces', `${node}.jsonl`), events.map((e) => `${JSON.stringify(e)}\n`).join(''))
    }
  }
}

/**
 * A whole synthetic run with something in every section: 6 honest nodes in
 * 3 regions in a ring, txs and blocks spreading hop by hop at the region
 * latency, a split healed at 30 s, byte samples, copies and an attacker cut
 * by two nodes. Floodsub's copy spreads 1.5× slower, with 2 more copies per message.
 */
export function richRun(gossip: LabRun['gossip']): RunBuilder {
  const slow = gossip === 'floodsub' ? 1.5 : 1
  const names = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5']
  const regions = ['eu', 'us', 'asia']
  const latencyMs = [
    [10, 80, 150],
    [80, 10, 120],
    [150, 120, 10],
  ]
  const run = new RunBuilder(
    [
      ...names.map((name, i) => ({
        name,
        region: regions[i % 3],
        role: i < 2 ? ('miner' as const) : ('full' as const),
      })),
      { name: 'a0', role: 'attacker' as const, peerIds: ['evil-1', 'evil-2'] },
    ],
    { regions, latencyMs, durationMs: 60_000, gossip, stoppingAtMs: 59_000 },
  )
  for (const [i, name] of names.entries()) run.connect(name, names[(i + 1) % names.length]!, 200)
  run.connect('n0', 'n3', 200)
  const spread = (kind: 'tx' | 'block', id: string, origin: number, ms: number, height: number, parent: string) => {
    for (let hop = 0; hop < names.length; hop++) {
      const name = names[(origin + hop) % names.length]!
      const t = ms + hop * 90 * slow
      const from = hop === 0 ? 'local' : peerIdOf(names[(origin + hop - 1) % names.length]!)
      if (kind === 'tx') run.at(name, t, { e: 'tx', id, from, bytes: 250 })
      else {
        run.at(name, t, { e: 'block', hash: id, height, from, parent, bytes: 2000 })
        run.at(name, t, { e: 'head', hash: id, height })
      }
      run.at(name, t + 2000, { e: 'copies', k: kind, id, n: 1 + ((hop + height) % 3) + (slow > 1 ? 2 : 0) })
    }
  }
  let parent = 'genesis'
  for (let h = 1; h <= 10; h++) {
    spread('block', `b${h}`, h % 2, h * 5000, h, parent)
    parent = `b${h}`
  }
  for (let k = 0; k < 40; k++) {
    run.event(1000 + k * 1200, { e: 'tx-sent', id: `t${k}`, node: names[k % 6]! })
    spread('tx', `t${k}`, k % 6, 1000 + k * 1200 + 5, 0, '')
  }
  run.event(20_000, { e: 'split', groups: [names.slice(0, 3), names.slice(3)] })
  run.event(30_000, { e: 'heal' })
  run.event(40_000, { e: 'attack-start', node: 'a0', attack: 'sybil-inbound' })
  run.at('n1', 40_100, { e: 'peer', op: 'open', peer: 'evil-1', dir: 'in' })
  run.at('n1', 41_000, { e: 'cut', peer: 'evil-1', reason: 'junk gossip' })
  run.at('n2', 40_200, { e: 'peer', op: 'open', peer: 'evil-2', dir: 'in' })
  run.at('n2', 43_500, { e: 'peer', op: 'close', peer: 'evil-2', dir: 'in' })
  for (const [i, name] of names.entries()) {
    for (let s = 1; s <= 59; s++) {
      const rate = (i < 2 ? 3000 : 1500) * slow
      run.at(name, s * 1000, { e: 'bytes', proto: { '/meshsub/1.1.0': { in: s * rate, out: s * rate * 1.1 } } })
    }
  }
  return run
}
