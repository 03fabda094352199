/**
 * The validator set: strict construction, canonical order, the set hash, and
 * Tendermint's proposer rotation (proportional, round robin on equal power,
 * newcomers at −1.125·total, priorities kept in their window).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Validator } from '../../../../src/consensus/bft/validators.js'
import { ValidatorSetError } from '../../../../src/consensus/pos/errors.js'
import { TOTAL_VOTING_POWER_MAX, ValidatorSet } from '../../../../src/consensus/pos/validator-set.js'
import { sha256 } from '../../../../src/ledger/crypto.js'
import { compareBytes, toHex, u64be } from '../../../../src/util/bytes.js'
import { KEY_COUNT, KEYS, validator, validators } from './validator-fixtures.js'

function refusal(build: () => unknown): string {
  try {
    build()
  } catch (err) {
    if (err instanceof ValidatorSetError) return err.code
    throw err
  }
  throw new Error('expected a ValidatorSetError')
}

/** How often each validator proposes over `steps` heights, walking next(). */
function proposalCounts(set: ValidatorSet, steps: number): number[] {
  const counts = new Array<number>(set.size).fill(0)
  let at = set
  for (let i = 0; i < steps; i++) {
    counts[at.proposer(0)]! += 1
    at = at.next()
  }
  return counts
}

function priorities(set: ValidatorSet): bigint[] {
  return set.validators.map((_, i) => set.priority(i))
}

function abs(x: bigint): bigint {
  return x < 0n ? -x : x
}

/** Every priority of `set` is within ±(3·total + 2): the window's bound after a step. */
function expectBounded(set: ValidatorSet): void {
  const bound = 3n * set.totalPower + 2n
  for (const p of priorities(set)) expect(abs(p) <= bound, `|${p}| ≤ ${bound}`).toBe(true)
}

const powersArb = fc.array(fc.bigInt({ min: 1n, max: 40n }), { minLength: 1, maxLength: 8 })

describe('ValidatorSet construction', () => {
  it('orders validators by power descending, then address ascending', () => {
    const set = ValidatorSet.create(validators([5n, 9n, 5n, 5n, 1n]))
    const order = set.validators
    for (let i = 1; i < order.length; i++) {
      const a = order[i - 1]!
      const b = order[i]!
      expect(a.power > b.power || (a.power === b.power && compareBytes(a.address, b.address) < 0)).toBe(true)
    }
    expect(order[0]!.power).toBe(9n)
    expect(set.size).toBe(5)
    expect(set.totalPower).toBe(25n)
  })

  it('finds validators by address and answers −1 for strangers', () => {
    const set = ValidatorSet.create(validators([3n, 2n, 1n]))
    for (let i = 0; i < set.size; i++) expect(set.indexOf(set.validator(i).address)).toBe(i)
    expect(set.indexOf(KEYS[10]!.address)).toBe(-1)
    expect(set.indexOf(new Uint8Array(3))).toBe(-1)
  })

  it('refuses an empty set', () => {
    expect(refusal(() => ValidatorSet.create([]))).toBe('EMPTY')
  })

  it('refuses zero and negative power', () => {
    expect(refusal(() => ValidatorSet.create(validators([1n, 0n])))).toBe('BAD_POWER')
    expect(refusal(() => ValidatorSet.create(validators([-5n])))).toBe('BAD_POWER')
  })

  it('refuses a total power above the cap, and accepts it at the cap', () => {
    expect(ValidatorSet.create(validators([TOTAL_VOTING_POWER_MAX - 1n, 1n])).totalPower).toBe(TOTAL_VOTING_POWER_MAX)
    expect(refusal(() => ValidatorSet.create(validators([TOTAL_VOTING_POWER_MAX, 1n])))).toBe('TOTAL_POWER_TOO_HIGH')
  })

  it('refuses a duplicate address', () => {
    expect(refusal(() => ValidatorSet.create([validator(0, 1n), validator(1, 1n), validator(0, 7n)]))).toBe(
      'DUPLICATE_ADDRESS',
    )
  })

  it('refuses a public key that is not 32 bytes', () => {
    const v = validator(0, 1n)
    expect(refusal(() => ValidatorSet.create([{ ...v, publicKey: v.publicKey.subarray(0, 31) }]))).toBe(
      'BAD_PUBLIC_KEY',
    )
    expect(refusal(() => ValidatorSet.create([{ ...v, publicKey: new Uint8Array(33) }]))).toBe('BAD_PUBLIC_KEY')
  })

  it('refuses an address that is not the address of the public key', () => {
    const v = validator(0, 1n)
    expect(refusal(() => ValidatorSet.create([{ ...v, address: KEYS[1]!.address }]))).toBe('BAD_ADDRESS')
    expect(refusal(() => ValidatorSet.create([{ ...v, address: new Uint8Array(20) }]))).toBe('BAD_ADDRESS')
  })

  it('keeps its own copy of the keys it was given', () => {
    const v = validator(0, 1n)
    const given: Validator = { address: new Uint8Array(v.address), publicKey: new Uint8Array(v.publicKey), power: 1n }
    const set = ValidatorSet.create([given])
    const hash = set.hash()
    given.address.fill(0)
    given.publicKey.fill(0)
    expect(set.indexOf(v.address)).toBe(0)
    expect(set.hash()).toEqual(hash)
    expect(Object.isFrozen(set.validators)).toBe(true)
    expect(Object.isFrozen(set.validator(0))).toBe(true)
  })

  it('refuses an index or a round outside its domain', () => {
    const set = ValidatorSet.create(validators([1n, 1n]))
    expect(refusal(() => set.validator(2))).toBe('BAD_INDEX')
    expect(refusal(() => set.priority(-1))).toBe('BAD_INDEX')
    expect(refusal(() => set.proposer(-1))).toBe('BAD_ROUND')
    expect(refusal(() => set.proposer(0.5))).toBe('BAD_ROUND')
    expect(refusal(() => set.proposer(Number.NaN))).toBe('BAD_ROUND')
  })
})

