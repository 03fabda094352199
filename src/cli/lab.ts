/**
 * `peerchain lab`: the network lab. `lab run SCENARIO.toml` plays a scenario
 * on real node processes (src/lab/run.ts) and writes its report;
 * `lab report DIR` rebuilds the report of a finished run.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { inClusterApi } from '../lab/kube-api.js'
import type { KubernetesLabMap } from '../lab/kubernetes.js'
import { KubernetesFleet } from '../lab/kubernetes-fleet.js'
import { layoutScenario } from '../lab/layout.js'
import { computeReport, type RunReport } from '../lab/report/compute.js'
import { loadRuns } from '../lab/report/load.js'
import { writeReport } from '../lab/report/write.js'
import { runScenario } from '../lab/run.js'
import type { Gossip } from '../lab/run-format.js'
import { loadScenario, type Scenario, ScenarioError } from '../lab/scenario.js'
import { measureShaperError } from '../net/link-shaper-measure.js'
import { UsageError } from './errors.js'
import { DEFAULT_IMAGE, DEFAULT_NAMESPACE, type LabExportFlags, labExportCommand } from './lab-export.js'

interface LabRunFlags {
  out?: string
  gossip?: string
  logLevel: string
}

/** Shaper error is measured on this one-way delay: the middle of the WAN table's range. */
const SHAPER_PROBE_MS = 100

export function registerLabCommands(program: Command): void {
  const lab = program
    .command('lab')
    .description('the network lab: real nodes under WAN latency, partitions, churn and attacks')
  lab
    .command('run <scenario>')
    .description('run a scenario (TOML) on real node processes and write report.json and report.html')
    .option('--out <dir>', 'where the traces and the report go (default: lab-out/<scenario name>)')
    .option('--gossip <list>', 'override the scenario: gossipsub, floodsub or gossipsub,floodsub')
    .option('--log-level <level>', 'node log level', 'warn')
    .action(labRunCommand)
  lab
    .command('export <scenario>')
    .description('write Kubernetes manifests that run a scenario on a cluster (docs/LAB.md)')
    .option('--kubernetes', 'export to Kubernetes (the only target)')
    .option('--out <dir>', 'directory for <name>.k8s.yaml (default: .)')
    .option('--image <image>', 'the peerchain image, built from lab/Dockerfile', DEFAULT_IMAGE)
    .option('--namespace <ns>', 'namespace', DEFAULT_NAMESPACE)
    .option('--storage-class <sc>', 'storage class of the traces volume (must offer ReadWriteMany)')
    .action(async (file: string, flags: LabExportFlags) => {
      console.log(`wrote ${await labExportCommand(file, flags)}`)
    })
  lab
    .command('drive <scenario>')
    .description("play a scenario against a cluster's node pods (the Job lab export writes runs this)")
    .option('--kubernetes', 'the nodes are pods of a lab export (the only target)')
    .option('--out <dir>', 'the shared traces volume', '/traces')
    .option('--map <file>', 'which pod is which node', '/lab/nodes.json')
    .action(labDriveCommand)
  lab
    .command('report <dir>')
    .description('rebuild report.json and report.html from a lab run directory')
    .action(async (dir: string) => {
      const report = await buildReport(resolve(dir))
      printSummary(report.runs)
    })
}

export async function labRunCommand(file: string, flags: LabRunFlags): Promise<void> {
  const scenario = await scenarioOrUsage(file)
  if (flags.gossip) {
    const list = flags.gossip.split(',').map((g) => g.trim())
    for (const g of list)
      if (g !== 'gossipsub' && g !== 'floodsub') throw new UsageError(`--gossip: "${g}" is not gossipsub or floodsub`)
    scenario.gossip = list as Gossip[]
  }
  const out = resolve(flags.out ?? `lab-out/${scenario.name}`)
  await mkdir(out, { recursive: true })
  const wall = Date.now()
  await runScenario(scenario, layoutScenario(scenario), {
    out,
    logLevel: flags.logLevel,
    measureShaperError: () => measureShaperError({ latencyMs: SHAPER_PROBE_MS, samples: 200 }),
  })
  const report = await buildReport(out)
  printSummary(report.runs)
  console.log(`lab ${scenario.name}: done in ${((Date.now() - wall) / 1000).toFixed(1)} s; report: ${out}/report.html`)
}

