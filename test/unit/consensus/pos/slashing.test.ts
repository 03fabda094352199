/**
 * Slashing and unbonding: fractions in basis points rounding down, stake that
 * began unbonding before the infraction spared, stake begun at or after it
 * burned, jailing, and burned + kept = what there was.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SlashingError } from '../../../../src/consensus/pos/errors.js'
import { BASIS_POINTS, slashForDoubleSign, slashForDowntime } from '../../../../src/consensus/pos/slashing.js'
import {
  beginUnbonding,
  isJailed,
  JAILED_FOREVER,
  jailUntil,
  matureUnbonding,
  type StakeRecord,
  totalStake,
} from '../../../../src/consensus/pos/stake-record.js'

function code(run: () => unknown): string {
  try {
    run()
  } catch (err) {
    if (err instanceof SlashingError) return err.code
    throw err
  }
  throw new Error('expected a SlashingError')
}

const entry = (amount: bigint, startHeight: number, releaseHeight = startHeight + 100) => ({
  amount,
  startHeight,
  releaseHeight,
})

const recordArb: fc.Arbitrary<StakeRecord> = fc.record({
  bonded: fc.bigInt({ min: 0n, max: 1n << 70n }),
  unbonding: fc.array(
    fc.record({
      amount: fc.bigInt({ min: 0n, max: 1n << 70n }),
      startHeight: fc.nat({ max: 1000 }),
      releaseHeight: fc.nat({ max: 2000 }),
    }),
    { maxLength: 6 },
  ),
})

describe('slashForDoubleSign', () => {
  it('burns the stated fraction of bonded stake and jails for good', () => {
    const { record, burned } = slashForDoubleSign({ bonded: 1000n, unbonding: [] }, 50, 500)
    expect(burned).toBe(50n)
    expect(record.bonded).toBe(950n)
    expect(record.jailedUntil).toBe(JAILED_FOREVER)
    expect(isJailed(record, 1_000_000_000)).toBe(true)
  })

  it('rounds each burn down', () => {
    expect(slashForDoubleSign({ bonded: 999n, unbonding: [] }, 0, 1).burned).toBe(0n)
    expect(slashForDoubleSign({ bonded: 10n, unbonding: [] }, 0, 3333).burned).toBe(3n)
    expect(slashForDoubleSign({ bonded: 19_999n, unbonding: [] }, 0, 1).burned).toBe(1n)
  })

  it('burns everything at 100% and nothing at 0%', () => {
    const start: StakeRecord = { bonded: 7n, unbonding: [entry(5n, 10)] }
    const all = slashForDoubleSign(start, 10, BASIS_POINTS)
    expect(all.burned).toBe(12n)
    expect(totalStake(all.record)).toBe(0n)
    const none = slashForDoubleSign(start, 10, 0)
    expect(none.burned).toBe(0n)
    expect(totalStake(none.record)).toBe(12n)
    expect(isJailed(none.record, 11)).toBe(true)
  })

  it('spares stake that began unbonding before the infraction and burns stake begun at or after it', () => {
    const start: StakeRecord = { bonded: 1000n, unbonding: [entry(400n, 99), entry(400n, 100), entry(400n, 150)] }
    const { record, burned } = slashForDoubleSign(start, 100, 1000)
    expect(record.unbonding.map((e) => e.amount)).toEqual([400n, 360n, 360n])
    expect(record.unbonding.map((e) => [e.startHeight, e.releaseHeight])).toEqual([
      [99, 199],
      [100, 200],
      [150, 250],
    ])
    expect(burned).toBe(100n + 40n + 40n)
  })

  it('keeps a longer jail and accepts a shorter one of its own', () => {
    const jailed = jailUntil({ bonded: 10n, unbonding: [] }, 500)
    expect(slashForDoubleSign(jailed, 3, 100, 200).record.jailedUntil).toBe(500)
    expect(slashForDoubleSign(jailed, 3, 100, 900).record.jailedUntil).toBe(900)
  })

  it('refuses fractions, heights and amounts outside their domain', () => {
    const ok: StakeRecord = { bonded: 10n, unbonding: [] }
    expect(code(() => slashForDoubleSign(ok, 1, -1))).toBe('BAD_FRACTION')
    expect(code(() => slashForDoubleSign(ok, 1, BASIS_POINTS + 1))).toBe('BAD_FRACTION')
    expect(code(() => slashForDoubleSign(ok, 1, 0.5))).toBe('BAD_FRACTION')
    expect(code(() => slashForDoubleSign(ok, -1, 100))).toBe('BAD_HEIGHT')
    expect(code(() => slashForDoubleSign({ bonded: -1n, unbonding: [] }, 1, 100))).toBe('BAD_AMOUNT')
    expect(code(() => slashForDoubleSign({ bonded: 1n, unbonding: [entry(-1n, 0)] }, 1, 100))).toBe('BAD_AMOUNT')
  })

  it('burns + keeps exactly what there was, never more than the fraction, bucket by bucket', () => {
    fc.assert(
      fc.property(recordArb, fc.nat({ max: 1000 }), fc.integer({ min: 0, max: BASIS_POINTS }), (start, at, bps) => {
        const { record, burned } = slashForDoubleSign(start, at, bps)
        expect(burned + totalStake(record)).toBe(totalStake(start))
        expect(burned * BigInt(BASIS_POINTS) <= totalStake(start) * BigInt(bps)).toBe(true)
        expect(record.bonded >= 0n && record.bonded <= start.bonded).toBe(true)
        start.unbonding.forEach((before, i) => {
          const after = record.unbonding[i]!
          if (before.startHeight < at) expect(after).toEqual(before)
          else expect(after.amount).toBe(before.amount - (before.amount * BigInt(bps)) / BigInt(BASIS_POINTS))
        })
      }),
      { numRuns: 500 },
    )
  })
})

describe('slashForDowntime', () => {
  it('burns a fraction of bonded stake only and jails until the given height', () => {
    const start: StakeRecord = { bonded: 10_000n, unbonding: [entry(500n, 0)] }
    const { record, burned } = slashForDowntime(start, 1, 700)
    expect(burned).toBe(1n)
    expect(record.bonded).toBe(9_999n)
    expect(record.unbonding).toEqual(start.unbonding)
    expect(isJailed(record, 699)).toBe(true)
    expect(isJailed(record, 700)).toBe(false)
  })
})

describe('unbonding', () => {
  it('moves stake from bonded to an entry released after the unbonding period', () => {
    const record = beginUnbonding({ bonded: 100n, unbonding: [] }, 30n, 10, 50)
    expect(record.bonded).toBe(70n)
    expect(record.unbonding).toEqual([{ amount: 30n, startHeight: 10, releaseHeight: 60 }])
    expect(code(() => beginUnbonding(record, 71n, 11, 50))).toBe('BAD_AMOUNT')
    expect(code(() => beginUnbonding(record, 0n, 11, 50))).toBe('BAD_AMOUNT')
  })

  it('releases the entries whose release height has come, inclusive, and keeps the rest', () => {
    const start: StakeRecord = { bonded: 1n, unbonding: [entry(10n, 0, 50), entry(20n, 5, 60), entry(40n, 9, 49)] }
    expect(matureUnbonding(start, 48).released).toBe(0n)
    const at50 = matureUnbonding(start, 50)
    expect(at50.released).toBe(50n)
    expect(at50.record.unbonding).toEqual([entry(20n, 5, 60)])
    expect(at50.record.bonded).toBe(1n)
    expect(matureUnbonding(start, 1000).record.unbonding).toEqual([])
  })

  it('releases + keeps exactly what there was', () => {
    fc.assert(
      fc.property(recordArb, fc.nat({ max: 2000 }), (start, height) => {
        const { record, released } = matureUnbonding(start, height)
        expect(released + totalStake(record)).toBe(totalStake(start))
        for (const e of record.unbonding) expect(e.releaseHeight > height).toBe(true)
      }),
    )
  })
})