describe('ValidatorSet.hash', () => {
  it('is SHA-256 of the tag, the count and address ‖ key ‖ power in canonical order', () => {
    const set = ValidatorSet.create(validators([1n, 4n]))
    const [a, b] = set.validators as [Validator, Validator]
    const expected = sha256(
      new TextEncoder().encode('peerchain/validator-set/v1'),
      new Uint8Array([0, 0, 0, 2]),
      a.address,
      a.publicKey,
      u64be(a.power),
      b.address,
      b.publicKey,
      u64be(b.power),
    )
    expect(set.hash()).toEqual(expected)
  })

  it('does not depend on the order the validators were given in, nor on the priorities', () => {
    const given = validators([3n, 1n, 2n, 2n])
    const set = ValidatorSet.create(given)
    expect(ValidatorSet.create([...given].reverse()).hash()).toEqual(set.hash())
    expect(set.next().next().hash()).toEqual(set.hash())
  })

  it('changes with a power, a member, or a key', () => {
    const set = ValidatorSet.create(validators([3n, 1n]))
    const hashes = [
      set.hash(),
      ValidatorSet.create(validators([3n, 2n])).hash(),
      ValidatorSet.create(validators([3n, 1n, 1n])).hash(),
      ValidatorSet.create([validator(0, 3n), validator(5, 1n)]).hash(),
    ]
    expect(new Set(hashes.map(toHex)).size).toBe(4)
  })
})

