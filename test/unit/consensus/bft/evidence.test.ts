import { describe, expect, it } from 'vitest'
import * as pb from '../../../../src/consensus/bft/bft.js'
import {
  type DuplicateVoteEvidence,
  decodeEvidence,
  duplicateVoteEvidence,
  encodeEvidence,
  verifyEvidence,
} from '../../../../src/consensus/bft/evidence.js'
import { BFT_LIMITS } from '../../../../src/consensus/bft/limits.js'
import { signVote, voteToWire } from '../../../../src/consensus/bft/vote.js'
import { addressOf, concat, expectVerifyError, hex, normalize } from '../../ledger/fixtures.js'
import { blockHash, CHAIN_ID, RoundRobinSet, signingKey, voteBy } from './helpers.js'

const A = blockHash('A')
const B = blockHash('B')
const set = RoundRobinSet.equal(4)

/** Validator 2's real double prevote in round 1. */
const doubleSign = (): DuplicateVoteEvidence =>
  duplicateVoteEvidence(voteBy(2, { round: 1, blockHash: B }), voteBy(2, { round: 1, blockHash: A }))

describe('DuplicateVoteEvidence', () => {
  it('convicts the validator that signed two votes for one height, round and type', () => {
    expect(verifyEvidence(doubleSign(), set, CHAIN_ID)).toBe(2)
    const nilAndBlock = duplicateVoteEvidence(
      voteBy(1, { type: 'precommit' }),
      voteBy(1, { type: 'precommit', blockHash: null }),
    )
    expect(verifyEvidence(nilAndBlock, set, CHAIN_ID)).toBe(1)
  })

  it('has one encoding whichever vote came first', () => {
    const a = voteBy(2, { blockHash: A })
    const b = voteBy(2, { blockHash: B })
    const one = encodeEvidence(duplicateVoteEvidence(a, b))
    const other = encodeEvidence(duplicateVoteEvidence(b, a))
    expect(hex(one)).toBe(hex(other))
    const back = decodeEvidence(one)
    expect(normalize(back)).toEqual(normalize(duplicateVoteEvidence(a, b)))
    expect(verifyEvidence(back, set, CHAIN_ID)).toBe(2)
  })

  it('decoding refuses the pair out of order, a missing vote, oversized and non-canonical bytes', () => {
    const ev = doubleSign()
    const swapped = pb.DuplicateVoteEvidence.encode({
      voteA: voteToWire(ev.voteB) as pb.Vote,
      voteB: voteToWire(ev.voteA) as pb.Vote,
    })
    expectVerifyError(() => decodeEvidence(swapped), 'DECODE_NON_CANONICAL', 'reject')
    const half = pb.DuplicateVoteEvidence.encode({ voteA: voteToWire(ev.voteA) as pb.Vote })
    expectVerifyError(() => decodeEvidence(half), 'DECODE_MALFORMED', 'reject')
    expectVerifyError(
      () => decodeEvidence(new Uint8Array(BFT_LIMITS.evidenceBytesMax + 1)),
      'DECODE_TOO_LARGE',
      'reject',
    )
    const extra = concat(encodeEvidence(ev), new Uint8Array([0x18, 0x01]))
    expectVerifyError(() => decodeEvidence(extra), 'DECODE_NON_CANONICAL', 'reject')
    const badVote = pb.DuplicateVoteEvidence.encode({
      voteA: { ...voteToWire(ev.voteA), validator: new Uint8Array(3) } as pb.Vote,
      voteB: voteToWire(ev.voteB) as pb.Vote,
    })
    expectVerifyError(() => decodeEvidence(badVote), 'EVIDENCE_BAD_VOTE', 'reject')
    // a vote's resend count is gossip's: inside evidence it would give one double sign two encodings
    const resent = pb.DuplicateVoteEvidence.encode({
      voteA: { ...voteToWire(ev.voteA), resend: 2 } as pb.Vote,
      voteB: voteToWire(ev.voteB) as pb.Vote,
    })
    expectVerifyError(() => decodeEvidence(resent), 'DECODE_NON_CANONICAL', 'reject')
  })
})

