/**
 * `peerchain lab`: the network lab. `lab run SCENARIO.toml` plays a scenario
 * on real node processes (src/lab/run.ts) and writes its report;
 * `lab report DIR` rebuilds the report of a finished run.
 */
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { layoutScenario } from '../lab/layout.js'
import { computeReport, type RunReport } from '../lab/report/compute.js'
import { loadRuns } from '../lab/report/load.js'
import { writeReport } from '../lab/report/write.js'
import { runScenario } from '../lab/run.js'
import type { Gossip } from '../lab/run-format.js'
import { loadScenario } from '../lab/scenario.js'
import { measureShaperError } from '../net/link-shaper-measure.js'
import { UsageError } from './errors.js'

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
    .command('report <dir>')
    .description('rebuild report.json and report.html from a lab run directory')
    .action(async (dir: string) => {
      const report = await buildReport(resolve(dir))
      printSummary(report.runs)
    })
}

export async function labRunCommand(file: string, flags: LabRunFlags): Promise<void> {
  const scenario = await loadScenario(file)
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

async function buildReport(dir: string) {
  const report = computeReport(await loadRuns(dir))
  await writeReport(dir, report)
  return report
}

function printSummary(runs: readonly RunReport[]): void {
  for (const run of runs) console.log(JSON.stringify({ event: 'lab-run', ...summaryOf(run) }))
}

function summaryOf(run: RunReport): Record<string, unknown> {
  return { scenario: run.scenario, gossip: run.gossip, propagation: run.propagation }
}
