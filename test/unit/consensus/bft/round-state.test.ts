import { describe, expect, it } from 'vitest'
import { verifyCommit } from '../../../../src/consensus/bft/commit.js'
import { verifyEvidence } from '../../../../src/consensus/bft/evidence.js'
import { RESEND_ROUNDS, STALL_FACTOR } from '../../../../src/consensus/bft/round-state.js'
import { DEFAULT_TIMEOUTS, timeoutMs } from '../../../../src/consensus/bft/timeouts.js'
import { expectVerifyError, hex } from '../../ledger/fixtures.js'
import { blockHash, CHAIN_ID, proposalBy, RoundRobinSet, voteBy } from './helpers.js'
import { fixture, label } from './round-state-fixture.js'

// Height 1 of a 4-validator round-robin set: round r is proposed by validator (1 + r) mod 4.
const A = blockHash('A')
const B = blockHash('B')
const proposeMs = (round: number) => timeoutMs(DEFAULT_TIMEOUTS.propose, round)
const prevoteMs = (round: number) => timeoutMs(DEFAULT_TIMEOUTS.prevote, round)
const precommitMs = (round: number) => timeoutMs(DEFAULT_TIMEOUTS.precommit, round)

describe('RoundState: propose and prevote (lines 11–33, 57)', () => {
  it('the round’s proposer proposes a fresh block and prevotes it', () => {
    const f = fixture(1)
    f.rs.start(1n)
    expect(f.proposeCalls).toEqual([{ height: 1n, round: 0 }])
    expect(f.proposals.map((p) => [p.round, p.polRound])).toEqual([[0, -1]])
    expect(f.ourVotes('prevote', 0)).toEqual([label(blockHash('fresh 1/0'))])
  })

  it('a validator prevotes a valid proposal, and nil for an invalid one', () => {
    const valid = fixture(0)
    valid.rs.start(1n)
    expect(valid.proposals).toEqual([])
    valid.rs.onProposal(proposalBy(1), true)
    expect(valid.ourVotes('prevote', 0)).toEqual([label(A)])
    const invalid = fixture(0)
    invalid.rs.start(1n)
    invalid.rs.onProposal(proposalBy(1), false)
    expect(invalid.ourVotes('prevote', 0)).toEqual(['nil'])
  })

  it('prevotes nil when the proposal does not come in time, not before', () => {
    const f = fixture(0)
    f.rs.start(1n)
    f.timers.advance(proposeMs(0) - 1)
    expect(f.votes).toEqual([])
    f.timers.advance(1)
    expect(f.ourVotes('prevote', 0)).toEqual(['nil'])
    expect(f.rs.snapshot?.step).toBe('prevote')
  })

  it('refuses proposals of the wrong proposer, badly signed, for another height, too far ahead, or conflicting', () => {
    const f = fixture(0)
    f.rs.start(1n)
    expectVerifyError(() => f.rs.onProposal(proposalBy(2), true), 'PROPOSAL_WRONG_PROPOSER', 'reject')
    const forged = { ...proposalBy(1), blockHash: B }
    expectVerifyError(() => f.rs.onProposal(forged, true), 'PROPOSAL_BAD_SIGNATURE', 'reject')
    expectVerifyError(() => f.rs.onProposal(proposalBy(2, { height: 2n }), true), 'PROPOSAL_WRONG_HEIGHT', 'ignore')
    expectVerifyError(() => f.rs.onProposal(proposalBy(1, { round: 4 }), true), 'PROPOSAL_ROUND_TOO_FAR', 'ignore')
    expect(f.rs.onProposal(proposalBy(1), true)).toBe('added')
    expect(f.rs.onProposal(proposalBy(1), true)).toBe('duplicate')
    expectVerifyError(() => f.rs.onProposal(proposalBy(1, { blockHash: B }), true), 'PROPOSAL_CONFLICTING', 'ignore')
    expect(f.ourVotes('prevote', 0)).toEqual([label(A)])
  })
})

