import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { retarget, workOf } from '../../../../src/consensus/pow/target.js'
import { type ConsensusParams, devnetGenesis } from '../../../../src/ledger/genesis.js'

const POW_LIMIT = 1n << 250n
const params: ConsensusParams = devnetGenesis({
  retargetInterval: 10,
  blockTimeMs: 1_000,
  maxAdjustFactor: 4,
  initialTarget: 1n << 240n,
  powLimit: POW_LIMIT,
}).params

const T = 1n << 240n
// the interval spans retargetInterval - 1 block times
const EXPECTED_MS = 9_000

/** retarget at `height` with `actualMs` between the first and the last block of the interval. */
const at = (actualMs: number, parentTarget = T, height = 20, p = params): bigint =>
  retarget(height, parentTarget, 1_000_000 + actualMs, () => 1_000_000, p)

describe('retarget', () => {
  it('keeps the parent target off the interval, without looking back', () => {
    const lookBack = (): number => {
      throw new Error('must not look back off the interval')
    }
    for (const height of [0, 1, 9, 11, 19, 21]) {
      expect(retarget(height, T, 5, lookBack, params)).toBe(T)
    }
  })

  it('keeps the target when blocks came exactly on time', () => {
    expect(at(EXPECTED_MS)).toBe(T)
    expect(at(EXPECTED_MS, T, 10)).toBe(T)
  })

  it('lowers the target (harder) when blocks came faster', () => {
    expect(at(EXPECTED_MS / 2)).toBe(T / 2n)
    expect(at(EXPECTED_MS * 0.9)).toBe((T * 9n) / 10n)
    expect(at(EXPECTED_MS - 1)).toBeLessThan(T)
  })

  it('raises the target (easier) when blocks came slower', () => {
    expect(at(EXPECTED_MS * 2)).toBe(T * 2n)
    expect(at(EXPECTED_MS * 3)).toBe(T * 3n)
    expect(at(EXPECTED_MS + 1)).toBeGreaterThan(T)
  })

  it('moves at most maxAdjustFactor toward harder', () => {
    expect(at(EXPECTED_MS / 4)).toBe(T / 4n)
    expect(at(EXPECTED_MS / 8)).toBe(T / 4n)
    expect(at(1)).toBe(T / 4n)
    expect(at(0)).toBe(T / 4n)
    // a last timestamp before the first (clock skew) counts as zero time, still clamped
    expect(at(-50_000)).toBe(T / 4n)
  })

  it('moves at most maxAdjustFactor toward easier', () => {
    expect(at(EXPECTED_MS * 4)).toBe(T * 4n)
    expect(at(EXPECTED_MS * 5)).toBe(T * 4n)
    expect(at(1e12)).toBe(T * 4n)
  })

  it('honours other adjust factors', () => {
    const p2 = { ...params, maxAdjustFactor: 2 }
    expect(at(1, T, 20, p2)).toBe(T / 2n)
    expect(at(1e9, T, 20, p2)).toBe(T * 2n)
    const p1 = { ...params, maxAdjustFactor: 1 }
    expect(at(1, T, 20, p1)).toBe(T)
    expect(at(1e9, T, 20, p1)).toBe(T)
  })

  it('never goes above powLimit', () => {
    expect(at(EXPECTED_MS * 4, POW_LIMIT / 2n)).toBe(POW_LIMIT)
    expect(at(EXPECTED_MS * 4, POW_LIMIT)).toBe(POW_LIMIT)
    expect(at(EXPECTED_MS * 2, POW_LIMIT / 2n)).toBe(POW_LIMIT)
    expect(at(EXPECTED_MS * 2, POW_LIMIT / 4n)).toBe(POW_LIMIT / 2n)
  })

  it('never goes below 1', () => {
    expect(at(1, 1n)).toBe(1n)
    expect(at(1, 3n)).toBe(1n)
  })

  it('stays within [parent / factor, min(parent * factor, powLimit)] for any timing', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: POW_LIMIT }),
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.integer({ min: 1, max: 16 }),
        (parent, actual, factor) => {
          const p = { ...params, maxAdjustFactor: factor }
          const next = at(actual, parent, 20, p)
          const f = BigInt(factor)
          expect(next).toBeGreaterThanOrEqual(1n)
          expect(next).toBeLessThanOrEqual(POW_LIMIT)
          expect(next).toBeLessThanOrEqual(parent * f)
          // parent / factor, less what integer division loses: the clamp is floor(expected / factor) ms
          const expectedMs = BigInt(EXPECTED_MS)
          expect((next + 1n) * f * expectedMs).toBeGreaterThanOrEqual(parent * (expectedMs - f))
        },
      ),
      { numRuns: 500 },
    )
  })

  it('is monotonic in the time the interval took', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a]
        expect(at(lo)).toBeLessThanOrEqual(at(hi))
      }),
      { numRuns: 300 },
    )
  })
})

describe('workOf', () => {
  it('is 2^256 / (target + 1)', () => {
    expect(workOf(0n)).toBe(1n << 256n)
    expect(workOf(1n)).toBe(1n << 255n)
    expect(workOf((1n << 256n) - 1n)).toBe(1n)
    expect(workOf((1n << 255n) - 1n)).toBe(2n)
    expect(workOf((1n << 240n) - 1n)).toBe(1n << 16n)
  })

  it('never increases as the target gets easier', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a]
          expect(workOf(lo)).toBeGreaterThanOrEqual(workOf(hi))
          expect(workOf(hi)).toBeGreaterThanOrEqual(1n)
        },
      ),
      { numRuns: 500 },
    )
    // halving the target (roughly) doubles the work
    expect(workOf((1n << 200n) - 1n) * 2n).toBe(workOf((1n << 199n) - 1n))
  })
})