describe('proposer rotation', () => {
  it('is round robin in address order when powers are equal', () => {
    const n = 7
    const set = ValidatorSet.create(validators(new Array<bigint>(n).fill(10n)))
    const byAddress = set.validators
      .map((_, i) => i)
      .sort((a, b) => compareBytes(set.validator(a).address, set.validator(b).address))
    const expected = [...byAddress, ...byAddress, ...byAddress]
    expect(Array.from({ length: 3 * n }, (_, r) => set.proposer(r))).toEqual(expected)
    let at = set
    const viaNext: number[] = []
    for (let h = 0; h < 3 * n; h++) {
      viaNext.push(at.proposer(0))
      at = at.next()
    }
    expect(viaNext).toEqual(expected)
  })

  it('breaks a tie of priorities by the lower address, not by position', () => {
    // Powers 3, 2, 1: after two steps the first and the last are tied at 3. Keys are chosen so the
    // last (lowest power, last position) has the lowest address: it must win the tie.
    const byAddress = KEYS.map((_, i) => i).sort((a, b) => compareBytes(KEYS[a]!.address, KEYS[b]!.address))
    const [lowest, middle, highest] = [byAddress[0]!, byAddress[1]!, byAddress[2]!]
    const set = ValidatorSet.create([validator(highest, 3n), validator(middle, 2n), validator(lowest, 1n)])
    expect(set.proposer(0)).toBe(0)
    expect(set.proposer(1)).toBe(1)
    expect(set.proposer(2)).toBe(2)
  })

  it('gives proposer(r) the same answer as r heights on: next()^r .proposer(0)', () => {
    fc.assert(
      fc.property(powersArb, fc.nat({ max: 30 }), (powers, round) => {
        const set = ValidatorSet.create(validators(powers))
        let later = set
        for (let i = 0; i < round; i++) later = later.next()
        expect(set.proposer(round)).toBe(later.proposer(0))
      }),
      { numRuns: 100 },
    )
  })

  it('over totalPower·k heights gives each validator power·k turns, within 1', () => {
    fc.assert(
      fc.property(powersArb, fc.integer({ min: 1, max: 3 }), (powers, k) => {
        const set = ValidatorSet.create(validators(powers))
        const counts = proposalCounts(set, Number(set.totalPower) * k)
        counts.forEach((count, i) => {
          expect(Math.abs(count - Number(set.validator(i).power) * k)).toBeLessThanOrEqual(1)
        })
      }),
      { numRuns: 150 },
    )
  })

  it('stays proportional from any state the set can reach by set changes, within 2', () => {
    // From a state with priorities ±1.125·total apart the drift is worth up to two turns.
    fc.assert(
      fc.property(
        powersArb,
        fc.array(fc.tuple(fc.nat({ max: 20 }), fc.array(fc.bigInt({ min: 0n, max: 40n }), { maxLength: 10 }))),
        fc.integer({ min: 1, max: 3 }),
        (powers, changes, k) => {
          let set = ValidatorSet.create(validators(powers))
          for (const [heights, next] of changes) {
            for (let h = 0; h < heights; h++) set = set.next()
            const members = next.flatMap((power, i) => (power > 0n ? [validator(i, power)] : []))
            if (members.length > 0) set = set.withChanges(members)
          }
          const counts = proposalCounts(set, Number(set.totalPower) * k)
          counts.forEach((count, i) => {
            expect(Math.abs(count - Number(set.validator(i).power) * k)).toBeLessThanOrEqual(2)
          })
        },
      ),
      { numRuns: 100 },
    )
  })

  it('does not mutate the set when asked for a round', () => {
    const fresh = () =>
      ValidatorSet.create(validators([5n, 3n, 2n, 1n]))
        .next()
        .next()
    const set = fresh()
    const before = priorities(set)
    const late = set.proposer(57)
    expect(priorities(set)).toEqual(before)
    expect(set.proposer(3)).toBe(fresh().proposer(3))
    expect(set.proposer(57)).toBe(late)
    expect(priorities(set.next())).toEqual(priorities(fresh().next()))
    expect(set.next().proposer(0)).toBe(fresh().proposer(1))
  })
})