describe('RoundState: precommit (lines 34–48, 61)', () => {
  it('a polka for the proposal locks it and precommits it', () => {
    const f = fixture(0)
    f.rs.start(1n)
    f.rs.onProposal(proposalBy(1), true)
    // our own prevote and validator 1's: not yet ⅔+
    f.votesFrom([1], 'prevote', 0, A)
    expect(f.ourVotes('precommit', 0)).toEqual([])
    f.votesFrom([2], 'prevote', 0, A)
    expect(f.ourVotes('precommit', 0)).toEqual([label(A)])
    const s = f.rs.snapshot!
    expect([label(s.lockedValue), s.lockedRound, label(s.validValue), s.validRound]).toEqual([label(A), 0, label(A), 0])
  })

  it('⅔+ nil prevotes make it precommit nil', () => {
    const f = fixture(0)
    f.rs.start(1n)
    f.rs.onProposal(proposalBy(1), true)
    f.votesFrom([1, 2], 'prevote', 0, null)
    expect(f.ourVotes('precommit', 0)).toEqual([])
    f.votesFrom([3], 'prevote', 0, null)
    expect(f.ourVotes('precommit', 0)).toEqual(['nil'])
    expect(f.rs.snapshot?.lockedRound).toBe(-1)
  })

  it('split prevotes start the prevote timeout, then it precommits nil; without ⅔+ it waits for the stall bound', () => {
    const f = fixture(0)
    f.rs.start(1n)
    f.rs.onProposal(proposalBy(1), true)
    f.votesFrom([1], 'prevote', 0, B)
    f.timers.advance(prevoteMs(0))
    expect(f.ourVotes('precommit', 0)).toEqual([])
    f.votesFrom([2], 'prevote', 0, null)
    f.timers.advance(prevoteMs(0) - 1)
    expect(f.ourVotes('precommit', 0)).toEqual([])
    f.timers.advance(1)
    expect(f.ourVotes('precommit', 0)).toEqual(['nil'])
  })

  it('⅔+ precommits of any kind start the precommit timeout, then round 1; without them it waits for the stall bound', () => {
    const f = fixture(0)
    f.rs.start(1n)
    f.rs.onProposal(proposalBy(1), true)
    f.votesFrom([1, 2, 3], 'prevote', 0, null)
    f.votesFrom([1], 'precommit', 0, null)
    f.timers.advance(precommitMs(0))
    expect(f.rs.snapshot?.round).toBe(0)
    f.votesFrom([2], 'precommit', 0, B)
    f.timers.advance(precommitMs(0) - 1)
    expect(f.rs.snapshot?.round).toBe(0)
    f.timers.advance(1)
    expect(f.rs.snapshot).toMatchObject({ round: 1, step: 'propose' })
  })
})

