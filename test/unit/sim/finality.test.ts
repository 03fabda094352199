/** The PoS record and checks must catch what they claim to: forks, undone blocks, stalls, commits without a quorum. */
import { describe, expect, it } from 'vitest'
import { livenessViolations, safetyViolations } from '../../../src/sim/checks.js'
import { FinalityRecord, SPLIT_GRACE_MS } from '../../../src/sim/finality.js'

/** Four equal validators, all running. */
function record4(): FinalityRecord {
  return new FinalityRecord({ running: [true, true, true, true], power: [10n, 10n, 10n, 10n] })
}

describe('FinalityRecord safety', () => {
  it('holds when every node finalizes the same block at each height', () => {
    const r = record4()
    for (let node = 0; node < 4; node++) {
      r.onFinal(node, 1, 'aa', 100 + node)
      r.onFinal(node, 2, 'bb', 200 + node)
    }
    expect(safetyViolations(r)).toEqual([])
  })

  it('flags a forked record: two nodes final on different blocks at one height', () => {
    const r = record4()
    r.onFinal(0, 1, 'aa', 100)
    r.onFinal(1, 1, 'aa', 110)
    r.onFinal(2, 1, 'cc', 120)
    const found = safetyViolations(r)
    expect(found).toHaveLength(1)
    expect(found[0]).toContain('height 1')
  })

  it('flags a final block undone by a reorg', () => {
    const r = record4()
    r.onReverted(3, 1, 4)
    expect(safetyViolations(r)).toHaveLength(1)
  })

  it('flags a chain that holds, at the end, another block than the first final one', () => {
    const r = record4()
    r.onFinal(0, 1, 'aa', 100)
    r.onFinal(0, 2, 'bb', 200)
    const good = { node: 1, height: 2, mainAt: (h: number) => ['g', 'aa', 'bb'][h] }
    const forked = { node: 2, height: 2, mainAt: (h: number) => ['g', 'aa', 'xx'][h] }
    expect(safetyViolations(r, [good])).toEqual([])
    expect(safetyViolations(r, [good, forked])).toHaveLength(1)
  })
})

describe('FinalityRecord liveness', () => {
  it('measures the longest wait for a new height while ⅔+ of the power is connected', () => {
    const r = record4()
    r.onFinal(0, 1, 'a', 1_000)
    r.onFinal(0, 2, 'b', 31_000)
    r.onEnd(32_000)
    expect(r.stallMsMax).toBe(30_000)
    expect(livenessViolations(r, 30_000)).toEqual([])
    expect(livenessViolations(r, 29_999)).toHaveLength(1)
  })

  it('counts the wait up to the end of the run, not only up to the last height', () => {
    const r = record4()
    r.onFinal(0, 1, 'a', 1_000)
    r.onEnd(100_000)
    expect(livenessViolations(r, 30_000)).toHaveLength(1)
  })

  it('flags a height committed while no side holds ⅔+ of the power, past the grace after the split', () => {
    const r = record4()
    r.onSplit(
      [
        [0, 1],
        [2, 3],
      ],
      10_000,
    )
    r.onFinal(0, 1, 'a', 10_000 + SPLIT_GRACE_MS - 1)
    expect(livenessViolations(r, 60_000)).toEqual([])
    r.onFinal(0, 2, 'b', 10_000 + SPLIT_GRACE_MS + 1)
    expect(livenessViolations(r, 60_000)).toHaveLength(1)
  })

  it('does not expect commits while no side holds ⅔+, and expects them on a side that does', () => {
    const stalled = record4()
    stalled.onSplit(
      [
        [0, 1],
        [2, 3],
      ],
      0,
    )
    stalled.onHeal(500_000)
    stalled.onFinal(0, 1, 'a', 505_000)
    stalled.onEnd(506_000)
    expect(livenessViolations(stalled, 30_000)).toEqual([])

    const majority = record4()
    majority.onSplit([[0, 1, 2], [3]], 0)
    majority.onHeal(500_000)
    majority.onFinal(0, 1, 'a', 505_000)
    expect(livenessViolations(majority, 30_000)).toHaveLength(1)
  })

  it('flags a heal after which no height commits', () => {
    const r = record4()
    r.onSplit(
      [
        [0, 1],
        [2, 3],
      ],
      0,
    )
    r.onHeal(10_000)
    r.onEnd(12_000)
    expect(livenessViolations(r, 30_000)).toEqual(['no height committed after the heal at 10000 ms'])
  })

  it('counts offline validators in the total power: 2 of 4 running hold no quorum', () => {
    const r = new FinalityRecord({ running: [true, true, false, false], power: [10n, 10n, 10n, 10n] })
    r.onFinal(0, 1, 'a', 100_000)
    expect(livenessViolations(r, 30_000)).toHaveLength(1)
  })
})

describe('FinalityRecord pace', () => {
  it('times each height from its first proposal to final at ⅔ of the running nodes, and counts later rounds', () => {
    const r = new FinalityRecord({ running: [true, true, true, false], power: [10n, 10n, 10n, 10n] })
    r.onProposal(1, 1_000)
    r.onProposal(1, 4_000) // a later round's proposal does not restart the clock
    r.onFinal(0, 1, 'a', 1_300)
    expect(r.quorumFinalMs.has(1)).toBe(false)
    r.onFinal(1, 1, 'a', 1_400) // 2 of the 3 running nodes
    expect(r.commitLatencyMs().percentiles()).toMatchObject({ count: 1, max: 400 })
    r.decidedRound.set(1, 0)
    r.decidedRound.set(2, 2)
    expect(r.roundsSummary()).toEqual({ heights: 2, laterRounds: 1, roundMax: 2 })
  })
})
