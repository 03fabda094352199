/**
 * Proof of stake (issue 13's "Done when"): the BFT engine's pace in the
 * simulator and on a real devnet, one JSON object per line.
 *
 * In the simulator (src/sim/: real node code, the 6-region WAN matrix
 * `WAN6`, 10–100 Mbit/s links, 2 tx/s, the scenario's default WAN timeouts
 * (propose 3 s, prevote and precommit 1 s, +0.5 s a round), a 1 s commit
 * pause, seed 1), for 4, 16 and 100 validators plus a few full nodes, each
 * size run twice: every validator online, then with one validator offline.
 *
 * - round-0 share: heights decided in round 0 (the round in each height's
 *   stored commit, src/sim/finality-watch.ts readDecidedRounds) in the
 *   all-online run (goal ≥ 0.95 at 100 validators);
 * - commit latency: for each height h ≥ 2, from the start of the height
 *   (height h − 1 final on the median running node) to height h final on the
 *   median running node; it includes the 1 s commit pause (goal p50 ≤ 2 s at
 *   100 validators). Beside it, the simulator's own figure: a height's first
 *   proposal to its block final at ⅔ of the nodes (src/sim/report.ts);
 * - offline proposer: the validator that proposed round 0 of height 3 in the
 *   all-online run is stopped before the start (ValidatorService.stop: it
 *   never proposes nor votes, but stays connected and relays, as a full
 *   node); the heights it would have led are those with no round-0 proposal
 *   in the trace. The extra time of such a height is its mean time minus the
 *   all-online mean; the extra time per height (the goal, ≤ 1 s) is that
 *   times the share of heights it leads, 1/validators (equal power:
 *   Tendermint's proposer priority rotates through every validator). The
 *   mean height time of the whole run minus the all-online mean is printed
 *   beside it (at 100 validators the run is short, so that over-weights the
 *   one led height).
 *
 * At 100 validators each simulated height costs ~8 s of wall time on a
 * 2-core VM (every node checks every vote's and commit's Ed25519 signature),
 * so those runs are short: POS_HEIGHTS_100 (24) heights online and 10 with
 * the offline proposer. The smaller sizes run POS_HEIGHTS (120) heights.
 *
 * Then `pos-devnet.ts`: a real 4-validator devnet on loopback.
 *
 * `npm run bench -- pos` (about 10 minutes); POS_SIZES=4,16 leaves out the
 * 100-validator runs; POS_DEVNET=0 skips the devnet.
 */
import '../src/util/shims.js'
import type { HeaderEntry } from '../src/chain/header-index.js'
import { finalityViolations, lostTxs, stateRootMismatches } from '../src/sim/checks.js'
import { WAN6 } from '../src/sim/regions.js'
import { buildReport } from '../src/sim/report.js'
import { parseScenario, type Scenario } from '../src/sim/scenario.js'
import { SimWorld } from '../src/sim/world.js'
import { isMain, report } from './common.js'

const SIZES = (process.env.POS_SIZES ?? '4,16,100').split(',').map(Number)
const HEIGHTS = Number(process.env.POS_HEIGHTS ?? 120)
const HEIGHTS_100 = Number(process.env.POS_HEIGHTS_100 ?? 24)
/** Heights of the 100-validator run with the offline proposer (it leads height OFFLINE_LEADS). */
const HEIGHTS_100_OFFLINE = 10
/** The offline validator is the one that led round 0 of this height in the all-online run. */
const OFFLINE_LEADS = 3
const COMMIT_PAUSE_S = 1

const GOAL_ROUND0_SHARE = 0.95
const GOAL_COMMIT_P50_S = 2
const GOAL_OFFLINE_EXTRA_S = 1
/** The validator count the round-0 and commit latency goals are set at. */
const GOAL_VALIDATORS = 100

const progress = (msg: string): void => {
  process.stderr.write(`pos bench: ${msg}\n`)
}

