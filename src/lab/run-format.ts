/**
 * What `peerchain lab run` leaves in its output directory for the report
 * (src/lab/report/) to read. One run of a scenario under one gossip protocol
 * is a "run"; a scenario run under both gossipsub and floodsub has two.
 *
 *   DIR/<gossip>/run.json            LabRun (below)
 *   DIR/<gossip>/timeline.jsonl      LabTimelineEvent lines, in time order
 *   DIR/<gossip>/traces/<node>.jsonl each node's trace (src/trace/format.ts)
 *   DIR/report.json, DIR/report.html the report over all runs
 *
 * Times are Unix epoch milliseconds, as in the traces.
 */
export type Gossip = 'gossipsub' | 'floodsub'

export type LabRole = 'full' | 'miner' | 'attacker'

export interface LabNodeInfo {
  /** `n0`, `n1`, … for nodes, `a0`, … for attackers. */
  name: string
  /** Its own 127.A.B.C address; its network group is 127.A.B. */
  ip: string
  region: string
  role: LabRole
  /** For attackers: what it does (`junk-gossip`, `unfunded-flood`, `sybil-inbound`, `addr-flood`, `sync-staller`). */
  attack?: string
  /** Every peer id it used (attackers rotate keys; a restarted node keeps its one). */
  peerIds: string[]
  /** Uplink bandwidth, Mbit/s. */
  bandwidthMbit: number
  /** Its trace, relative to the run directory; attackers have none. */
  trace?: string
}

export interface LabRun {
  scenario: string
  gossip: Gossip
  seed: number
  startedAt: number
  endedAt: number
  /**
   * When the lab began stopping the nodes (the scenario's end, before any
   * teardown): the report takes its end-of-run figures (the topology) just
   * before it. Without it, just before the first clean stop of a node alive at the end.
   */
  stoppingAt?: number
  regions: string[]
  /** One-way latency in ms, latencyMs[i][j] from regions[i] to regions[j]. */
  latencyMs: number[][]
  jitterMs: number
  nodes: LabNodeInfo[]
  /**
   * What became of every tx the lab sent, asked of the nodes at the end
   * (`tx_get`): in the final chain of the node asked, still pending in some
   * mempool, or known to no node up (lost). At most 20 lost ids are listed.
   */
  txOutcome?: { sent: number; included: number; pending: number; lost: number; lostIds: string[] }
  /** The link shaper's measured error against the intended delay, ms (p50, p99 and max of |actual − intended|). */
  shaperErrorMs?: { p50: number; p99: number; max: number; samples: number }
}

export type LabTimelineEvent =
  | { t: number; e: 'tx-sent'; id: string; node: string }
  | { t: number; e: 'mine'; node: string; hash?: string }
  | { t: number; e: 'split'; groups: string[][] }
  | { t: number; e: 'heal' }
  | { t: number; e: 'kill'; node: string; signal: 'SIGKILL' | 'SIGTERM' }
  | { t: number; e: 'restart'; node: string }
  | { t: number; e: 'join'; node: string }
  | { t: number; e: 'attack-start'; node: string; attack: string }
  | { t: number; e: 'attack-stop'; node: string; attack: string }
