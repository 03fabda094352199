/**
 * What the round state machine (round-state.ts) holds for one height: the
 * step, the lock and valid value, the proposals and votes seen, and the
 * "for the first time" guards of the current round; and the types it shows
 * the caller.
 */
import type { Proposal } from './proposal.js'
import type { ValidatorSetView } from './validators.js'
import type { Vote } from './vote.js'
import type { HeightVoteSet } from './vote-set.js'

export type RoundStep = 'propose' | 'prevote' | 'precommit' | 'decided'

export interface RoundStateSnapshot {
  readonly height: bigint
  readonly round: number
  readonly step: RoundStep
  readonly lockedValue: Uint8Array | null
  readonly lockedRound: number
  readonly validValue: Uint8Array | null
  readonly validRound: number
}

export type ProposalResult = 'added' | 'duplicate'

export interface ProposalEntry {
  readonly proposal: Proposal
  readonly blockValid: boolean
}

/** Everything that lives for one height. */
export class HeightState {
  round = 0
  step: RoundStep = 'propose'
  lockedValue: Uint8Array | null = null
  lockedRound = -1
  validValue: Uint8Array | null = null
  validRound = -1
  readonly proposals = new Map<number, ProposalEntry>()
  readonly equivocators = new Set<string>()
  // "for the first time" guards of the current round (lines 34, 36, 47)
  prevoteTimeoutSet = false
  precommitTimeoutSet = false
  polkaSeen = false
  /** The step of the current round whose stall timeout is set (scheduleQuorumTimeouts). */
  stallStep: RoundStep | undefined
  /** Every vote we cast at this height, oldest first (two a round at most). */
  readonly ownVotes: Vote[] = []

  constructor(
    readonly height: bigint,
    readonly set: ValidatorSetView,
    readonly votes: HeightVoteSet,
    /** Our index in `set`, or −1 when we do not vote at this height. */
    readonly ourIndex: number,
  ) {}
}
