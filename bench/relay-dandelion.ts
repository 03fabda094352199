/**
 * Dandelion++ in the simulator (issue 16's privacy figures), one JSON object
 * per line on stdout, each with its `goal` and whether it is `met`.
 *
 * The experiment is src/sim/dandelion/: DANDELION_NODES (200) modelled nodes
 * in the WAN6 regions, each dialing 8 random peers, DANDELION_SPY_FRACTION
 * (10%) of them spies running the first-spy estimator, DANDELION_TXS (1,000)
 * txs sent from random honest nodes, one a second on average. Under
 * `dandelion` every node runs the node's own stem relay (routing, stem pool,
 * embargo at its default mean, fallback) on the simulator's clock, timers
 * and seeded RNG; under `gossip` the sender gossips at once. Both modes run
 * on the same seed: the same network, spies, senders and send times.
 * - precision: the share of txs whose first spy sighting names their sender,
 *   Dandelion++ against plain gossip (goal ≤ ⅓ of gossip's);
 * - median extra propagation: the median over txs of the time until 90% of
 *   the nodes hold the tx in their mempool, Dandelion++ minus gossip (goal ≤ 1 s);
 * - embargo fire rate: the share of txs any node's embargo fired for, with
 *   every node honest and up (goal ≤ 1%).
 * Pooled over DANDELION_SEEDS seeds (each also printed). `npm run bench --
 * relay-dandelion` (about a minute), or within `npm run bench -- relay`.
 */
import '../src/util/shims.js'
import { EMBARGO_MEAN_MS } from '../src/relay/dandelion/embargo.js'
import { compareDandelion, type DandelionExperimentOptions, median } from '../src/sim/dandelion/index.js'
import { report } from './common.js'

const DANDELION_NODES = 200
const DANDELION_SPY_FRACTION = 0.1
const DANDELION_TXS = 1000
const DANDELION_SEEDS = [1, 2, 3]

export async function run(): Promise<void> {
  const pooled = {
    gossipHits: 0,
    dandelionHits: 0,
    txs: 0,
    embargoed: 0,
    gossipReach: [] as number[],
    dandelionReach: [] as number[],
  }
  for (const seed of DANDELION_SEEDS) {
    const opts: DandelionExperimentOptions = {
      seed,
      nodes: DANDELION_NODES,
      spyFraction: DANDELION_SPY_FRACTION,
      txs: DANDELION_TXS,
      txIntervalMs: 1000,
    }
    const started = performance.now()
    const r = await compareDandelion(opts)
    report('relay-dandelion-seed', r.precisionRatio, 'ratio', {
      seed,
      gossipPrecision: r.gossip.precision,
      dandelionPrecision: r.dandelion.precision,
      medianExtraMs: r.medianExtraMs,
      embargoFirePercent: r.embargoFireRate * 100,
      stemHopsPerTx: r.dandelion.stemTxs / DANDELION_TXS,
      reachedAll: `${r.dandelion.reachedAll}/${DANDELION_TXS}`,
      wallMs: performance.now() - started,
    })
    pooled.gossipHits += r.gossip.precision * DANDELION_TXS
    pooled.dandelionHits += r.dandelion.precision * DANDELION_TXS
    pooled.txs += DANDELION_TXS
    pooled.embargoed += r.dandelion.embargoedTxs
    pooled.gossipReach.push(...r.gossip.reach90Ms)
    pooled.dandelionReach.push(...r.dandelion.reach90Ms)
  }
  const gossipPrecision = pooled.gossipHits / pooled.txs
  const dandelionPrecision = pooled.dandelionHits / pooled.txs
  const ratio = dandelionPrecision / gossipPrecision
  const common = {
    nodes: DANDELION_NODES,
    spies: DANDELION_SPY_FRACTION,
    txs: pooled.txs,
    seeds: DANDELION_SEEDS.length,
  }
  report('relay-dandelion-precision', ratio, 'ratio', {
    ...common,
    without: gossipPrecision,
    with: dandelionPrecision,
    goal: '≤ 0.333 (⅓ of plain gossip)',
    met: ratio <= 1 / 3,
  })
  const gossipMedian = median(pooled.gossipReach)
  const dandelionMedian = median(pooled.dandelionReach)
  const extraMs = dandelionMedian - gossipMedian
  report('relay-dandelion-extra-propagation', extraMs / 1000, 's', {
    ...common,
    withoutReach90MedianMs: gossipMedian,
    withReach90MedianMs: dandelionMedian,
    goal: '≤ 1 s',
    met: extraMs <= 1000,
  })
  const fireRate = pooled.embargoed / pooled.txs
  report('relay-dandelion-embargo-fire-rate', fireRate * 100, '%', {
    ...common,
    embargoMeanMs: EMBARGO_MEAN_MS,
    goal: '≤ 1%',
    met: fireRate <= 0.01,
  })
}

if (import.meta.url === `file://${process.argv[1]}`) await run()
