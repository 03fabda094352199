/** Proof-of-stake runs for the sim tests: a scenario to its end, with every PoS check's findings. */
import { finalityViolations, stateRootMismatches } from '../../src/sim/checks.js'
import { buildReport, type PosReport, type SimReport } from '../../src/sim/report.js'
import { parseScenario } from '../../src/sim/scenario.js'
import { SimWorld, type SimWorldOptions } from '../../src/sim/world.js'

export interface PosRun {
  world: SimWorld
  report: SimReport
  pos: PosReport
  /** Safety and liveness violations, state roots that differ, and our own logged errors. */
  violations: string[]
}

/** WAN latency (the default regions), 2 s between heights, a light tx load. */
export const POS_BASE = { consensus: 'pos', block_interval_s: 2, tx_rate: 1, drain_s: 5 } as const

/** `options` may read the run's virtual clock (`elapsedMs`) from its callbacks. */
export async function runPos(
  scenario: Record<string, unknown>,
  options: (elapsedMs: () => number) => SimWorldOptions = () => ({}),
): Promise<PosRun> {
  let created: SimWorld | undefined
  const elapsedMs = (): number => created?.elapsedMs ?? 0
  const world = await SimWorld.create(parseScenario({ ...POS_BASE, ...scenario }), options(elapsedMs))
  created = world
  try {
    await world.run()
  } catch (err) {
    await world.close()
    throw err
  }
  const report = buildReport(world)
  if (!report.pos) throw new Error('a proof-of-stake run without its report')
  const violations = [...finalityViolations(world), ...stateRootMismatches(world), ...world.internalErrors]
  return { world, report, pos: report.pos, violations }
}

/** Every running node's main chain, as block ids by height up to the lowest head. */
export function chainsOf(world: SimWorld): string[][] {
  const running = world.nodes.filter((n) => n.running)
  const top = Math.min(...running.map((n) => n.node.ledger.chain.head.height))
  return running.map(({ node }) =>
    Array.from({ length: top + 1 }, (_, h) => node.ledger.chain.index.mainAt(h)?.id ?? 'missing'),
  )
}
