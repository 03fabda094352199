/** Runs a fixed-seed scenario to its end, checking the mempool against the chain after every reorg. */
import { poolViolations } from '../../src/sim/checks.js'
import { buildReport, type SimReport } from '../../src/sim/report.js'
import { parseScenario } from '../../src/sim/scenario.js'
import { SimWorld } from '../../src/sim/world.js'

export interface FinishedRun {
  world: SimWorld
  report: SimReport
  /** Mempool invariant violations seen after reorgs. */
  poolProblems: string[]
  /** How many reorgs had their mempool checked. */
  reorgsChecked: number
}

export async function runToEnd(scenario: Record<string, unknown>): Promise<FinishedRun> {
  const checks: Array<Promise<string[]>> = []
  const world = await SimWorld.create(parseScenario(scenario), {
    onHeadChange: (node, change) => {
      if (change.disconnected.length > 0) checks.push(poolViolations(node.node))
    },
  })
  await world.run()
  const poolProblems = (await Promise.all(checks)).flat()
  return { world, report: buildReport(world), poolProblems, reorgsChecked: checks.length }
}