describe('verifyEvidence never convicts an innocent validator', () => {
  it('refuses one real vote plus one forged in its name', () => {
    const real = voteBy(2, { blockHash: A })
    // validator 3 signs a vote that names validator 2
    const forged = signVote(
      CHAIN_ID,
      { type: 'prevote', height: 1n, round: 0, blockHash: B, validator: addressOf(2) },
      signingKey(3),
    )
    expectVerifyError(
      () => verifyEvidence(duplicateVoteEvidence(real, forged), set, CHAIN_ID),
      'EVIDENCE_BAD_SIGNATURE',
      'reject',
    )
    const garbled = { ...voteBy(2, { blockHash: B }), signature: new Uint8Array(64).fill(7) }
    expectVerifyError(
      () => verifyEvidence(duplicateVoteEvidence(real, garbled), set, CHAIN_ID),
      'EVIDENCE_BAD_SIGNATURE',
      'reject',
    )
  })

  it('refuses a forged vote whichever place in the pair it takes', () => {
    const real = voteBy(2, { blockHash: blockHash('real') })
    for (const fill of [0x00, 0xff]) {
      const forged = signVote(
        CHAIN_ID,
        { type: 'prevote', height: 1n, round: 0, blockHash: new Uint8Array(32).fill(fill), validator: addressOf(2) },
        signingKey(3),
      )
      const ev = duplicateVoteEvidence(real, forged)
      expect(ev.voteA === real).toBe(fill === 0xff)
      expectVerifyError(() => verifyEvidence(ev, set, CHAIN_ID), 'EVIDENCE_BAD_SIGNATURE', 'reject')
    }
  })

  it('refuses a real vote whose block hash was altered', () => {
    const real = voteBy(2, { blockHash: A })
    const altered = { ...real, blockHash: B }
    expectVerifyError(
      () => verifyEvidence(duplicateVoteEvidence(real, altered), set, CHAIN_ID),
      'EVIDENCE_BAD_SIGNATURE',
      'reject',
    )
  })

  it('refuses votes signed for another chain', () => {
    const ev = duplicateVoteEvidence(voteBy(2, { blockHash: A }, 'other'), voteBy(2, { blockHash: B }, 'other'))
    expectVerifyError(() => verifyEvidence(ev, set, CHAIN_ID), 'EVIDENCE_BAD_SIGNATURE', 'reject')
  })

  it('refuses the same vote twice', () => {
    const vote = voteBy(2)
    expectVerifyError(
      () => verifyEvidence({ voteA: vote, voteB: vote }, set, CHAIN_ID),
      'EVIDENCE_NOT_CONFLICTING',
      'reject',
    )
  })

  it('refuses votes that do not conflict: two validators, heights, rounds or types', () => {
    const a = voteBy(2, { blockHash: A })
    const pairs = [
      [a, voteBy(1, { blockHash: B })],
      [a, voteBy(2, { blockHash: B, height: 2n })],
      [a, voteBy(2, { blockHash: B, round: 1 })],
      [a, voteBy(2, { blockHash: B, type: 'precommit' })],
    ] as const
    for (const [x, y] of pairs) {
      expectVerifyError(
        () => verifyEvidence(duplicateVoteEvidence(x, y), set, CHAIN_ID),
        'EVIDENCE_NOT_CONFLICTING',
        'reject',
      )
    }
  })

  it('refuses a validator that is not in the set', () => {
    const ev = duplicateVoteEvidence(voteBy(6, { blockHash: A }), voteBy(6, { blockHash: B }))
    expectVerifyError(() => verifyEvidence(ev, set, CHAIN_ID), 'EVIDENCE_UNKNOWN_VALIDATOR', 'reject')
  })

  it('refuses a malformed vote and a pair out of order', () => {
    const ev = doubleSign()
    expectVerifyError(
      () => verifyEvidence({ ...ev, voteB: { ...ev.voteB, round: -1 } }, set, CHAIN_ID),
      'EVIDENCE_BAD_VOTE',
      'reject',
    )
    expectVerifyError(
      () => verifyEvidence({ voteA: ev.voteB, voteB: ev.voteA }, set, CHAIN_ID),
      'EVIDENCE_BAD_VOTE',
      'reject',
    )
  })
})
