/**
 * `npm run sim:fuzz -- [--pos] --runs N [--from SEED]`: simulations on random
 * seeds, each seed deriving its own scenario (size, load, loss, gossip
 * model, a partition), every invariant checked. A failure prints its seed
 * and the one-line command that replays exactly that run; `--seed S` runs
 * one seed. `--pos` fuzzes proof of stake instead (src/sim/pos-fuzz.ts:
 * validators with Byzantine faults; safety, liveness after a heal, slashing).
 */
import '../src/util/shims.js'
import { parseArgs } from 'node:util'
import { doubleInclusions, lostTxs, poolViolations, stateRootMismatches } from '../src/sim/checks.js'
import { fuzzPosOnce } from '../src/sim/pos-fuzz.js'
import { buildReport } from '../src/sim/report.js'
import { parseScenario, type Scenario } from '../src/sim/scenario.js'
import { SimWorld } from '../src/sim/world.js'
import { seededRng } from '../src/util/rng.js'

/** The scenario a seed stands for: the same seed always gives the same one. */
export function fuzzScenario(seed: number): Scenario {
  const rng = seededRng(seed ^ 0x5eed)
  const between = (lo: number, hi: number): number => lo + rng.int(hi - lo + 1)
  const nodes = between(8, 48)
  const atS = between(5, 60)
  return parseScenario({
    seed,
    nodes,
    blocks: between(4, 14),
    tx_rate: between(1, 30) / 10,
    miners: between(1, Math.min(8, nodes)),
    outbound_peers: between(2, 8),
    gossip: rng.next() < 0.8 ? 'gossipsub' : 'flood',
    loss: rng.next() < 0.5 ? 0 : between(1, 50) / 1000,
    jitter_ms: between(0, 20),
    partitions: rng.next() < 0.6 ? [{ at_s: atS, heal_s: atS + between(10, 150), fraction: between(2, 8) / 10 }] : [],
  })
}

/** Every violation of one run (empty: it held). */
export async function fuzzOnce(seed: number): Promise<string[]> {
  const pending: Array<Promise<string[]>> = []
  const world = await SimWorld.create(fuzzScenario(seed), {
    onHeadChange: (node, change) => {
      if (change.disconnected.length > 0) pending.push(poolViolations(node.node))
    },
  })
  try {
    await world.run()
    const report = buildReport(world)
    const problems = [...world.internalErrors, ...stateRootMismatches(world), ...(await lostTxs(world))]
    if (report.distinctHeads !== 1) problems.push(`${report.distinctHeads} distinct heads after the drain`)
    for (const { node } of world.nodes) problems.push(...(await doubleInclusions(node)))
    problems.push(...(await Promise.all(pending)).flat())
    return problems
  } catch (err) {
    return [`the run failed: ${(err as Error).stack ?? String(err)}`]
  } finally {
    await world.close()
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '20' },
      from: { type: 'string' },
      seed: { type: 'string' },
      pos: { type: 'boolean', default: false },
    },
  })
  const once = values.pos ? fuzzPosOnce : fuzzOnce
  const replay = values.pos ? 'npm run sim:fuzz -- --pos --seed' : 'npm run sim:fuzz -- --seed'
  const seeds =
    values.seed !== undefined
      ? [Number(values.seed)]
      : Array.from({ length: Number(values.runs) }, (_, i) =>
          values.from !== undefined ? Number(values.from) + i : seededRng(process.pid + i).int(2 ** 31),
        )
  let failed = 0
  for (const seed of seeds) {
    const problems = await once(seed)
    if (problems.length === 0) {
      process.stdout.write(`seed ${seed}: ok\n`)
      continue
    }
    failed++
    process.stdout.write(`seed ${seed}: FAILED\n  ${problems.slice(0, 10).join('\n  ')}\n`)
    process.stdout.write(`  replay: ${replay} ${seed}\n`)
  }
  process.stdout.write(`${seeds.length - failed} of ${seeds.length} runs held every invariant\n`)
  if (failed > 0) process.exitCode = 1
}

await main()
