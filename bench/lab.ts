/**
 * `npm run bench -- lab`: the network lab's larger scenarios on real node
 * processes (`peerchain lab run`), one JSON line per figure. By default
 * wan-50 (50 nodes, 6 regions, 10 min, gossipsub beside floodsub),
 * partition-heal and sybil-inbound; `LAB_SCENARIOS=smoke,churn` picks
 * others from lab/scenarios/. Each run's report stays in lab-out/<name>/.
 * wan-50 alone takes about 25 minutes.
 */
import { join } from 'node:path'
import { layoutScenario } from '../src/lab/layout.js'
import { computeReport, type RunReport } from '../src/lab/report/compute.js'
import { loadRuns } from '../src/lab/report/load.js'
import { writeReport } from '../src/lab/report/write.js'
import { runScenario } from '../src/lab/run.js'
import { loadScenario } from '../src/lab/scenario.js'
import { measureShaperError } from '../src/net/link-shaper-measure.js'
import { report } from './common.js'

const SCENARIOS_DIR = join(import.meta.dirname, '../lab/scenarios')
const DEFAULT = ['wan-50', 'partition-heal', 'sybil-inbound']

export async function run(): Promise<void> {
  const names = process.env.LAB_SCENARIOS?.split(',').map((s) => s.trim()) ?? DEFAULT
  for (const name of names) {
    const scenario = await loadScenario(join(SCENARIOS_DIR, `${name}.toml`))
    const out = join(import.meta.dirname, '../lab-out', name)
    const wall = Date.now()
    await runScenario(scenario, layoutScenario(scenario), {
      out,
      say: (line) => process.stderr.write(`${line}\n`),
      measureShaperError: () => measureShaperError({ latencyMs: 100, samples: 200 }),
    })
    const result = computeReport(await loadRuns(out))
    await writeReport(out, result)
    const wallS = (Date.now() - wall) / 1000
    for (const r of result.runs) printRun(name, r, wallS)
  }
}

function printRun(name: string, r: RunReport, wallS: number): void {
  const tag = { scenario: name, gossip: r.gossip, nodes: r.nodes.honest, wall_s: wallS }
  if (r.cpu.meanPercent !== null) {
    report('lab_node_cpu_mean', r.cpu.meanPercent, '% of a core', {
      ...tag,
      max: r.cpu.maxPercent,
      cores: r.cpu.totalCores,
    })
  }
  if (r.shaperErrorMs) report('lab_shaper_error_p99', r.shaperErrorMs.p99, 'ms', { ...tag, max: r.shaperErrorMs.max })
  for (const kind of ['tx', 'block'] as const) {
    const p = r.propagation[kind]
    for (const reach of p.reach) {
      report(`lab_${kind}_propagation_to_${reach.level}pct_p50`, reach.delayMs.p50 ?? -1, 'ms', {
        ...tag,
        p90: reach.delayMs.p90,
        p99: reach.delayMs.p99,
        messages: reach.delayMs.n,
        unreached: reach.unreached,
      })
    }
    for (const b of p.boundRatio) {
      report(`lab_${kind}_vs_shortest_path_${b.level}pct_p50`, b.ratio.p50 ?? -1, 'ratio', { ...tag, p90: b.ratio.p90 })
    }
  }
  for (const kind of ['tx', 'block'] as const) {
    const c = r.copies[kind]
    report(`lab_${kind}_copies_per_node_mean`, c.mean ?? -1, 'copies', { ...tag, p50: c.p50, p99: c.p99, max: c.max })
  }
  const perNode = r.bandwidth.perNode.filter((n) => n.role !== 'attacker')
  const bytes = perNode.map((n) => n.inBytes + n.outBytes)
  report('lab_bytes_per_node_mean', bytes.reduce((a, b) => a + b, 0) / Math.max(1, bytes.length), 'bytes', {
    ...tag,
    max: Math.max(0, ...bytes),
    seconds: r.durationS,
  })
  for (const cut of r.attacks.cuts) report('lab_attacker_cut_first', cut.firstMs ?? -1, 'ms', { ...tag, ...cut })
  report('lab_stale_rate', r.stale.rate ?? 0, 'ratio', tag)
  for (const c of r.convergence) report('lab_heal_convergence', c.convergedMs ?? -1, 'ms', tag)
  report('lab_honest_peers_min', r.attacks.peersLost.minHonestPeers ?? -1, 'peers', tag)
}
