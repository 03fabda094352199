/**
 * The simulator at scale: 1,000 nodes and 100 blocks at a 10 s virtual block
 * interval under 1 tx/s, on the 6-region WAN matrix (20–150 ms one way) with
 * 10–100 Mbit/s links, every node running the real chain, mempool, relay,
 * sync and status code. Prints the wall time, simulated events per second,
 * peak RSS, the report's figures and a CPU profile summary, one JSON line each.
 * Run: npm run bench -- sim   (SIM_NODES / SIM_BLOCKS override the size)
 */
import '../src/util/shims.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runScenario } from '../src/cli/sim-run.js'
import { parseScenario } from '../src/sim/scenario.js'
import { profiled } from './profile.js'

function line(figure: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(figure)}\n`)
}

export async function run(): Promise<void> {
  const scenario = parseScenario({
    seed: 1,
    nodes: Number(process.env.SIM_NODES ?? 1000),
    blocks: Number(process.env.SIM_BLOCKS ?? 100),
    block_interval_s: 10,
    tx_rate: 1,
    miners: 20,
    bandwidth_mbps_min: 10,
    bandwidth_mbps_max: 100,
  })
  const tracePath = join(tmpdir(), `peerchain-bench-sim-${process.pid}.jsonl`)
  const { result, profile } = await profiled(() => runScenario(scenario, tracePath))
  const { report, violations, wallSeconds } = result
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024)
  const common = { nodes: report.nodes, blocks: report.bestHeight }
  line({ bench: 'sim wall time', value: Math.round(wallSeconds * 10) / 10, unit: 's', ...common, targetS: 120 })
  line({
    bench: 'sim events',
    value: Math.round(report.eventsRun / wallSeconds),
    unit: 'events/s',
    events: report.eventsRun,
  })
  line({ bench: 'sim peak rss', value: peakRssMiB, unit: 'MiB', targetMiB: 4096 })
  line({
    bench: 'sim block propagation p50',
    value: report.blockPropagationS.p50,
    unit: 's',
    p90: report.blockPropagationS.p90,
    p99: report.blockPropagationS.p99,
  })
  line({
    bench: 'sim tx propagation p50',
    value: report.txPropagationS.p50,
    unit: 's',
    p90: report.txPropagationS.p90,
    p99: report.txPropagationS.p99,
  })
  line({
    bench: 'sim stale rate',
    value: report.staleRate,
    unit: 'ratio',
    stale: report.staleBlocks,
    mined: report.minedBlocks,
  })
  line({
    bench: 'sim bytes per node',
    value: Math.round(report.bytesPerNode.mean),
    unit: 'B',
    max: report.bytesPerNode.max,
  })
  line({
    bench: 'sim trace',
    value: report.traceLines,
    unit: 'lines',
    sha256: report.traceSha256,
    violations: violations.length,
  })
  line({ bench: 'sim profile', value: profile[0]?.percent ?? 0, unit: '% self time (top bucket)', profile })
}
