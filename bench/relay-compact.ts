/**
 * Compact blocks in the network lab (issue 16): each scenario (default
 * lab/scenarios/relay-16.toml, 100 and 10 Mbit/s uplinks, and
 * relay-16-slow.toml, 1 Mbit/s uplinks and larger blocks;
 * RELAY_SCENARIOS=a,b picks others) run twice on real node processes, with compact blocks and with `--no-compact-blocks`
 * (full blocks by gossip), in the same invocation. Dandelion is off in both
 * runs (PEERCHAIN_DANDELION_STEM=false), so txs reach the mempools by gossip
 * at once, as before it existed. Before the nodes stop, each one's /metrics
 * is read (and kept in <run>/metrics/<node>.txt).
 *
 * Figures, each with the full-block run beside it:
 * - bytes per block per peer, two ways, each also as a share of the mean full
 *   block (goal ≤ 2 %): per peer link, compact-block bytes the nodes received
 *   (every message and answer of the protocol) ÷ (blocks × the nodes'
 *   connections, each counted at both ends: `peerchain_peers` at the end of
 *   the run), what one block costs between a node and one of its peers; and
 *   per receiving node, ÷ (blocks × receiving nodes), what a node takes in
 *   for a block from all its peers together (with the compact blocks that
 *   reached it per block: one it needs, the rest redundant pushes). For full blocks: the mean block
 *   size × block copies received per node, per node or spread over its links;
 * - the share of compact blocks rebuilt with no request (goal ≥ 90 %);
 * - block propagation p90 to 50/90/100 % of the nodes (goal ≥ 40 % lower),
 *   with each level's p50 and its p50 ratio to the shortest-path bound (the
 *   one-way latencies plus the full block's transmission along the fastest
 *   path: how far from the physical floor each variant is; a compact block,
 *   smaller than the block the bound sends, can beat it).
 * Each run's lab report stays in lab-out/relay/<scenario>/<variant>/.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Fleet, FleetNode, FleetNodeSpec } from '../src/lab/fleet.js'
import { ProcessFleet } from '../src/lab/fleet.js'
import { layoutScenario } from '../src/lab/layout.js'
import { computeReport, type RunReport } from '../src/lab/report/compute.js'
import { loadRuns } from '../src/lab/report/load.js'
import { writeReport } from '../src/lab/report/write.js'
import { runScenario } from '../src/lab/run.js'
import { loadScenario } from '../src/lab/scenario.js'
import { measureShaperError } from '../src/net/link-shaper-measure.js'
import { report } from './common.js'

const SCENARIOS_DIR = join(import.meta.dirname, '../lab/scenarios')
const OUT_DIR = join(import.meta.dirname, '../lab-out/relay')

type Variant = 'compact' | 'full'

/** A ProcessFleet that reads every node's /metrics before stopping them all. */
class ScrapingFleet implements Fleet {
  constructor(
    private readonly inner: ProcessFleet,
    private readonly dir: string,
    readonly scrapes: Map<string, string>,
  ) {}
  get peerIds() {
    return this.inner.peerIds
  }
  get crashed() {
    return this.inner.crashed
  }
  isUp(name: string): boolean {
    return this.inner.isUp(name)
  }
  upNames(): string[] {
    return this.inner.upNames()
  }
  node(name: string): FleetNode {
    return this.inner.node(name)
  }
  start(spec: FleetNodeSpec, bootstrap: string[]): Promise<FleetNode> {
    return this.inner.start(spec, bootstrap)
  }
  kill(name: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    return this.inner.kill(name, signal)
  }
  traceOf(name: string): string {
    return this.inner.traceOf(name)
  }
  async stopAll(): Promise<void> {
    await Promise.all(
      this.upNames().map(async (name) => {
        try {
          const token = (await readFile(join(this.dir, 'nodes', name, 'rpc.cookie'), 'utf8')).trim()
          const res = await fetch(new URL('/metrics', this.node(name).rpc.url), {
            headers: { authorization: `Bearer ${token}` },
          })
          const text = await res.text()
          this.scrapes.set(name, text)
          await mkdir(join(this.dir, 'metrics'), { recursive: true })
          await writeFile(join(this.dir, 'metrics', `${name}.txt`), text)
        } catch (err) {
          process.stderr.write(`relay bench: no metrics from ${name}: ${String(err)}\n`)
        }
      }),
    )
    await this.inner.stopAll()
  }
}

