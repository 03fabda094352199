/** One seed = one exact run: the trace's hash is the run's identity. */
import { describe, expect, it } from 'vitest'
import { runToEnd } from './helpers.js'

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

describe('simulation determinism', () => {
  it('prints the same trace hash for the same seed, and another for another seed', async () => {
    const first = await traceHash(11)
    expect(await traceHash(11)).toBe(first)
    expect(await traceHash(12)).not.toBe(first)
  })
})