describe('withChanges', () => {
  it('keeps the priorities of validators that stay, relative to each other', () => {
    let set = ValidatorSet.create(validators([5n, 3n, 2n]))
    for (let h = 0; h < 4; h++) set = set.next()
    const changed = set.withChanges([validator(0, 5n), validator(1, 3n), validator(2, 2n), validator(3, 4n)])
    const priorityBefore = (i: number) => set.priority(set.indexOf(KEYS[i]!.address))
    const priorityAfter = (i: number) => changed.priority(changed.indexOf(KEYS[i]!.address))
    expect(priorityAfter(0) - priorityAfter(1)).toBe(priorityBefore(0) - priorityBefore(1))
    expect(priorityAfter(1) - priorityAfter(2)).toBe(priorityBefore(1) - priorityBefore(2))
    // The newcomer starts 1.125 × the new total (14) below zero, before the set is re-centred.
    expect(priorityAfter(3) - priorityAfter(0)).toBe(-(14n + 14n / 8n) - priorityBefore(0))
  })

  it('drops validators that leave', () => {
    const set = ValidatorSet.create(validators([5n, 3n, 2n])).next()
    const changed = set.withChanges([validator(0, 5n), validator(2, 2n)])
    expect(changed.size).toBe(2)
    expect(changed.totalPower).toBe(7n)
    expect(changed.indexOf(KEYS[1]!.address)).toBe(-1)
  })

  it('is as strict as create', () => {
    const set = ValidatorSet.create(validators([1n]))
    expect(refusal(() => set.withChanges([]))).toBe('EMPTY')
    expect(refusal(() => set.withChanges([validator(0, 1n), validator(0, 2n)]))).toBe('DUPLICATE_ADDRESS')
  })

  it('does not let a newcomer propose at once, however large its power', () => {
    const set = ValidatorSet.create(validators([1n, 1n, 1n])).next()
    const whale = validator(3, 1_000_000n)
    const changed = set.withChanges([...validators([1n, 1n, 1n]), whale])
    expect(changed.proposer(0)).not.toBe(changed.indexOf(whale.address))
    // It does take its turns from the next round on.
    expect(changed.proposer(1)).toBe(changed.indexOf(whale.address))
  })

  it('never lets a newcomer propose at once when nobody leaves (random sets and histories)', () => {
    fc.assert(
      fc.property(
        powersArb,
        fc.nat({ max: 50 }),
        fc.bigInt({ min: 1n, max: 10_000n }),
        fc.array(fc.bigInt({ min: 1n, max: 40n }), { maxLength: 8 }),
        (powers, heights, newcomerPower, newPowers) => {
          let set = ValidatorSet.create(validators(powers))
          for (let h = 0; h < heights; h++) set = set.next()
          const stayers = powers.map((p, i) => validator(i, newPowers[i] ?? p))
          const newcomer = validator(KEY_COUNT - 1, newcomerPower)
          const changed = set.withChanges([...stayers, newcomer])
          expect(changed.proposer(0)).not.toBe(changed.indexOf(newcomer.address))
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('the priority window', () => {
  it('keeps priorities within ±3·total over long runs with extreme power ratios', () => {
    const whale = TOTAL_VOTING_POWER_MAX - 10n
    let set = ValidatorSet.create([validator(0, whale), validator(1, 1n), validator(2, 3n)])
    for (let h = 0; h < 5_000; h++) {
      set = set.next()
      expectBounded(set)
    }
    // Power swings by eighteen orders of magnitude, with joins and leaves, height after height.
    for (let h = 0; h < 2_000; h++) {
      const members =
        h % 2 === 0
          ? [validator(1, 1n), validator(2, 3n), validator(3 + (h % 5), 2n)]
          : [validator(0, whale), validator(1, 1n), validator(3 + ((h + 1) % 5), 7n)]
      set = set.withChanges(members)
      expectBounded(set)
      set = set.next()
      expectBounded(set)
    }
  })

  it('keeps priorities centred under endless churn of newcomers', () => {
    // Every newcomer brings −1.125·total into the sum; without re-centring the set would drift down for ever.
    let set = ValidatorSet.create(validators([10n, 10n]))
    for (let h = 0; h < 3_000; h++) {
      set = set.next().withChanges([validator(0, 10n), validator(1, 10n), validator(2 + (h % 2), 10n)])
      expectBounded(set)
      let sum = 0n
      for (const p of priorities(set)) sum += p
      expect(sum >= 0n && sum < BigInt(set.size)).toBe(true)
    }
  })

  it('scales down a priority left far behind when the total shrinks, so it is not starved', () => {
    // A newcomer next to a whale starts ~1.125·10^15 below zero; when the whale leaves, the
    // total is 2 and without the window it would wait ~10^15 heights for a turn.
    const whale = validator(0, 1_000_000_000_000_000n)
    const small = validator(1, 1n)
    const newcomer = validator(2, 1n)
    let set = ValidatorSet.create([whale, small]).next()
    set = set.withChanges([whale, small, newcomer]).next()
    set = set.withChanges([small, newcomer])
    expectBounded(set)
    for (const count of proposalCounts(set, 4)) expect(count).toBeGreaterThan(0)
  })

  it('lets every validator propose within (6·total + 4) / power + 1 heights of any reachable state', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 10 }), fc.array(fc.bigInt({ min: 0n, max: 1000n }), { maxLength: 6 }))),
        (changes) => {
          let set = ValidatorSet.create(validators([1n, 1000n]))
          for (const [heights, next] of changes) {
            for (let h = 0; h < heights; h++) set = set.next()
            const members = next.flatMap((power, i) => (power > 0n ? [validator(i, power)] : []))
            if (members.length > 0) set = set.withChanges(members)
          }
          expectBounded(set)
          for (let i = 0; i < set.size; i++) {
            const bound = Number((6n * set.totalPower + 4n) / set.validator(i).power) + 1
            let round = 0
            while (set.proposer(round) !== i) round++
            expect(round).toBeLessThan(bound)
          }
        },
      ),
      { numRuns: 100 },
    )
  })
})