/** Nearest-rank percentile of `values` (0 when empty). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number
}

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length

interface SimFigures {
  scenario: Scenario
  wallS: number
  violations: string[]
  /** Height → the round its commit was decided in. */
  rounds: Map<number, number>
  /** Height → s from height − 1 to height, both final on the median running node (h ≥ 2). */
  heightS: Map<number, number>
  /** Height → the node that published its round-0 proposal (none when the proposer was offline). */
  round0Proposer: Map<number, number>
  /** The simulator's commit latency (first proposal to final at ⅔ of the nodes), s. */
  reportLatencyS: { p50: number; p99: number }
  heightsCommitted: number
}

function simScenario(validators: number, heights: number): Scenario {
  return parseScenario({
    seed: 1,
    consensus: 'pos',
    validators,
    nodes: validators + fullNodesFor(validators),
    blocks: heights,
    block_interval_s: COMMIT_PAUSE_S,
    tx_rate: 2,
    drain_s: 5,
  })
}

const fullNodesFor = (validators: number): number => Math.max(4, Math.round(validators / 10))

/** One run; `offline`: the index of a validator stopped before the start (it neither proposes nor votes). */
async function simRun(validators: number, heights: number, offline?: number): Promise<SimFigures> {
  const scenario = simScenario(validators, heights)
  const started = performance.now()
  /** Height → ms each running node first held it final. */
  const finalAt = new Map<number, number[]>()
  const round0Proposer = new Map<number, number>()
  let world: SimWorld | undefined
  world = await SimWorld.create(scenario, {
    // The trace's `proposal` lines (src/sim/finality-watch.ts): who proposed round 0 of each height.
    trace: (line) => {
      if (!line.includes('"ev":"proposal"')) return
      const { height, round, node } = JSON.parse(line) as { height: number; round: number; node: number }
      if (round === 0 && !round0Proposer.has(height)) round0Proposer.set(height, node)
    },
    onHeadChange: (node, change) => {
      if (!world || !node.running) return
      // Under finality every block a head change connects is final; walk them all (sync can join several).
      let entry: HeaderEntry | undefined = change.head
      for (let i = 0; i < change.connectedCount && entry; i++, entry = entry.parent) {
        const times = finalAt.get(entry.height) ?? []
        times.push(world.elapsedMs)
        finalAt.set(entry.height, times)
      }
    },
  })
  try {
    if (offline !== undefined) world.nodes[offline]?.node.validator?.stop()
    await world.run()
    const violations = [
      ...world.internalErrors,
      ...stateRootMismatches(world),
      ...(await lostTxs(world)),
      ...finalityViolations(world),
    ]
    const sim = buildReport(world)
    // The median running node: the ⌈n/2⌉-th to hold a height final.
    const rank = Math.ceil(world.running.length / 2)
    const medianFinalMs = new Map<number, number>()
    for (const [height, times] of finalAt) {
      if (times.length >= rank) medianFinalMs.set(height, [...times].sort((a, b) => a - b)[rank - 1] as number)
    }
    const heightS = new Map<number, number>()
    for (const [height, ms] of medianFinalMs) {
      const before = medianFinalMs.get(height - 1)
      if (height >= 2 && before !== undefined) heightS.set(height, (ms - before) / 1000)
    }
    const latency = sim.pos?.commitLatencyS
    return {
      scenario,
      wallS: (performance.now() - started) / 1000,
      violations,
      rounds: new Map(world.finality?.decidedRound ?? []),
      heightS,
      round0Proposer,
      reportLatencyS: { p50: latency?.p50 ?? 0, p99: latency?.p99 ?? 0 },
      heightsCommitted: sim.pos?.heightsCommitted ?? 0,
    }
  } finally {
    await world.close()
  }
}

