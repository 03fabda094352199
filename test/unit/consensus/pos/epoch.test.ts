/**
 * Epochs: the arithmetic of heights and epochs, choosing a set from the stake
 * table (top N by stake, minimum, jailed out, ties by address, power scaled
 * under the cap) and the set of each height, with the previous set going on
 * when nobody qualifies.
 */
import { describe, expect, it } from 'vitest'
import {
  chooseValidators,
  epochOf,
  firstHeightOf,
  isEpochStart,
  powerDivisor,
  type StakeCandidate,
  selectionHeightOf,
  type ValidatorSelectionRules,
  validatorSetForHeight,
} from '../../../../src/consensus/pos/epoch.js'
import { EpochError } from '../../../../src/consensus/pos/errors.js'
import { TOTAL_VOTING_POWER_MAX, ValidatorSet } from '../../../../src/consensus/pos/validator-set.js'
import { compareBytes, toHex } from '../../../../src/util/bytes.js'
import { KEYS, validators } from './validator-fixtures.js'

const RULES: ValidatorSelectionRules = { validatorsMax: 3, stakeMin: 100n, powerReduction: 10n }

function candidate(i: number, stake: bigint, jailed = false): StakeCandidate {
  const key = KEYS[i]!
  return { address: key.address, publicKey: key.publicKey, stake, jailed }
}

function chosenKeys(candidates: readonly StakeCandidate[], rules = RULES): number[] {
  const hexes = chooseValidators(candidates, rules).map((v) => toHex(v.address))
  return hexes.map((hex) => KEYS.findIndex((k) => toHex(k.address) === hex)).sort((a, b) => a - b)
}

function code(run: () => unknown): string {
  try {
    run()
  } catch (err) {
    if (err instanceof EpochError) return err.code
    throw err
  }
  throw new Error('expected an EpochError')
}

describe('epoch arithmetic', () => {
  it('puts heights [e·L, (e+1)·L) in epoch e, genesis in epoch 0', () => {
    expect(epochOf(0, 10)).toBe(0)
    expect(epochOf(9, 10)).toBe(0)
    expect(epochOf(10, 10)).toBe(1)
    expect(epochOf(25, 10)).toBe(2)
    expect(epochOf(7, 1)).toBe(7)
    expect(firstHeightOf(0, 10)).toBe(0)
    expect(firstHeightOf(3, 10)).toBe(30)
  })

  it('starts a new set at each epoch boundary after genesis, and at no other height', () => {
    expect(isEpochStart(0, 10)).toBe(false)
    expect(isEpochStart(10, 10)).toBe(true)
    expect(isEpochStart(11, 10)).toBe(false)
    expect(isEpochStart(30, 10)).toBe(true)
  })

  it('chooses the set of epoch e from the state after the last height of epoch e − 1', () => {
    expect(selectionHeightOf(1, 10)).toBe(9)
    expect(selectionHeightOf(4, 10)).toBe(39)
    expect(code(() => selectionHeightOf(0, 10))).toBe('BAD_EPOCH')
  })

  it('refuses lengths, heights and epochs outside their domain', () => {
    expect(code(() => epochOf(5, 0))).toBe('BAD_EPOCH_LENGTH')
    expect(code(() => epochOf(5, 2.5))).toBe('BAD_EPOCH_LENGTH')
    expect(code(() => epochOf(-1, 10))).toBe('BAD_HEIGHT')
    expect(code(() => epochOf(1.5, 10))).toBe('BAD_HEIGHT')
    expect(code(() => firstHeightOf(-1, 10))).toBe('BAD_EPOCH')
    expect(code(() => firstHeightOf(Number.MAX_SAFE_INTEGER, 10))).toBe('BAD_EPOCH')
  })
})

