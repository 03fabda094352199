import { describe, expect, it } from 'vitest'
import { verifyEvidence } from '../../../../src/consensus/bft/evidence.js'
import { CONFLICTING_MAX, HeightVoteSet } from '../../../../src/consensus/bft/vote-set.js'
import { addressOf, expectVerifyError, hex, testKey } from '../../ledger/fixtures.js'
import { blockHash, CHAIN_ID, RoundRobinSet, voteBy } from './helpers.js'

const A = blockHash('A')
const B = blockHash('B')

function voteSet(powers: bigint[] = [1n, 1n, 1n, 1n], window = 3): HeightVoteSet {
  return new HeightVoteSet(CHAIN_ID, 1n, new RoundRobinSet(powers), window)
}

describe('HeightVoteSet tallies', () => {
  it('finds the block with ⅔+ of the power, and nothing short of it', () => {
    const votes = voteSet()
    votes.add(voteBy(0))
    votes.add(voteBy(1))
    expect(votes.quorumValue(0, 'prevote')).toBeUndefined()
    expect(votes.hasQuorumAny(0, 'prevote')).toBe(false)
    votes.add(voteBy(2))
    expect(hex(votes.quorumValue(0, 'prevote')?.blockHash as Uint8Array)).toBe(hex(A))
    expect(votes.quorumValue(0, 'precommit')).toBeUndefined()
    expect(votes.quorumValue(1, 'prevote')).toBeUndefined()
    expect(votes.powerFor(0, 'prevote', A)).toBe(3n)
  })

  it('counts power, not heads', () => {
    // total 8: a quorum needs 6
    const votes = voteSet([5n, 1n, 1n, 1n])
    for (const i of [1, 2, 3]) votes.add(voteBy(i, { type: 'precommit' }))
    expect(votes.quorumValue(0, 'precommit')).toBeUndefined()
    votes.add(voteBy(0, { type: 'precommit' }))
    expect(votes.quorumValue(0, 'precommit')?.blockHash).toEqual(A)
    const two = voteSet([5n, 1n, 1n, 1n])
    two.add(voteBy(0))
    two.add(voteBy(1))
    expect(two.quorumValue(0, 'prevote')?.blockHash).toEqual(A)
  })

  it('knows a nil quorum, and ⅔+ of any kind without a value', () => {
    const nil = voteSet()
    for (const i of [0, 1, 2]) nil.add(voteBy(i, { blockHash: null }))
    expect(nil.quorumValue(0, 'prevote')).toEqual({ blockHash: null })
    const mixed = voteSet()
    mixed.add(voteBy(0, { blockHash: A }))
    mixed.add(voteBy(1, { blockHash: B }))
    mixed.add(voteBy(2, { blockHash: null }))
    expect(mixed.hasQuorumAny(0, 'prevote')).toBe(true)
    expect(mixed.quorumValue(0, 'prevote')).toBeUndefined()
  })

  it('counts a repeated vote once', () => {
    const votes = voteSet()
    const vote = voteBy(0)
    expect(votes.add(vote).kind).toBe('added')
    expect(votes.add(vote).kind).toBe('duplicate')
    expect(votes.add({ ...vote }).kind).toBe('duplicate')
    votes.add(voteBy(1))
    expect(votes.powerFor(0, 'prevote', A)).toBe(2n)
    expect(votes.quorumValue(0, 'prevote')).toBeUndefined()
  })

  it('the votes for one value, for a commit', () => {
    const votes = voteSet()
    for (const i of [0, 1, 3]) votes.add(voteBy(i, { type: 'precommit' }))
    votes.add(voteBy(2, { type: 'precommit', blockHash: null }))
    expect(votes.votesFor(0, 'precommit', A).map((v) => hex(v.validator))).toEqual(
      [0, 1, 3].map((i) => hex(addressOf(i))),
    )
  })
})

describe('HeightVoteSet refuses', () => {
  it('a validator outside the set', () => {
    expectVerifyError(() => voteSet().add(voteBy(7)), 'VOTE_UNKNOWN_VALIDATOR', 'reject')
  })

  it('a bad signature, another chain’s vote, a vote signed by another key', () => {
    const votes = voteSet()
    const vote = voteBy(0)
    expectVerifyError(() => votes.add({ ...vote, round: 1 }), 'VOTE_BAD_SIGNATURE', 'reject')
    expectVerifyError(() => votes.add(voteBy(0, {}, 'other-chain')), 'VOTE_BAD_SIGNATURE', 'reject')
    expectVerifyError(() => votes.add({ ...voteBy(1), validator: addressOf(0) }), 'VOTE_BAD_SIGNATURE', 'reject')
    expect(votes.powerFor(0, 'prevote', A)).toBe(0n)
  })

  it('a copy of a counted vote whose signature was altered', () => {
    const votes = voteSet()
    const vote = voteBy(0)
    votes.add(vote)
    const signature = new Uint8Array(vote.signature)
    signature[0] = (signature[0] ?? 0) ^ 1
    expectVerifyError(() => votes.add({ ...vote, signature }), 'VOTE_BAD_SIGNATURE', 'reject')
  })

  it('another height, and a malformed vote', () => {
    expectVerifyError(() => voteSet().add(voteBy(0, { height: 2n })), 'VOTE_WRONG_HEIGHT', 'ignore')
    expectVerifyError(() => voteSet().add({ ...voteBy(0), blockHash: new Uint8Array(5) }), 'VOTE_BAD_FIELD', 'reject')
  })

  it('rounds past the window, so a flood of future-round votes cannot grow memory', () => {
    const votes = voteSet([1n, 1n, 1n, 1n], 3)
    let refused = 0
    for (let round = 0; round < 500; round++) {
      try {
        votes.add(voteBy(0, { round, blockHash: null }))
        votes.add(voteBy(0, { round, type: 'precommit', blockHash: null }))
      } catch (err) {
        expect((err as { code: string }).code).toBe('VOTE_ROUND_TOO_FAR')
        refused++
      }
    }
    expect(refused).toBe(500 - 4)
    expect(votes.roundsHeld).toBe(4)
    votes.setRound(10)
    expect(votes.add(voteBy(0, { round: 13, blockHash: null })).kind).toBe('added')
    expectVerifyError(() => votes.add(voteBy(0, { round: 14, blockHash: null })), 'VOTE_ROUND_TOO_FAR', 'ignore')
  })
})