describe('RoundState: decide (line 49)', () => {
  it('decides a valid proposal with ⅔+ precommits, and hands over a commit that verifies', () => {
    const f = fixture(0)
    f.rs.start(1n)
    f.rs.onProposal(proposalBy(1), true)
    f.votesFrom([1, 2], 'precommit', 0, A)
    expect(f.decisions).toEqual([])
    f.votesFrom([3], 'precommit', 0, A)
    expect(f.decisions.map((d) => [d.height, label(d.blockHash)])).toEqual([[1n, label(A)]])
    const commit = f.decisions[0]!.commit
    verifyCommit(commit, RoundRobinSet.equal(4), CHAIN_ID)
    expect(f.rs.snapshot?.step).toBe('decided')
    f.votesFrom([3], 'precommit', 0, B)
    expect(f.decisions).toHaveLength(1)
  })

  it('does not decide a block it was told is invalid, nor without the proposal', () => {
    const invalid = fixture(0)
    invalid.rs.start(1n)
    invalid.rs.onProposal(proposalBy(1), false)
    invalid.votesFrom([1, 2, 3], 'precommit', 0, A)
    expect(invalid.decisions).toEqual([])
    const noProposal = fixture(0)
    noProposal.rs.start(1n)
    noProposal.votesFrom([1, 2, 3], 'precommit', 0, A)
    expect(noProposal.decisions).toEqual([])
    noProposal.rs.onProposal(proposalBy(1), true)
    expect(noProposal.decisions).toHaveLength(1)
  })

  it('decides a block of an earlier round once its precommits arrive', () => {
    const f = fixture(0)
    f.rs.start(1n)
    f.rs.onProposal(proposalBy(1), true)
    f.timers.advance(proposeMs(0)) // nothing more arrives for a while
    f.votesFrom([1, 2, 3], 'prevote', 1, null)
    f.votesFrom([1, 2, 3], 'precommit', 1, null)
    f.timers.advance(precommitMs(1))
    expect(f.rs.snapshot?.round).toBe(2)
    f.votesFrom([1, 2, 3], 'precommit', 0, A)
    expect(f.decisions.map((d) => [d.commit.round, label(d.blockHash)])).toEqual([[0, label(A)]])
  })

  it('an observer with no key follows the rounds and decides, but never signs', () => {
    const f = fixture(undefined)
    f.rs.start(1n)
    f.rs.onProposal(proposalBy(1), true)
    f.votesFrom([0, 1, 2], 'prevote', 0, A)
    f.votesFrom([0, 1, 2], 'precommit', 0, A)
    expect(f.decisions).toHaveLength(1)
    expect(f.votes).toEqual([])
    expect(f.proposals).toEqual([])
  })

  it('starts the next height afresh: the next proposer, no lock', () => {
    const f = fixture(2)
    f.rs.start(1n)
    f.rs.onProposal(proposalBy(1), true)
    f.votesFrom([0, 1, 3], 'prevote', 0, A)
    f.votesFrom([0, 1, 3], 'precommit', 0, A)
    expect(f.decisions).toHaveLength(1)
    // height 2, round 0 is validator 2's to propose
    f.rs.start(2n)
    expect(f.rs.snapshot).toMatchObject({ height: 2n, round: 0, lockedRound: -1, validRound: -1 })
    expect(f.proposeCalls).toEqual([{ height: 2n, round: 0 }])
    expect(() => f.rs.start(2n)).toThrow(/after height 2/)
  })
})

describe('RoundState: round skip (line 55)', () => {
  it('jumps to a higher round once +⅓ of the power votes there, not on ⅓ or less', () => {
    const f = fixture(0)
    f.rs.start(1n)
    f.votesFrom([1], 'prevote', 2, null)
    expect(f.rs.snapshot?.round).toBe(0)
    f.votesFrom([2], 'precommit', 2, null)
    expect(f.rs.snapshot).toMatchObject({ round: 2, step: 'propose' })
  })
})