describe('chooseValidators', () => {
  it('takes the top N by stake', () => {
    const table = [candidate(0, 500n), candidate(1, 900n), candidate(2, 100n), candidate(3, 700n), candidate(4, 300n)]
    expect(chosenKeys(table)).toEqual([0, 1, 3])
  })

  it('breaks a tie of stake at the cut by the lower address', () => {
    const byAddress = KEYS.map((_, i) => i).sort((a, b) => compareBytes(KEYS[a]!.address, KEYS[b]!.address))
    const [low, mid, high] = [byAddress[0]!, byAddress[1]!, byAddress[2]!]
    const table = [candidate(high, 200n), candidate(9, 900n), candidate(low, 200n), candidate(mid, 200n)]
    expect(chosenKeys(table)).toEqual([9, low, mid].sort((a, b) => a - b))
  })

  it('requires the minimum stake, inclusive', () => {
    const table = [candidate(0, 100n), candidate(1, 99n), candidate(2, 1000n)]
    expect(chosenKeys(table)).toEqual([0, 2])
  })

  it('leaves jailed candidates out, even the largest, and fills their place', () => {
    const table = [candidate(0, 10_000n, true), candidate(1, 500n), candidate(2, 400n), candidate(3, 300n)]
    expect(chosenKeys(table)).toEqual([1, 2, 3])
  })

  it('is empty when nobody qualifies', () => {
    expect(chooseValidators([], RULES)).toEqual([])
    expect(chooseValidators([candidate(0, 99n), candidate(1, 5000n, true)], RULES)).toEqual([])
  })

  it('gives power = stake / powerReduction, rounding down', () => {
    const chosen = chooseValidators([candidate(0, 105n), candidate(1, 2000n)], RULES)
    expect(chosen.map((v) => v.power).sort()).toEqual([10n, 200n])
  })

  it('leaves out a candidate whose power rounds to zero', () => {
    const rules = { ...RULES, stakeMin: 1n }
    expect(chosenKeys([candidate(0, 9n), candidate(1, 10n)], rules)).toEqual([1])
  })

  it('scales huge stakes down under the total power cap, keeping their proportions', () => {
    const huge = (1n << 64n) - 1n
    const table = [candidate(0, huge), candidate(1, huge), candidate(2, huge / 2n)]
    const rules = { validatorsMax: 10, stakeMin: 1n, powerReduction: 1n }
    const chosen = chooseValidators(table, rules)
    const total = chosen.reduce((sum, v) => sum + v.power, 0n)
    expect(total <= TOTAL_VOTING_POWER_MAX).toBe(true)
    expect(total > TOTAL_VOTING_POWER_MAX / 2n).toBe(true)
    const [a, , c] = chosen.map((v) => v.power)
    expect(a! - 2n * c! <= 2n && a! - 2n * c! >= -2n).toBe(true)
    expect(ValidatorSet.create(chosen).totalPower).toBe(total)
  })

  it('doubles the divisor only as often as the cap needs', () => {
    expect(powerDivisor([1000n], 10n)).toBe(10n)
    expect(powerDivisor([TOTAL_VOTING_POWER_MAX * 2n], 1n)).toBe(2n)
    expect(powerDivisor([TOTAL_VOTING_POWER_MAX * 2n + 2n], 1n)).toBe(4n)
  })

  it('refuses bad rules and a stake table that lists an address twice', () => {
    expect(code(() => chooseValidators([], { ...RULES, validatorsMax: 0 }))).toBe('BAD_RULES')
    expect(code(() => chooseValidators([], { ...RULES, powerReduction: 0n }))).toBe('BAD_RULES')
    expect(code(() => chooseValidators([], { ...RULES, stakeMin: -1n }))).toBe('BAD_RULES')
    expect(code(() => chooseValidators([candidate(0, 100n), candidate(0, 200n)], RULES))).toBe('BAD_CANDIDATE')
    expect(code(() => chooseValidators([candidate(0, -1n)], RULES))).toBe('BAD_CANDIDATE')
  })
})

describe('validatorSetForHeight', () => {
  const genesis = ValidatorSet.create(validators([50n, 30n, 20n]))
  const table = [candidate(0, 500n), candidate(1, 300n), candidate(5, 900n)]

  it('steps the previous set within an epoch, whatever the stake table says', () => {
    const set = validatorSetForHeight(3, genesis, table, 10, RULES)
    expect(set.hash()).toEqual(genesis.hash())
    expect(set.validators.map((_, i) => set.priority(i))).toEqual(
      genesis.next().validators.map((_, i) => genesis.next().priority(i)),
    )
  })

  it('changes to the chosen validators at an epoch start, keeping the priorities of those who stay', () => {
    const previous = genesis.next().next()
    const set = validatorSetForHeight(10, previous, table, 10, RULES)
    expect(set.size).toBe(3)
    expect(set.indexOf(KEYS[2]!.address)).toBe(-1)
    expect(set.indexOf(KEYS[5]!.address)).toBeGreaterThanOrEqual(0)
    expect(set.hash()).toEqual(ValidatorSet.create(chooseValidators(table, RULES)).hash())
    const stepped = previous.next()
    const at = (s: ValidatorSet, i: number) => s.priority(s.indexOf(KEYS[i]!.address))
    expect(at(set, 0) - at(set, 1)).toBe(at(stepped, 0) - at(stepped, 1))
  })

  it('keeps the previous set when nobody qualifies at an epoch start', () => {
    const previous = genesis.next()
    const set = validatorSetForHeight(20, previous, [candidate(0, 10n), candidate(1, 5000n, true)], 10, RULES)
    expect(set.hash()).toEqual(genesis.hash())
    expect(set.proposer(0)).toBe(previous.next().proposer(0))
    expect(set.proposer(0)).toBe(previous.proposer(1))
  })

  it('refuses height 0, which the genesis set signs', () => {
    expect(code(() => validatorSetForHeight(0, genesis, table, 10, RULES))).toBe('BAD_HEIGHT')
  })
})
