/**
 * A lab scenario: the network (regions, latency, bandwidth), the nodes, the
 * load and a timeline of partitions, kills, churn and attackers that
 * `peerchain lab run` (and `lab drive` on Kubernetes) play against real node
 * processes. The file format is documented in scenario-schema.ts; this module
 * turns a file into a fully defaulted, cross-checked `Scenario`, or a
 * `ScenarioError` naming the file, the key and what is allowed.
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { parse, TomlError } from 'smol-toml'
import type { Gossip } from './run-format.js'
import { resolveScenario } from './scenario-checks.js'
import { formatZodIssue } from './scenario-issues.js'
import { scenarioFileSchema } from './scenario-schema.js'

export type Role = 'full' | 'miner'
export type Signal = 'SIGKILL' | 'SIGTERM'
export type AttackKind = 'junk-gossip' | 'unfunded-flood' | 'sybil-inbound' | 'addr-flood' | 'sync-staller'

export interface NodeGroup {
  count: number
  /** Regions assigned round-robin, one entry when the file said `region`. */
  regions: string[]
  role: Role
  /** Each miner's weight before normalising; 0 for full nodes. */
  hash_share: number
  bandwidth_mbit: number
  join_at_s: number
}

export interface Load {
  tx_rate: number
  senders: number
  from_s: number
  until_s: number
}

export type ScenarioEvent =
  | { kind: 'split'; at_s: number; groups: string[][] }
  | { kind: 'heal'; at_s: number }
  | { kind: 'kill'; at_s: number; nodes: string[]; signal: Signal; restart_after_s?: number }
  | { kind: 'churn'; from_s: number; until_s: number; kills_per_min: number; signal: Signal; down_s: number }

export interface AttackerGroup {
  kind: AttackKind
  count: number
  region: string
  from_s: number
  until_s: number
  /** Per second; null where no rate applies (sync-staller). */
  rate: number | null
  ip_group?: string
}

export interface Scenario {
  /** The file it came from, as given. */
  file: string
  /** From the file, or the file's name without `.toml`. */
  name: string
  duration_s: number
  seed: number
  gossip: Gossip[]
  network: {
    regions: string[]
    /** One-way ms, latency_ms[from][to], indexed like `regions`. */
    latency_ms: number[][]
    jitter_ms: number
    bandwidth_mbit: number
  }
  nodes: NodeGroup[]
  /** Null: no miners, no blocks. */
  mining: { block_interval_s: number } | null
  load: Load[]
  /** In file order; the cross-checks replay them in time order. */
  events: ScenarioEvent[]
  attackers: AttackerGroup[]
}

export interface ScenarioIssue {
  /** The key, e.g. `events[2].kind`; empty for the file as a whole. */
  path: string
  message: string
}

/** A scenario file that cannot be used: every problem found, each with its key. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError'
  constructor(
    readonly file: string,
    readonly issues: ScenarioIssue[],
  ) {
    super(`${file}: invalid scenario\n${issues.map((i) => `  ${i.path || '(file)'}: ${i.message}`).join('\n')}`)
  }
}

/** Parses and checks a scenario; `file` names it in errors (and gives the default name). */
export function parseScenario(text: string, file: string): Scenario {
  let raw: unknown
  try {
    raw = parse(text)
  } catch (err) {
    if (!(err instanceof TomlError)) throw err
    const first = err.message.split('\n')[0]
    throw new ScenarioError(file, [
      { path: '', message: `not valid TOML at line ${err.line}, column ${err.column}: ${first}` },
    ])
  }
  const result = scenarioFileSchema.safeParse(raw)
  if (!result.success) {
    throw new ScenarioError(
      file,
      result.error.issues.map((issue) => formatZodIssue(issue, raw)),
    )
  }
  const defaultName = basename(file).replace(/\.toml$/, '')
  const { scenario, issues } = resolveScenario(result.data, file, defaultName)
  if (issues.length > 0) throw new ScenarioError(file, issues)
  return scenario
}

/** Reads and parses a scenario file. */
export async function loadScenario(path: string): Promise<Scenario> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ScenarioError(path, [{ path: '', message: `cannot be read: ${(err as Error).message}` }])
  }
  return parseScenario(text, path)
}