interface LabDriveFlags {
  kubernetes?: boolean
  out: string
  map: string
}

/** `lab drive --kubernetes`: the timeline of `lab run`, played against pods that wait for the driver's go. */
export async function labDriveCommand(file: string, flags: LabDriveFlags): Promise<void> {
  if (!flags.kubernetes) throw new UsageError('lab drive: say where the nodes are: --kubernetes (the only target)')
  const scenario = await scenarioOrUsage(file)
  const map = JSON.parse(await readFile(flags.map, 'utf8')) as KubernetesLabMap
  const api = await inClusterApi()
  const out = resolve(flags.out)
  await runScenario(scenario, layoutScenario(scenario), {
    out,
    ...(process.env.POD_IP ? { attackerIp: process.env.POD_IP } : {}),
    fleet: ({ gossip, dir }) => {
      const run = map.runs.find((r) => r.gossip === gossip)
      if (!run) throw new UsageError(`lab drive: ${flags.map} has no ${gossip} run`)
      return new KubernetesFleet({ dir, dataRoot: join(out, 'data'), nodes: run.nodes, api })
    },
    measureShaperError: () => measureShaperError({ latencyMs: SHAPER_PROBE_MS, samples: 200 }),
  })
  const report = await buildReport(out)
  printSummary(report.runs)
  console.log(`lab ${scenario.name}: report in ${out}/report.html`)
}

/** A scenario that cannot be used is the caller's to fix: a usage error (exit 2) naming every key. */
async function scenarioOrUsage(file: string): Promise<Scenario> {
  try {
    return await loadScenario(file)
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(err.message)
    throw err
  }
}

async function buildReport(dir: string) {
  const report = computeReport(await loadRuns(dir))
  await writeReport(dir, report)
  return report
}

/** One line per run and message kind: the delay to reach 50/90/100 % of the nodes (p50 over messages), and the extras. */
function printSummary(runs: readonly RunReport[]): void {
  const ms = (v: number | null): string => (v === null ? '—' : `${Math.round(v)} ms`)
  for (const run of runs) {
    for (const kind of ['tx', 'block'] as const) {
      const p = run.propagation[kind]
      const reach = p.reach.map((r) => `${r.level}% ${ms(r.delayMs.p50)}`).join(', ')
      const never = p.reach.find((r) => r.level === 100)?.unreached ?? 0
      console.log(
        `${run.gossip}: ${p.messages} ${kind}s, median time to reach ${reach}; ${never} never reached every node`,
      )
    }
    if (run.cpu.totalCores !== null) {
      console.log(
        `${run.gossip}: the nodes used ${run.cpu.totalCores.toFixed(2)} cores (${(run.cpu.meanPercent ?? 0).toFixed(1)} % of a core each)`,
      )
    }
    const o = run.txOutcome
    if (o)
      console.log(
        `${run.gossip}: ${o.sent} txs sent: ${o.included} in the final chain, ${o.pending} pending, ${o.lost} lost`,
      )
    const heals = run.convergence.map((c) => ms(c.convergedMs)).join(', ')
    const stale = run.stale.rate === null ? '—' : `${(run.stale.rate * 100).toFixed(1)} %`
    console.log(`${run.gossip}: stale blocks ${stale}${heals ? `; converged after each heal in ${heals}` : ''}`)
    for (const cut of run.attacks.cuts) {
      console.log(
        `${run.gossip}: attacker ${cut.attacker} (${cut.attack}) cut by ${cut.cut} of ${cut.exposed} nodes, first after ${ms(cut.firstMs)}`,
      )
    }
  }
}