async function simSize(validators: number): Promise<void> {
  const heights = validators >= 100 ? HEIGHTS_100 : HEIGHTS
  progress(`${validators} validators, all online: ${heights} heights`)
  const online = await simRun(validators, heights)
  const offlineIndex = online.round0Proposer.get(OFFLINE_LEADS)
  if (offlineIndex === undefined) throw new Error(`no round-0 proposal at height ${OFFLINE_LEADS}`)
  const offlineHeights = validators >= 100 ? HEIGHTS_100_OFFLINE : HEIGHTS
  progress(`${validators} validators, all online: ${online.wallS.toFixed(1)} s wall`)
  progress(`${validators} validators, validator ${offlineIndex} offline: ${offlineHeights} heights`)
  const offline = await simRun(validators, offlineHeights, offlineIndex)
  progress(`${validators} validators, one offline: ${offline.wallS.toFixed(1)} s wall`)
  const common = {
    validators,
    fullNodes: online.scenario.nodes - validators,
    regions: WAN6.regions.length,
    commitPauseS: COMMIT_PAUSE_S,
  }
  const atGoalSize = validators === GOAL_VALIDATORS

  const rounds = [...online.rounds.values()]
  const round0 = rounds.filter((r) => r === 0).length
  const share = rounds.length === 0 ? 0 : round0 / rounds.length
  report('pos sim round-0 share', share, 'ratio', {
    ...common,
    heights: rounds.length,
    round0,
    roundMax: Math.max(0, ...rounds),
    laterRoundHeights: [...online.rounds].filter(([, r]) => r > 0).map(([h]) => h),
    ...(atGoalSize ? { goal: `>= ${GOAL_ROUND0_SHARE}`, met: share >= GOAL_ROUND0_SHARE } : {}),
  })

  const latencies = [...online.heightS.values()]
  const p50 = percentile(latencies, 0.5)
  report('pos sim commit latency p50', p50, 's', {
    ...common,
    p99: percentile(latencies, 0.99),
    max: Math.max(0, ...latencies),
    heights: latencies.length,
    definition: 'height h-1 final on the median node to height h final on the median node (includes the commit pause)',
    proposalToQuorumFinalP50: online.reportLatencyS.p50,
    proposalToQuorumFinalP99: online.reportLatencyS.p99,
    ...(atGoalSize ? { goal: `p50 <= ${GOAL_COMMIT_P50_S}`, met: p50 <= GOAL_COMMIT_P50_S } : {}),
  })

  const baseMean = mean(latencies)
  const offTimes = [...offline.heightS.entries()]
  // Heights with no round-0 proposal anywhere: the offline validator was their round-0 proposer.
  const led = offTimes.filter(([h]) => !offline.round0Proposer.has(h))
  const extraPerLed = led.length === 0 ? 0 : mean(led.map(([, s]) => s)) - baseMean
  const extra = extraPerLed / validators
  report('pos sim offline proposer extra per height', extra, 's', {
    ...common,
    offlineValidator: offlineIndex,
    heights: offTimes.length,
    heightsLedByOffline: led.map(([h]) => h),
    extraPerLedHeightS: extraPerLed,
    measuredMeanExtraS: mean(offTimes.map(([, s]) => s)) - baseMean,
    laterRoundHeights: [...offline.rounds].filter(([, r]) => r > 0).length,
    definition: 'extra time of a height the offline validator leads x its share of heights (1/validators)',
    goal: `<= ${GOAL_OFFLINE_EXTRA_S}`,
    met: led.length > 0 && extra <= GOAL_OFFLINE_EXTRA_S,
  })
  const violations = [...online.violations, ...offline.violations]
  report('pos sim wall time', online.wallS + offline.wallS, 's', {
    ...common,
    onlineS: online.wallS,
    offlineS: offline.wallS,
    heightsOnline: online.heightsCommitted,
    heightsOffline: offline.heightsCommitted,
    violations: violations.length,
  })
  for (const v of violations.slice(0, 10)) progress(`violation: ${v}`)
}

export async function run(): Promise<void> {
  for (const validators of SIZES) await simSize(validators)
  if (process.env.POS_DEVNET !== '0') await (await import('./pos-devnet.js')).run()
}

if (isMain(import.meta.url)) await run()
