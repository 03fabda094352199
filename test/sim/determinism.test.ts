/** One seed = one exact run: the trace's hash is the run's identity. */
import { describe, expect, it } from 'vitest'
import { slashingViolations } from '../../src/sim/checks.js'
import { runToEnd } from './helpers.js'
import { runPos } from './pos-helpers.js'

async function traceHash(seed: number): Promise<string> {
  const { world, report } = await runToEnd({
    seed,
    nodes: 30,
    blocks: 6,
    tx_rate: 2,
    miners: 5,
    loss: 0.01,
    partitions: [{ at_s: 10, heal_s: 30 }],
  })
  await world.close()
  return report.traceSha256
}

/** Proof of stake with stake in the state, an epoch change, an equivocator slashed, loss until 8 s and a partition. */
async function posTraceHash(seed: number): Promise<string> {
  const {
    world,
    report,
    violations: found,
  } = await runPos({
    seed,
    nodes: 8,
    validators: 7,
    blocks: 12,
    block_interval_s: 1,
    epoch_length: 5,
    loss: 0.01,
    loss_until_s: 8,
    byzantine: [
      { validator: 1, fault: 'equivocate' },
      { validator: 3, fault: 'late', late_ms: 300 },
    ],
    partitions: [{ at_s: 4, heal_s: 9 }],
  })
  const violations = [...found, ...(await slashingViolations(world))]
  await world.close()
  expect(violations).toEqual([])
  return report.traceSha256
}

describe('simulation determinism', () => {
  it('prints the same trace hash for the same seed, and another for another seed', async () => {
    const first = await traceHash(11)
    expect(await traceHash(11)).toBe(first)
    expect(await traceHash(12)).not.toBe(first)
  })

  it('does so under proof of stake, with validators at fault and stake slashed', async () => {
    const first = await posTraceHash(11)
    expect(await posTraceHash(11)).toBe(first)
    expect(await posTraceHash(12)).not.toBe(first)
  })
})