describe('RoundState: locking', () => {
  /** Validator 0, locked on A in round 0 (round 0 ends on split precommits), now in round 1. */
  function lockedOnA() {
    const f = fixture(0)
    f.rs.start(1n)
    f.rs.onProposal(proposalBy(1), true)
    f.votesFrom([1, 2, 3], 'prevote', 0, A)
    f.votesFrom([1], 'precommit', 0, A)
    f.votesFrom([2], 'precommit', 0, null)
    f.timers.advance(precommitMs(0))
    expect(f.rs.snapshot).toMatchObject({ round: 1, lockedRound: 0 })
    return f
  }

  it('a validator locked in round 0 prevotes nil on another value and does not precommit it without a newer polka', () => {
    const f = lockedOnA()
    // round 1's proposer offers B as a fresh block
    f.rs.onProposal(proposalBy(2, { round: 1, blockHash: B }), true)
    expect(f.ourVotes('prevote', 1)).toEqual(['nil'])
    // two others prevote B: with our nil that is ⅔+ of any kind, but no polka for B
    f.votesFrom([2, 3], 'prevote', 1, B)
    f.timers.advance(prevoteMs(1))
    expect(f.ourVotes('precommit', 1)).toEqual(['nil'])
    expect(label(f.rs.snapshot!.lockedValue)).toBe(label(A))
  })

  it('a re-proposal of another value whose claimed polka does not exist gets no prevote for it', () => {
    const f = lockedOnA()
    f.rs.onProposal(proposalBy(2, { round: 1, polRound: 0, blockHash: B }), true)
    expect(f.ourVotes('prevote', 1)).toEqual([])
    f.timers.advance(proposeMs(1))
    expect(f.ourVotes('prevote', 1)).toEqual(['nil'])
  })

  it('prevotes the value it is locked on when it is proposed again', () => {
    const f = lockedOnA()
    f.rs.onProposal(proposalBy(2, { round: 1, polRound: 0, blockHash: A }), true)
    expect(f.ourVotes('prevote', 1)).toEqual([label(A)])
  })

  it('a newer polka moves the lock', () => {
    const f = lockedOnA()
    f.rs.onProposal(proposalBy(2, { round: 1, blockHash: B }), true)
    f.votesFrom([1, 2, 3], 'prevote', 1, B)
    expect(f.ourVotes('precommit', 1)).toEqual([label(B)])
    expect(f.rs.snapshot).toMatchObject({ lockedRound: 1, validRound: 1 })
  })

  it('a re-proposal backed by a polka newer than its lock gets its prevote (lockedRound ≤ polRound)', () => {
    const f = lockedOnA()
    // it missed round 1; +⅓ is in round 2, whose proposer (3) re-proposes B from round 1's polka
    f.votesFrom([1, 2], 'prevote', 2, null)
    expect(f.rs.snapshot?.round).toBe(2)
    f.votesFrom([1, 2, 3], 'prevote', 1, B)
    f.rs.onProposal(proposalBy(3, { round: 2, polRound: 1, blockHash: B }), true)
    expect(f.ourVotes('prevote', 2)).toEqual([label(B)])
  })

  it('the proposer re-proposes its valid value with its valid round', () => {
    // validator 0 proposes round 3 at height 1
    const f = lockedOnA()
    f.votesFrom([1, 2], 'prevote', 3, null)
    expect(f.rs.snapshot?.round).toBe(3)
    expect(f.proposeCalls).toEqual([])
    expect(f.proposals.map((p) => [p.round, p.polRound, label(p.blockHash)])).toEqual([[3, 0, label(A)]])
    // the polka of round 0 goes with the re-proposal, so a validator that never saw it can accept it
    const pol = f.resent.filter((r) => r.resend === 3 && r.vote.type === 'prevote' && r.vote.round === 0)
    expect(pol.map((r) => label(r.vote.blockHash))).toEqual(pol.map(() => label(A)))
    expect(new Set(pol.map((r) => hex(r.vote.validator))).size).toBeGreaterThanOrEqual(3)
  })
})

describe('RoundState: evidence and misuse', () => {
  it('reports a double-signing validator once per offence', () => {
    const f = fixture(0)
    f.rs.start(1n)
    f.rs.onVote(voteBy(3, { blockHash: A }))
    expect(f.rs.onVote(voteBy(3, { blockHash: B })).kind).toBe('equivocation')
    f.rs.onVote(voteBy(3, { blockHash: null }))
    expect(f.evidence).toHaveLength(1)
    expect(verifyEvidence(f.evidence[0]!, RoundRobinSet.equal(4), CHAIN_ID)).toBe(3)
  })

  it('refuses votes before any height and for another height', () => {
    const f = fixture(0)
    expectVerifyError(() => f.rs.onVote(voteBy(1)), 'VOTE_WRONG_HEIGHT', 'ignore')
    f.rs.start(1n)
    expectVerifyError(() => f.rs.onVote(voteBy(1, { height: 2n })), 'VOTE_WRONG_HEIGHT', 'ignore')
  })
})

