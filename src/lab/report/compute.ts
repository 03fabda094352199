/** The report over a lab directory's runs: every figure, computed from the loaded files alone (pure). */

import type { Gossip } from '../run-format.js'
import { type AttackCut, attackCuts, type HonestPeersLost, honestPeersLost } from './attacks.js'
import { convergenceFigures, type HealConvergence } from './convergence.js'
import { type CpuFigures, cpuFigures } from './cpu.js'
import type { LoadedRun } from './load.js'
import { buildModel } from './model.js'
import { type PropagationFigures, propagationFigures, type ReachLevel } from './propagation.js'
import { type StaleFigures, staleFigures } from './stale.js'
import { type TopologyFigures, topologyFigures } from './topology.js'
import { type BandwidthFigures, bandwidthFigures, type CopiesFigures, copiesFigures } from './traffic.js'

export const REPORT_VERSION = 1

/**
 * Bitcoin's measured propagation (bitcoinstats, Decker–Wattenhofer method,
 * 2014): the time until 50%, 90% and 99% of the reachable nodes had
 * announced a block or tx, ms. Shown beside our median over messages of the
 * time to reach 50%, 90% and 100% of the honest nodes.
 */
export const BITCOIN_REFERENCE = {
  source: 'bitcoinstats, Decker–Wattenhofer method, 2014',
  block: { p50Ms: 4060, p90Ms: 18_000, p99Ms: 255_000 },
  tx: { p50Ms: 800, p90Ms: 3270, p99Ms: null },
} as const

export interface RunReport {
  scenario: string
  gossip: Gossip
  seed: number
  durationS: number
  regions: string[]
  nodes: { honest: number; attackers: number; byRole: Record<string, number>; traced: number }
  shaperErrorMs: { p50: number; p99: number; max: number; samples: number } | null
  /** Every tx the lab sent, by what became of it (null: the run did not ask). */
  txOutcome: { sent: number; included: number; pending: number; lost: number; lostIds: string[] } | null
  /** The honest nodes' CPU use: past the machine's cores, every delay includes waiting for a CPU. */
  cpu: CpuFigures
  /** Half-written trace lines dropped (SIGKILLed nodes). */
  truncatedLines: number
  propagation: { tx: PropagationFigures; block: PropagationFigures }
  copies: { tx: CopiesFigures; block: CopiesFigures }
  bandwidth: BandwidthFigures
  convergence: HealConvergence[]
  stale: StaleFigures
  attacks: { cuts: AttackCut[]; peersLost: HonestPeersLost }
  topology: TopologyFigures
}

export interface ComparisonRow {
  figure: string
  unit: 'ms' | 'ratio' | 'copies' | 'bytes' | '%' | 'peers'
  values: Record<Gossip, number | null>
}

export interface Report {
  version: typeof REPORT_VERSION
  runs: RunReport[]
  bitcoin: typeof BITCOIN_REFERENCE
  /** Gossipsub beside floodsub, when the directory holds both runs. */
  comparison: ComparisonRow[] | null
}

export function computeRunReport(loaded: LoadedRun): RunReport {
  const model = buildModel(loaded)
  const { run } = model
  const byRole: Record<string, number> = {}
  for (const n of run.nodes) byRole[n.role] = (byRole[n.role] ?? 0) + 1
  return {
    scenario: run.scenario,
    gossip: run.gossip,
    seed: run.seed,
    durationS: (run.endedAt - run.startedAt) / 1000,
    regions: run.regions,
    nodes: {
      honest: model.honest.size,
      attackers: run.nodes.length - model.honest.size,
      byRole,
      traced: loaded.traces.length,
    },
    shaperErrorMs: run.shaperErrorMs ?? null,
    txOutcome: run.txOutcome ?? null,
    cpu: cpuFigures(model),
    truncatedLines: loaded.traces.reduce((sum, t) => sum + t.truncatedLines, 0),
    propagation: { tx: propagationFigures(model, 'tx'), block: propagationFigures(model, 'block') },
    copies: { tx: copiesFigures(model, 'tx'), block: copiesFigures(model, 'block') },
    bandwidth: bandwidthFigures(model),
    convergence: convergenceFigures(model),
    stale: staleFigures(model),
    attacks: { cuts: attackCuts(model), peersLost: honestPeersLost(model) },
    topology: topologyFigures(model),
  }
}

const reachP50 = (p: PropagationFigures, level: ReachLevel) =>
  p.reach.find((r) => r.level === level)?.delayMs.p50 ?? null
const reachP90 = (p: PropagationFigures, level: ReachLevel) =>
  p.reach.find((r) => r.level === level)?.delayMs.p90 ?? null
const ratioP50 = (p: PropagationFigures, level: ReachLevel) =>
  p.boundRatio.find((r) => r.level === level)?.ratio.p50 ?? null
const meanOf = (values: number[]) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length)

const COMPARED: { figure: string; unit: ComparisonRow['unit']; of: (r: RunReport) => number | null }[] = [
  { figure: 'tx to 90% of nodes, p50', unit: 'ms', of: (r) => reachP50(r.propagation.tx, 90) },
  { figure: 'tx to 90% of nodes, p90', unit: 'ms', of: (r) => reachP90(r.propagation.tx, 90) },
  { figure: 'tx to 100% of nodes, p50', unit: 'ms', of: (r) => reachP50(r.propagation.tx, 100) },
  { figure: 'block to 90% of nodes, p50', unit: 'ms', of: (r) => reachP50(r.propagation.block, 90) },
  { figure: 'block to 90% of nodes, p90', unit: 'ms', of: (r) => reachP90(r.propagation.block, 90) },
  { figure: 'block to 100% of nodes, p50', unit: 'ms', of: (r) => reachP50(r.propagation.block, 100) },
  { figure: 'tx to 90% ÷ shortest-path bound, p50', unit: 'ratio', of: (r) => ratioP50(r.propagation.tx, 90) },
  { figure: 'block to 90% ÷ shortest-path bound, p50', unit: 'ratio', of: (r) => ratioP50(r.propagation.block, 90) },
  { figure: 'tx copies per node, mean', unit: 'copies', of: (r) => r.copies.tx.mean },
  { figure: 'block copies per node, mean', unit: 'copies', of: (r) => r.copies.block.mean },
  { figure: 'bytes out per node, mean', unit: 'bytes', of: (r) => meanOf(r.bandwidth.perNode.map((n) => n.outBytes)) },
  { figure: 'bytes in per node, mean', unit: 'bytes', of: (r) => meanOf(r.bandwidth.perNode.map((n) => n.inBytes)) },
  { figure: 'stale blocks', unit: '%', of: (r) => (r.stale.rate === null ? null : r.stale.rate * 100) },
]

export function compareGossip(runs: readonly RunReport[]): ComparisonRow[] | null {
  const gossipsub = runs.find((r) => r.gossip === 'gossipsub')
  const floodsub = runs.find((r) => r.gossip === 'floodsub')
  if (gossipsub === undefined || floodsub === undefined) return null
  return COMPARED.map(({ figure, unit, of }) => ({
    figure,
    unit,
    values: { gossipsub: of(gossipsub), floodsub: of(floodsub) },
  }))
}

export function computeReport(runs: readonly LoadedRun[]): Report {
  const reports = runs.map(computeRunReport)
  return { version: REPORT_VERSION, runs: reports, bitcoin: BITCOIN_REFERENCE, comparison: compareGossip(reports) }
}
