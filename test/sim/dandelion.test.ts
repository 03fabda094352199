/**
 * The Dandelion++ experiment at a small scale: one seed gives one exact run,
 * and the node's stem relay works in the modelled network (every tx reaches
 * every node; a black-holing hop is covered by the embargo). The 200-node
 * figures are the bench's (`npm run bench -- relay-dandelion`).
 */
import { describe, expect, it } from 'vitest'
import { type DandelionExperimentOptions, FirstSpyEstimator, runDandelionMode } from '../../src/sim/dandelion/index.js'

const SMALL: DandelionExperimentOptions = {
  seed: 7,
  nodes: 40,
  spyFraction: 0.1,
  txs: 40,
  txIntervalMs: 500,
  embargoMeanMs: 20_000,
}

describe('Dandelion++ experiment (small)', () => {
  it('is deterministic: one seed, one exact run', async () => {
    const a = await runDandelionMode('dandelion', SMALL)
    const b = await runDandelionMode('dandelion', SMALL)
    expect(b).toEqual(a)
    const c = await runDandelionMode('dandelion', { ...SMALL, seed: 8 })
    expect(c.reach90Ms).not.toEqual(a.reach90Ms)
  })

  it('stems every tx and still delivers it to every node', async () => {
    const gossip = await runDandelionMode('gossip', SMALL)
    const dandelion = await runDandelionMode('dandelion', SMALL)
    expect(gossip.reachedAll).toBe(SMALL.txs)
    expect(gossip.stemTxs).toBe(0)
    expect(dandelion.reachedAll).toBe(SMALL.txs)
    // Every tx is held by its sender's stem pool at least.
    expect(dandelion.stemTxs).toBeGreaterThanOrEqual(SMALL.txs)
    for (const ms of dandelion.reach90Ms) expect(Number.isFinite(ms)).toBe(true)
  })

  it('covers black-holing hops with the embargo: it fires, and every tx still reaches every node', async () => {
    const result = await runDandelionMode('dandelion', { ...SMALL, blackHoles: 8 })
    expect(result.embargoFires).toBeGreaterThan(0)
    expect(result.embargoedTxs).toBeGreaterThan(0)
    expect(result.reachedAll).toBe(SMALL.txs)
  })
})

describe('FirstSpyEstimator', () => {
  it('guesses the honest peer that first handed a tx to any spy, and scores guesses against the true origins', () => {
    const spies = new Set([9])
    const estimator = new FirstSpyEstimator((v) => spies.has(v))
    estimator.observe(0, 3, 200)
    estimator.observe(0, 4, 100) // earlier: wins
    estimator.observe(1, 5, 50)
    estimator.observe(2, 9, 10) // handed over by a spy: no guess
    expect(estimator.guess(0)).toBe(4)
    expect(estimator.guess(1)).toBe(5)
    expect(estimator.guess(2)).toBeUndefined()
    expect(estimator.guess(3)).toBeUndefined()
    // origins of txs 0-3: 4 (right), 6 (wrong), 2 (no guess), 1 (unseen)
    expect(estimator.precision([4, 6, 2, 1])).toBe(0.25)
  })
})
