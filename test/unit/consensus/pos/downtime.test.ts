/**
 * The downtime window: a validator is reported at exactly missedMax misses in
 * the last windowLength commits, misses leave the window as it slides, those
 * who leave the set are forgotten, and memory stays validators · ⌈N/8⌉ bytes.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type CommitParticipation, DowntimeTracker } from '../../../../src/consensus/pos/downtime.js'
import { SlashingError } from '../../../../src/consensus/pos/errors.js'
import { toHex } from '../../../../src/util/bytes.js'
import { KEYS } from './validator-fixtures.js'

const A = KEYS[0]!.address
const B = KEYS[1]!.address

function code(run: () => unknown): string {
  try {
    run()
  } catch (err) {
    if (err instanceof SlashingError) return err.code
    throw err
  }
  throw new Error('expected a SlashingError')
}

/** Hex addresses reported for height `height` when only `missing` did not sign among `members`. */
function commit(
  tracker: DowntimeTracker,
  height: number,
  members: readonly Uint8Array[],
  missing: readonly Uint8Array[] = [],
): string[] {
  const missed = new Set(missing.map(toHex))
  const participants: CommitParticipation[] = members.map((address) => ({
    address,
    signed: !missed.has(toHex(address)),
  }))
  return tracker.recordCommit(height, participants).map(toHex)
}

describe('DowntimeTracker', () => {
  it('reports at exactly missedMax misses of the window, not one before', () => {
    const tracker = new DowntimeTracker(10, 3)
    expect(commit(tracker, 0, [A, B], [A])).toEqual([])
    expect(commit(tracker, 1, [A, B])).toEqual([])
    expect(commit(tracker, 2, [A, B], [A])).toEqual([])
    expect(tracker.missedCount(A)).toBe(2)
    expect(commit(tracker, 3, [A, B], [A])).toEqual([toHex(A)])
    expect(tracker.missedCount(A)).toBe(3)
    expect(tracker.missedCount(B)).toBe(0)
  })

  it('lets misses slide out of the window', () => {
    const tracker = new DowntimeTracker(4, 2)
    expect(commit(tracker, 0, [A], [A])).toEqual([])
    expect(commit(tracker, 1, [A], [A])).toEqual([toHex(A)])
    expect(commit(tracker, 2, [A])).toEqual([toHex(A)])
    expect(commit(tracker, 3, [A])).toEqual([toHex(A)])
    // Height 0's miss leaves as height 4 enters.
    expect(commit(tracker, 4, [A])).toEqual([])
    expect(tracker.missedCount(A)).toBe(1)
    expect(commit(tracker, 5, [A])).toEqual([])
    expect(tracker.missedCount(A)).toBe(0)
  })

  it('counts a slot again when the validator misses the height that reuses it', () => {
    const tracker = new DowntimeTracker(3, 3)
    for (let h = 0; h < 2; h++) commit(tracker, h, [A], [A])
    expect(commit(tracker, 2, [A], [A])).toEqual([toHex(A)])
    expect(commit(tracker, 3, [A], [A])).toEqual([toHex(A)])
    expect(tracker.missedCount(A)).toBe(3)
  })

  it('forgets a validator that leaves the set, and gives it a clean window if it returns', () => {
    const tracker = new DowntimeTracker(10, 2)
    commit(tracker, 0, [A, B], [A])
    expect(tracker.trackedCount).toBe(2)
    commit(tracker, 1, [B])
    expect(tracker.trackedCount).toBe(1)
    expect(tracker.missedCount(A)).toBe(0)
    expect(commit(tracker, 2, [A, B], [A])).toEqual([])
    expect(tracker.missedCount(A)).toBe(1)
  })

  it('forgets on request (after a jail)', () => {
    const tracker = new DowntimeTracker(10, 1)
    expect(commit(tracker, 0, [A], [A])).toEqual([toHex(A)])
    tracker.forget(A)
    expect(tracker.missedCount(A)).toBe(0)
    expect(commit(tracker, 1, [A])).toEqual([])
  })

  it('holds ⌈N/8⌉ bytes per validator of the current set, however long it runs', () => {
    const window = 1000
    const tracker = new DowntimeTracker(window, 500)
    const setSize = 5
    for (let h = 0; h < 3000; h++) {
      // The set rotates through every test key, a different five each height.
      const members = Array.from({ length: setSize }, (_, i) => KEYS[(h + i * 7) % KEYS.length]!.address)
      commit(tracker, h, members, h % 3 === 0 ? [members[0]!] : [])
      expect(tracker.trackedCount).toBe(setSize)
    }
    expect(tracker.memoryBytes).toBe(setSize * Math.ceil(window / 8))
  })

  it('agrees with a plain list of the last N commits per validator (random sets and misses)', () => {
    const window = 7
    const missedMax = 3
    const pool = KEYS.slice(0, 6).map((k) => k.address)
    const heightArb = fc.array(fc.constantFrom<'out' | 'signed' | 'missed'>('out', 'signed', 'missed'), {
      minLength: pool.length,
      maxLength: pool.length,
    })
    fc.assert(
      fc.property(fc.array(heightArb, { maxLength: 40 }), (heights) => {
        const tracker = new DowntimeTracker(window, missedMax)
        // The model: per validator present now, its misses at the heights since it (re)joined.
        const history = new Map<string, boolean[]>()
        heights.forEach((states, height) => {
          const participants: CommitParticipation[] = []
          states.forEach((state, i) => {
            const key = toHex(pool[i]!)
            if (state === 'out') {
              history.delete(key)
              return
            }
            const misses = history.get(key) ?? []
            misses.push(state === 'missed')
            history.set(key, misses)
            participants.push({ address: pool[i]!, signed: state === 'signed' })
          })
          const expected = [...history.entries()]
            .filter(([, misses]) => misses.slice(-window).filter(Boolean).length >= missedMax)
            .map(([key]) => key)
            .sort()
          expect(tracker.recordCommit(height, participants).map(toHex).sort()).toEqual(expected)
        })
      }),
      { numRuns: 300 },
    )
  })

  it('refuses a bad window, a height out of sequence, and a validator listed twice', () => {
    expect(code(() => new DowntimeTracker(0, 1))).toBe('BAD_WINDOW')
    expect(code(() => new DowntimeTracker(10, 0))).toBe('BAD_WINDOW')
    expect(code(() => new DowntimeTracker(10, 11))).toBe('BAD_WINDOW')
    const tracker = new DowntimeTracker(10, 2)
    commit(tracker, 5, [A])
    expect(code(() => commit(tracker, 7, [A]))).toBe('BAD_SEQUENCE')
    expect(code(() => commit(tracker, 5, [A]))).toBe('BAD_SEQUENCE')
    expect(code(() => commit(tracker, -1, [A]))).toBe('BAD_HEIGHT')
    expect(code(() => commit(tracker, 6, [B, A, B], [A]))).toBe('DUPLICATE_VALIDATOR')
    // The refused commit recorded nothing: height 6 is still the next one, and A has no miss.
    expect(tracker.missedCount(A)).toBe(0)
    expect(commit(tracker, 6, [A])).toEqual([])
  })
})