describe('HeightVoteSet equivocation', () => {
  it('returns evidence for a second, different vote, and counts it toward its own hash only', () => {
    const set = new RoundRobinSet([1n, 1n, 1n, 1n])
    const votes = new HeightVoteSet(CHAIN_ID, 1n, set)
    votes.add(voteBy(0, { blockHash: A }))
    const result = votes.add(voteBy(0, { blockHash: B }))
    expect(result.kind).toBe('equivocation')
    if (result.kind !== 'equivocation') return
    expect(result.counted).toBe(true)
    expect(verifyEvidence(result.evidence, set, CHAIN_ID)).toBe(0)
    expect(votes.powerFor(0, 'prevote', B)).toBe(1n)
    expect(votes.powerFor(0, 'prevote', A)).toBe(1n)
    // once toward "⅔+ voted for anything": one validator is still one voter
    expect(votes.hasQuorumAny(0, 'prevote')).toBe(false)
    expect(votes.add(voteBy(0, { blockHash: B })).kind).toBe('duplicate')
  })

  it('an equivocator cannot split a polka: whichever of its votes came first, everyone sees ⅔+ for the block', () => {
    for (const order of [
      [A, B],
      [B, A],
    ]) {
      const votes = voteSet()
      for (const hash of order) votes.add(voteBy(0, { blockHash: hash }))
      votes.add(voteBy(1, { blockHash: A }))
      votes.add(voteBy(2, { blockHash: A }))
      expect(votes.quorumValue(0, 'prevote')?.blockHash).toEqual(A)
      expect(votes.votesFor(0, 'prevote', A)).toHaveLength(3)
    }
  })

  it(`counts at most ${CONFLICTING_MAX} conflicting votes of one validator in a round and type`, () => {
    const votes = voteSet()
    votes.add(voteBy(0, { blockHash: A }))
    const counted = ['B', 'C', 'D', 'E', 'F'].map(
      (label) => votes.add(voteBy(0, { blockHash: blockHash(label) })) as { counted?: boolean },
    )
    expect(counted.map((r) => r.counted)).toEqual([true, true, true, false, false])
    expect(votes.powerFor(0, 'prevote', blockHash('E'))).toBe(0n)
  })

  it('a nil vote and a block vote conflict too; votes of two types or two rounds do not', () => {
    const votes = voteSet()
    votes.add(voteBy(1, { blockHash: A }))
    expect(votes.add(voteBy(1, { blockHash: null })).kind).toBe('equivocation')
    expect(votes.add(voteBy(1, { type: 'precommit', blockHash: B })).kind).toBe('added')
    expect(votes.add(voteBy(1, { round: 1, blockHash: B })).kind).toBe('added')
  })

  it('a forged conflicting vote is refused, not turned into evidence', () => {
    const votes = voteSet()
    votes.add(voteBy(0, { blockHash: A }))
    const forged = { ...voteBy(1, { blockHash: B }), validator: addressOf(0) }
    expectVerifyError(() => votes.add(forged), 'VOTE_BAD_SIGNATURE', 'reject')
    expect(testKey(0).publicKey).not.toEqual(testKey(1).publicKey)
  })
})

describe('HeightVoteSet round skip (+⅓ in a higher round)', () => {
  it('names the highest round above the current one where more than ⅓ of the power voted', () => {
    const votes = voteSet()
    votes.add(voteBy(0, { round: 2, blockHash: null }))
    // one validator, with both vote types: still only ¼ of the power
    votes.add(voteBy(0, { round: 2, type: 'precommit', blockHash: null }))
    expect(votes.skipRound()).toBeUndefined()
    votes.add(voteBy(1, { round: 2, blockHash: null }))
    expect(votes.skipRound()).toBe(2)
    votes.add(voteBy(2, { round: 3 }))
    votes.add(voteBy(3, { round: 3, type: 'precommit' }))
    expect(votes.skipRound()).toBe(3)
    votes.setRound(3)
    expect(votes.skipRound()).toBeUndefined()
  })

  it('weighs by power: one heavy validator is enough', () => {
    const votes = voteSet([2n, 1n, 1n, 1n])
    votes.add(voteBy(0, { round: 1 }))
    expect(votes.skipRound()).toBe(1)
  })
})