/** The sum over nodes of every sample of `name` whose labels include `labels`. */
function metricSum(scrapes: Map<string, string>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  for (const text of scrapes.values()) {
    for (const line of text.split('\n')) {
      const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line)
      if (!match || match[1] !== name) continue
      const set = match[2] ?? ''
      if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(match[3])
    }
  }
  return sum
}

/** The blocks the nodes mined, and their mean size, from the traces (`block` lines from `local`). */
async function minedBlocks(runDir: string): Promise<{ count: number; meanBytes: number }> {
  const dir = join(runDir, 'traces')
  const sizes = new Map<string, number>()
  for (const file of await readdir(dir)) {
    for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
      if (!line.includes('"e":"block"')) continue
      try {
        const event = JSON.parse(line) as { hash: string; from: string; bytes?: number }
        if (event.from === 'local' && event.bytes !== undefined) sizes.set(event.hash, event.bytes)
      } catch {
        // a half-written last line
      }
    }
  }
  const total = [...sizes.values()].reduce((a, b) => a + b, 0)
  return { count: sizes.size, meanBytes: sizes.size === 0 ? 0 : total / sizes.size }
}

interface VariantFigures {
  run: RunReport
  blocks: number
  meanBlockBytes: number
  nodes: number
  /** Connections, counted at both ends (the sum of the nodes' peer counts). */
  peerLinks: number
  bytesPerBlockPerNode: number
  bytesPerBlockPerLink: number
  /** Compact blocks that reached a node per block (pushed or fetched, redundant copies included). */
  compactBlocksPerNode: number
  rebuiltNoRequest: number
  rebuiltWithRequest: number
  fallbacks: number
  blockGossipMessages: number
  /** Block propagation per reach level: p90 and p50 over blocks (ms), and the p50 of each block's ratio to the shortest-path bound. */
  p90: Record<number, number | null>
  p50: Record<number, number | null>
  boundRatioP50: Record<number, number | null>
}

async function runVariant(name: string, variant: Variant): Promise<VariantFigures> {
  const scenario = await loadScenario(join(SCENARIOS_DIR, `${name}.toml`))
  const out = join(OUT_DIR, name, variant)
  const scrapes = new Map<string, string>()
  // A data directory from an earlier run may hold another genesis: every run starts empty.
  await rm(out, { recursive: true, force: true })
  const saved = { compact: process.env.PEERCHAIN_NET_COMPACT_BLOCKS, stem: process.env.PEERCHAIN_DANDELION_STEM }
  // The lab's node processes inherit this environment (the config's PEERCHAIN_* keys).
  process.env.PEERCHAIN_NET_COMPACT_BLOCKS = variant === 'compact' ? 'true' : 'false'
  process.env.PEERCHAIN_DANDELION_STEM = 'false'
  try {
    await runScenario(scenario, layoutScenario(scenario), {
      out,
      say: (line) => process.stderr.write(`[${name} ${variant}] ${line}\n`),
      measureShaperError: () => measureShaperError({ latencyMs: 100, samples: 200 }),
      fleet: (run) =>
        new ScrapingFleet(
          new ProcessFleet({ dir: run.dir, genesisPath: run.genesisPath, gossip: run.gossip, logLevel: 'warn' }),
          run.dir,
          scrapes,
        ),
    })
  } finally {
    restoreEnv('PEERCHAIN_NET_COMPACT_BLOCKS', saved.compact)
    restoreEnv('PEERCHAIN_DANDELION_STEM', saved.stem)
  }
  const result = computeReport(await loadRuns(out))
  await writeReport(out, result)
  const run = result.runs[0] as RunReport
  const { count: blocks, meanBytes } = await minedBlocks(join(out, run.gossip))
  const nodes = run.nodes.honest
  const receivers = Math.max(1, blocks * (nodes - 1))
  const peerLinks = metricSum(scrapes, 'peerchain_peers')
  const bytesIn =
    variant === 'compact'
      ? metricSum(scrapes, 'peerchain_compact_bytes_total', { direction: 'in' })
      : meanBytes * (run.copies.block.mean ?? 0) * receivers
  const p90: Record<number, number | null> = {}
  const p50: Record<number, number | null> = {}
  for (const reach of run.propagation.block.reach) {
    p90[reach.level] = reach.delayMs.p90
    p50[reach.level] = reach.delayMs.p50
  }
  const boundRatioP50: Record<number, number | null> = {}
  for (const bound of run.propagation.block.boundRatio) boundRatioP50[bound.level] = bound.ratio.p50
  return {
    run,
    blocks,
    meanBlockBytes: meanBytes,
    nodes,
    peerLinks,
    bytesPerBlockPerNode: bytesIn / receivers,
    bytesPerBlockPerLink: bytesIn / Math.max(1, blocks * peerLinks),
    compactBlocksPerNode: metricSum(scrapes, 'peerchain_compact_blocks_received_total') / receivers,
    rebuiltNoRequest: metricSum(scrapes, 'peerchain_compact_blocks_rebuilt_total', { requested: 'no' }),
    rebuiltWithRequest: metricSum(scrapes, 'peerchain_compact_blocks_rebuilt_total', { requested: 'yes' }),
    fallbacks: metricSum(scrapes, 'peerchain_compact_full_block_fallbacks_total'),
    blockGossipMessages: metricSum(scrapes, 'peerchain_gossip_messages_total', { topic: 'block' }),
    p90,
    p50,
    boundRatioP50,
  }
}

function restoreEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key]
  else process.env[key] = value
}

export async function run(): Promise<void> {
  const names = process.env.RELAY_SCENARIOS?.split(',').map((n) => n.trim()) ?? ['relay-16', 'relay-16-slow']
  for (const name of names) await runScenarioPair(name)
}

async function runScenarioPair(name: string): Promise<void> {
  const wall = Date.now()
  const compact = await runVariant(name, 'compact')
  const full = await runVariant(name, 'full')
  const tag = { scenario: name, nodes: compact.nodes, wall_s: (Date.now() - wall) / 1000 }
  const meanBlock = (compact.meanBlockBytes + full.meanBlockBytes) / 2
  /** One bytes figure, compact beside full, with its share of the mean block (goal ≤ 2 %). */
  const bytesFigure = (name: string, per: 'bytesPerBlockPerLink' | 'bytesPerBlockPerNode') => ({
    bench: `relay_compact_bytes_per_block_per_${name}`,
    value: compact[per],
    extra: {
      ...tag,
      without: full[per],
      share_of_full_block_pct: (100 * compact[per]) / Math.max(1, compact.meanBlockBytes),
      goal_pct_max: 2,
      mean_block_bytes: compact.meanBlockBytes,
    },
  })
  const link = bytesFigure('peer_link', 'bytesPerBlockPerLink')
  report(link.bench, link.value, 'bytes', {
    ...link.extra,
    peer_links: compact.peerLinks,
    peer_links_without: full.peerLinks,
  })
  const node = bytesFigure('receiving_node', 'bytesPerBlockPerNode')
  report(node.bench, node.value, 'bytes', {
    ...node.extra,
    compact_blocks_per_node: compact.compactBlocksPerNode,
    mean_block_bytes_without: full.meanBlockBytes,
    blocks: compact.blocks,
    blocks_without: full.blocks,
    block_gossip_messages: compact.blockGossipMessages,
    block_gossip_messages_without: full.blockGossipMessages,
  })
  const rebuilt = compact.rebuiltNoRequest + compact.rebuiltWithRequest + compact.fallbacks
  report('relay_compact_rebuilt_without_request_pct', (100 * compact.rebuiltNoRequest) / Math.max(1, rebuilt), '%', {
    ...tag,
    goal_pct_min: 90,
    rebuilt_no_request: compact.rebuiltNoRequest,
    rebuilt_with_request: compact.rebuiltWithRequest,
    full_block_fallbacks: compact.fallbacks,
    mean_block_bytes: meanBlock,
  })
  for (const level of [50, 90, 100]) {
    const withP90 = compact.p90[level] ?? null
    const withoutP90 = full.p90[level] ?? null
    const lowerPct = withP90 !== null && withoutP90 ? (100 * (withoutP90 - withP90)) / withoutP90 : null
    report(`relay_compact_block_propagation_to_${level}pct_p90`, withP90 ?? -1, 'ms', {
      ...tag,
      without: withoutP90,
      lower_pct: lowerPct,
      goal_lower_pct_min: 40,
      p50: compact.p50[level] ?? null,
      p50_without: full.p50[level] ?? null,
      bound_ratio_p50: compact.boundRatioP50[level] ?? null,
      bound_ratio_p50_without: full.boundRatioP50[level] ?? null,
    })
  }
  for (const [variant, figures] of [
    ['compact', compact],
    ['full', full],
  ] as const) {
    report('relay_lab_node_cpu_mean', figures.run.cpu.meanPercent ?? -1, '% of a core', { ...tag, variant })
  }
}
