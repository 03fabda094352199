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