describe('timeouts', () => {
  it('grow with the round up to a cap, so n offline proposers cost at most n · max', () => {
    const s = DEFAULT_TIMEOUTS.propose
    expect(timeoutMs(s, 1)).toBe(s.baseMs + s.deltaMs)
    expect(timeoutMs(s, 1000)).toBe(s.maxMs)
    const n = 100
    let total = 0
    for (let round = 0; round < n; round++) total += timeoutMs(s, round)
    expect(total).toBeLessThanOrEqual(n * s.maxMs)
    expect(total).toBeLessThan(n * s.baseMs + ((n * (n - 1)) / 2) * s.deltaMs)
  })

  it('the machine waits the capped timeout in a late round', () => {
    const f = fixture(0)
    f.rs.start(1n)
    // +⅓ in round 101 (a round validator 0 does not propose) takes it there
    f.votesFrom([1, 2], 'prevote', 3, null)
    for (let round = 3; round < 101; round += 3) {
      f.votesFrom([1, 2], 'prevote', round + 3, null)
    }
    const round = f.rs.snapshot!.round
    expect(round).toBeGreaterThan(90)
    f.timers.advance(DEFAULT_TIMEOUTS.propose.maxMs - 1)
    expect(f.ourVotes('prevote', round)).toEqual([])
    f.timers.advance(1)
    expect(f.ourVotes('prevote', round)).toEqual(['nil'])
  })
})

describe('stall timeouts (votes that never come)', () => {
  it('a prevote step with no ⅔+ ends after STALL_FACTOR times its timeout, in a nil precommit', () => {
    const f = fixture(0)
    f.rs.start(1n)
    f.rs.onProposal(proposalBy(1), true)
    f.votesFrom([1], 'prevote', 0, A)
    f.timers.advance(STALL_FACTOR * prevoteMs(0) - 1)
    expect(f.ourVotes('precommit', 0)).toEqual([])
    f.timers.advance(1)
    expect(f.ourVotes('precommit', 0)).toEqual(['nil'])
  })

  it('a precommit step with no ⅔+ precommits ends after STALL_FACTOR times its timeout, in the next round', () => {
    const f = fixture(0)
    f.rs.start(1n)
    f.rs.onProposal(proposalBy(1), true)
    f.votesFrom([1, 2, 3], 'prevote', 0, null)
    expect(f.rs.snapshot?.step).toBe('precommit')
    f.timers.advance(STALL_FACTOR * precommitMs(0) - 1)
    expect(f.rs.snapshot?.round).toBe(0)
    f.timers.advance(1)
    expect(f.rs.snapshot).toMatchObject({ round: 1, step: 'propose' })
  })

  it('each new round re-sends our votes of the last RESEND_ROUNDS rounds and of our lock, marked with the round re-sending them', () => {
    const f = fixture(0)
    f.rs.start(1n)
    // round 0: locked on the proposal of validator 1
    f.rs.onProposal(proposalBy(1), true)
    f.votesFrom([1, 2], 'prevote', 0, (f.proposals[0] ?? proposalBy(1)).blockHash)
    expect(f.rs.snapshot?.lockedRound).toBe(0)
    f.timers.advance(STALL_FACTOR * precommitMs(0))
    expect(f.rs.snapshot?.round).toBe(1)
    const firstRound = f.resent.filter((r) => r.resend === 1)
    expect(firstRound.map((r) => [r.vote.type, r.vote.round])).toEqual([
      ['prevote', 0],
      ['precommit', 0],
    ])
    // rounds later, the lock's votes are still re-sent; rounds between that left the window are not
    const skipTo = RESEND_ROUNDS + 4
    // +⅓ of the power in a higher round moves us there (votes at most the vote window ahead)
    for (const r of [4, 7, 10, skipTo]) f.votesFrom([1, 2], 'prevote', r, null)
    expect(f.rs.snapshot?.round).toBe(skipTo)
    const last = f.resent.filter((r) => r.resend === skipTo).map((r) => r.vote.round)
    expect(last).toContain(0)
    expect(last.every((round) => round === 0 || round >= skipTo - RESEND_ROUNDS)).toBe(true)
    expect(f.votes.filter((v) => v.round === 0)).toHaveLength(2)
  })

  it('⅔+ nil precommits start the next round at once, without waiting out the precommit timeout', () => {
    const f = fixture(0)
    f.rs.start(1n)
    f.timers.advance(DEFAULT_TIMEOUTS.propose.baseMs) // no proposal: we prevote nil
    f.votesFrom([1, 2], 'prevote', 0, null)
    expect(f.rs.snapshot?.step).toBe('precommit')
    f.votesFrom([1, 2], 'precommit', 0, null)
    expect(f.rs.snapshot).toMatchObject({ round: 1, step: 'propose' })
  })
})
