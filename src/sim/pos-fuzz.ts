/**
 * The proof-of-stake fuzzer (`npm run sim:fuzz -- --pos`): each seed stands
 * for a small PoS network of real nodes (4–7 validators of equal stake, a few
 * full nodes, epochs of 5–15 blocks), random jitter and loss until a
 * random time (the global stabilisation time), maybe a partition that heals, and f < n/3 validators (by count and so by power)
 * driven to random faults (equivocate, silent, late), some of them maybe
 * never started. Every run is checked for:
 *
 * - safety: no two nodes hold different blocks final at one height, and no
 *   final block is undone (finality.ts, on every head change);
 * - liveness: while no message is lost and the honest validators of one
 *   side hold ⅔+ of the power, heights commit within the bound of
 *   checks.ts, and after the heal and the end of loss they commit again;
 * - slashing: on every honest node's state, each equivocator is jailed for
 *   good with its stake cut by slashDoubleSignBps, and no other validator is
 *   jailed or slashed (checks.ts slashingViolations);
 * - the ledger's invariants: one state root per height, one head at the end,
 *   no accepted tx lost, none included twice.
 */
import { seededRng } from '../util/rng.js'
import {
  doubleInclusions,
  finalityViolations,
  lostTxs,
  poolViolations,
  slashingViolations,
  stateRootMismatches,
} from './checks.js'
import { buildReport } from './report.js'
import { parseScenario, type Scenario } from './scenario.js'
import { SimWorld } from './world.js'

const FAULTS = ['equivocate', 'silent', 'late'] as const

/** The PoS scenario a seed stands for: the same seed always gives the same one. */
export function fuzzPosScenario(seed: number): Scenario {
  const rng = seededRng(seed ^ 0x9057)
  const between = (lo: number, hi: number): number => lo + rng.int(hi - lo + 1)
  const validators = between(4, 7)
  // f < n/3 by count; powers are equal, so by power too.
  const faultyMax = Math.floor((validators - 1) / 3)
  const faulty = rng.next() < 0.9 ? between(1, faultyMax) : 0
  const offline = faulty > 0 && rng.next() < 0.2 ? 1 : 0
  const order = Array.from({ length: validators - offline }, (_, i) => i)
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[order[i], order[j]] = [order[j] as number, order[i] as number]
  }
  const byzantine = order.slice(0, faulty - offline).map((validator) => {
    const fault = FAULTS[rng.int(FAULTS.length)] as (typeof FAULTS)[number]
    return fault === 'late' ? { validator, fault, late_ms: between(50, 3000) } : { validator, fault }
  })
  const epochLength = between(5, 15)
  const atS = between(3, 20)
  const partition = rng.next() < 0.5
  const loss = rng.next() < 0.5 ? 0 : between(1, 30) / 1000
  return parseScenario({
    seed,
    consensus: 'pos',
    nodes: validators + between(1, 3),
    validators,
    offline_validators: offline,
    byzantine,
    epoch_length: epochLength,
    // Two epochs and more: the evidence is included and an equivocator leaves the set at an epoch end.
    blocks: 2 * epochLength + between(5, 15),
    block_interval_s: between(1, 2),
    tx_rate: between(0, 20) / 10,
    senders: 50,
    outbound_peers: between(2, 5),
    // Full nodes do not relay votes: validators reached only through them could never commit.
    connect_validators: true,
    gossip: rng.next() < 0.8 ? 'gossipsub' : 'flood',
    loss,
    // Loss stops at a global stabilisation time: liveness is owed only after it (lost votes are not re-gossiped at once).
    ...(loss > 0 && { loss_until_s: between(5, 40) }),
    jitter_ms: between(0, 30),
    drain_s: 5,
    // Connections across the cut close and are dialed again at the heal, as in a long real partition. (Kept
    // open and losing every packet, a node that missed the last block before a stall is never told of it.)
    partitions: partition
      ? [{ at_s: atS, heal_s: atS + between(5, 40), fraction: between(2, 8) / 10, redial: true }]
      : [],
  })
}

/** Every violation of one PoS run (empty: it held). */
export async function fuzzPosOnce(seed: number): Promise<string[]> {
  const pending: Array<Promise<string[]>> = []
  const world = await SimWorld.create(fuzzPosScenario(seed), {
    onHeadChange: (node, change) => {
      if (change.disconnected.length > 0) pending.push(poolViolations(node.node))
    },
  })
  try {
    await world.run()
    const report = buildReport(world)
    const problems = [
      ...world.internalErrors,
      ...finalityViolations(world),
      ...stateRootMismatches(world),
      ...(await slashingViolations(world)),
      ...(await lostTxs(world)),
    ]
    if (report.distinctHeads !== 1) problems.push(`${report.distinctHeads} distinct heads after the drain`)
    for (const { node, running } of world.nodes) if (running) problems.push(...(await doubleInclusions(node)))
    problems.push(...(await Promise.all(pending)).flat())
    return problems
  } catch (err) {
    return [`the run failed: ${(err as Error).stack ?? String(err)}`]
  } finally {
    await world.close()
  }
}
