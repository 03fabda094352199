/** One RoundState under test, its outputs recorded, on manual timers; the other validators are played by the test. */
import type { Commit } from '../../../../src/consensus/bft/commit.js'
import type { DuplicateVoteEvidence } from '../../../../src/consensus/bft/evidence.js'
import type { Proposal } from '../../../../src/consensus/bft/proposal.js'
import { RoundState } from '../../../../src/consensus/bft/round-state.js'
import { DEFAULT_TIMEOUTS } from '../../../../src/consensus/bft/timeouts.js'
import type { Vote } from '../../../../src/consensus/bft/vote.js'
import type { VoteType } from '../../../../src/consensus/bft/vote-type.js'
import { toHex } from '../../../../src/util/bytes.js'
import { testKey } from '../../ledger/fixtures.js'
import { blockHash, CHAIN_ID, RoundRobinSet, voteBy } from './helpers.js'
import { ManualTimers } from './manual-timers.js'

export interface Decision {
  height: bigint
  blockHash: Uint8Array
  commit: Commit
}

export interface Fixture {
  rs: RoundState
  timers: ManualTimers
  proposals: Proposal[]
  votes: Vote[]
  /** Our votes sent again by a new round, with the round that re-sent each. */
  resent: { vote: Vote; resend: number }[]
  decisions: Decision[]
  evidence: DuplicateVoteEvidence[]
  proposeCalls: { height: bigint; round: number }[]
  /** Our votes of `type` in `round`, as 'nil' or the hex of the hash. */
  ourVotes(type: VoteType, round: number): string[]
  /** Feeds votes of `type` in `round` for `hash` (null: nil) by `validators`. */
  votesFrom(validators: number[], type: VoteType, round: number, hash: Uint8Array | null): void
}

export const label = (hash: Uint8Array | null): string => (hash === null ? 'nil' : toHex(hash))

/** Validator `me` (or an observer when `me` is undefined) of a 4-validator round-robin set at height 1. */
export function fixture(me: number | undefined, powers: bigint[] = [1n, 1n, 1n, 1n]): Fixture {
  const timers = new ManualTimers()
  const f: Omit<Fixture, 'rs'> = {
    timers,
    proposals: [],
    votes: [],
    resent: [],
    decisions: [],
    evidence: [],
    proposeCalls: [],
    ourVotes: (type, round) =>
      f.votes.filter((v) => v.type === type && v.round === round).map((v) => label(v.blockHash)),
    votesFrom: (validators, type, round, hash) => {
      for (const i of validators) rs.onVote(voteBy(i, { type, round, blockHash: hash }))
    },
  }
  const rs = new RoundState({
    chainId: CHAIN_ID,
    validatorSet: (height) => new RoundRobinSet(powers, height),
    timers,
    timeouts: DEFAULT_TIMEOUTS,
    key: me === undefined ? undefined : testKey(me),
    broadcastProposal: (p) => f.proposals.push(p),
    broadcastVote: (v, resend) => (resend === undefined ? f.votes.push(v) : f.resent.push({ vote: v, resend })),
    propose: (height, round) => {
      f.proposeCalls.push({ height, round })
      return blockHash(`fresh ${height}/${round}`)
    },
    decide: (height, hash, commit) => f.decisions.push({ height, blockHash: hash, commit }),
    reportEvidence: (ev) => f.evidence.push(ev),
  })
  return { ...f, rs }
}
