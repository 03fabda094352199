/**
 * The BFT round state machine of one validator (or of an observer, which has
 * no key: it follows the rounds and decides, but never signs). It implements
 * Algorithm 1 of "The latest gossip on BFT consensus" (Buchman, Kwon,
 * Milosevic 2018); comments name the paper's lines.
 *
 * Pure and synchronous: inputs are `start`, `onProposal`, `onVote` and the
 * timeouts it sets on the injected Timers; outputs are the injected callbacks.
 * Callbacks must not call back into the machine (deliver messages, and start
 * the next height, from a timer or a queue): a re-entrant call throws.
 *
 * The machine never sees blocks, only their hashes: the caller checks a
 * proposed block and says whether it is valid (`blockValid`), builds the
 * block the machine asks for (`propose`), and starts the next height once it
 * has applied the decided one.
 */
import type { KeyObject } from 'node:crypto'
import { addressFromPublicKey } from '../../ledger/address.js'
import { type KeyPair, privateKeyObject } from '../../ledger/crypto.js'
import { VerifyError } from '../../ledger/errors.js'
import { equalBytes, toHex } from '../../util/bytes.js'
import type { Timers } from '../../util/timers.js'
import { type Commit, commitFromPrecommits } from './commit.js'
import type { DuplicateVoteEvidence } from './evidence.js'
import { HeightState, type ProposalResult, type RoundStateSnapshot, type RoundStep } from './height-state.js'
import { checkProposalFields, type Proposal, signProposal, verifyProposalSignature } from './proposal.js'
import { DEFAULT_TIMEOUTS, type TimeoutConfig, type TimeoutStep, timeoutMs } from './timeouts.js'
import type { ValidatorSetView } from './validators.js'
import { signVote, type Vote } from './vote.js'
import { relayPolka, resendOwnVotes, type SendVote } from './vote-gossip.js'
import { type AddVoteResult, DEFAULT_ROUND_WINDOW, HeightVoteSet } from './vote-set.js'

export type { ProposalResult, RoundStateSnapshot, RoundStep }

import type { VoteType } from './vote-type.js'

/** A step waiting for votes that never come ends after this many times its timeout (scheduleQuorumTimeouts). */
export const STALL_FACTOR = 2

export { RESEND_ROUNDS } from './vote-gossip.js'

export interface RoundStateDeps {
  readonly chainId: string
  /** The validators of `height` (consensus/pos/ computes them). */
  validatorSet(height: bigint): ValidatorSetView
  readonly timers: Timers
  readonly timeouts?: TimeoutConfig
  /** Rounds ahead of the current one whose messages are kept (vote-set.ts). */
  readonly roundWindow?: number
  /** Our validator key; absent for an observer. */
  readonly key?: KeyPair
  broadcastProposal(proposal: Proposal): void
  /**
   * Sends a vote: ours when first cast (`resend` absent); with `resend` (the
   * round sending it again), one of ours re-sent by a new round, or one of
   * the prevotes (anyone's) of the polka a valid re-proposal of that round,
   * ours or a received one, claims (vote-gossip.ts).
   */
  broadcastVote(vote: Vote, resend?: number): void
  /** The hash of a new block the caller built for (height, round); asked only when we have no valid value. */
  propose(height: bigint, round: number): Uint8Array
  /** `blockHash` is final at `height`, proven by `commit`. The machine then waits for start(height + 1). */
  decide(height: bigint, blockHash: Uint8Array, commit: Commit): void
  /** A validator signed two conflicting votes (each offence reported once). */
  reportEvidence?(evidence: DuplicateVoteEvidence): void
}

interface Signer {
  readonly secretKey: KeyObject
  readonly address: Uint8Array
}

export class RoundState {
  private readonly timeouts: TimeoutConfig
  private readonly signer: Signer | undefined
  private readonly timerHandles = new Set<unknown>()
  private h: HeightState | undefined
  private busy = false
  /** Sends a vote again (vote-gossip.ts). */
  private readonly sendAgain: SendVote = (vote, resend) => this.deps.broadcastVote(vote, resend)

  constructor(private readonly deps: RoundStateDeps) {
    this.timeouts = deps.timeouts ?? DEFAULT_TIMEOUTS
    this.signer = deps.key && {
      secretKey: privateKeyObject(deps.key.secretKey),
      address: addressFromPublicKey(deps.key.publicKey),
    }
  }

  get snapshot(): RoundStateSnapshot | undefined {
    const h = this.h
    if (!h) return undefined
    const { height, round, step, lockedValue, lockedRound, validValue, validRound } = h
    return { height, round, step, lockedValue, lockedRound, validValue, validRound }
  }

  /** Starts `height` at round 0 (line 10), forgetting everything of the previous height. */
  start(height: bigint): void {
    this.run(() => {
      if (this.h && height <= this.h.height) throw new Error(`start(${height}) after height ${this.h.height}`)
      this.cancelTimers()
      const set = this.deps.validatorSet(height)
      const votes = new HeightVoteSet(this.deps.chainId, height, set, this.deps.roundWindow ?? DEFAULT_ROUND_WINDOW)
      const ourIndex = this.signer ? set.indexOf(this.signer.address) : -1
      this.h = new HeightState(height, set, votes, ourIndex)
      this.startRound(0)
      this.applyRules()
    })
  }

  /**
   * A proposal from the network (or ours echoed back); `blockValid` is the
   * caller's verdict on the proposed block. Throws VerifyError PROPOSAL_*.
   */
  onProposal(proposal: Proposal, blockValid: boolean): ProposalResult {
    return this.run(() => {
      const h = this.h
      if (!h || proposal.height !== h.height) {
        throw new VerifyError('PROPOSAL_WRONG_HEIGHT', `proposal for height ${proposal.height}`)
      }
      checkProposalFields(proposal)
      if (proposal.round > h.round + h.votes.roundWindow) {
        throw new VerifyError('PROPOSAL_ROUND_TOO_FAR', `proposal for round ${proposal.round}, at ${h.round}`)
      }
      const proposer = h.set.validator(h.set.proposer(proposal.round))
      if (!equalBytes(proposal.proposer, proposer.address)) {
        throw new VerifyError('PROPOSAL_WRONG_PROPOSER', `not the proposer of round ${proposal.round}`)
      }
      const known = h.proposals.get(proposal.round)
      if (known && equalBytes(known.proposal.signature, proposal.signature)) return 'duplicate'
      if (!verifyProposalSignature(this.deps.chainId, proposal, proposer.publicKey)) {
        throw new VerifyError('PROPOSAL_BAD_SIGNATURE', `proposal of round ${proposal.round} does not verify`)
      }
      if (known) {
        const same = equalBytes(known.proposal.blockHash, proposal.blockHash)
        if (same && known.proposal.polRound === proposal.polRound) return 'duplicate'
        // the first proposal of a round stands: a proposer that signs two is faulty
        throw new VerifyError('PROPOSAL_CONFLICTING', `a second proposal for round ${proposal.round}`)
      }
      h.proposals.set(proposal.round, { proposal, blockValid })
      // the polka it claims, to those who lack it (vote-gossip.ts)
      if (blockValid) relayPolka(h, proposal, this.sendAgain)
      this.applyRules()
      return 'added'
    })
  }

  /** A vote from the network. Throws VerifyError VOTE_* for a vote that must not count. */
  onVote(vote: Vote): AddVoteResult {
    return this.run(() => {
      const h = this.h
      if (!h) throw new VerifyError('VOTE_WRONG_HEIGHT', `vote for height ${vote.height} before any height started`)
      const result = h.votes.add(vote)
      if (result.kind === 'equivocation') {
        const offence = `${toHex(vote.validator)}/${vote.round}/${vote.type}`
        if (!h.equivocators.has(offence)) {
          h.equivocators.add(offence)
          this.deps.reportEvidence?.(result.evidence)
        }
      }
      if (result.kind === 'added' || (result.kind === 'equivocation' && result.counted)) this.applyRules()
      return result
    })
  }

  private run<T>(input: () => T): T {
    if (this.busy) throw new Error('RoundState re-entered from one of its own callbacks')
    this.busy = true
    try {
      return input()
    } finally {
      this.busy = false
    }
  }

  /** StartRound (line 11). */
  private startRound(round: number): void {
    const h = this.current()
    this.cancelTimers()
    h.round = round
    h.step = 'propose'
    h.prevoteTimeoutSet = false
    h.precommitTimeoutSet = false
    h.polkaSeen = false
    h.stallStep = undefined
    h.votes.setRound(round)
    if (round > 0) resendOwnVotes(h, round, this.sendAgain)
    if (this.signer && h.ourIndex >= 0 && h.set.proposer(round) === h.ourIndex) {
      // lines 14–19: re-propose the value a polka made valid, with that polka's round
      const blockHash = h.validValue ?? this.deps.propose(h.height, round)
      const polRound = h.validValue ? h.validRound : -1
      const proposal = signProposal(
        this.deps.chainId,
        { height: h.height, round, polRound, blockHash, proposer: this.signer.address },
        this.signer.secretKey,
      )
      h.proposals.set(round, { proposal, blockValid: true })
      this.deps.broadcastProposal(proposal)
      // the polka that justifies a re-proposal goes with it (Tendermint's proof-of-lock)
      relayPolka(h, proposal, this.sendAgain)
    } else {
      this.schedule('propose', round)
    }
  }

  /** Fires every rule whose condition holds, until none does. */
  private applyRules(): void {
    for (;;) {
      const h = this.current()
      if (h.step === 'decided') return
      if (this.tryDecide()) return
      if (this.trySkipRound() || this.tryPrevote() || this.tryLockOnPolka() || this.tryPrecommitNil()) continue
      if (this.tryNextRoundOnNilCommit()) continue
      this.scheduleQuorumTimeouts()
      return
    }
  }

  /** Line 49: a valid proposal of any round with ⅔+ precommits for it is decided. */
  private tryDecide(): boolean {
    const h = this.current()
    for (const [round, { proposal, blockValid }] of h.proposals) {
      if (!blockValid) continue
      const quorum = h.votes.quorumValue(round, 'precommit')
      if (!quorum?.blockHash || !equalBytes(quorum.blockHash, proposal.blockHash)) continue
      h.step = 'decided'
      this.cancelTimers()
      const precommits = h.votes.votesFor(round, 'precommit', proposal.blockHash)
      const commit = commitFromPrecommits(h.height, round, proposal.blockHash, precommits, h.set)
      this.deps.decide(h.height, proposal.blockHash, commit)
      return true
    }
    return false
  }

  /** Line 55: +⅓ of the power is already in a higher round, so at least one honest validator is. */
  private trySkipRound(): boolean {
    const round = this.current().votes.skipRound()
    if (round === undefined) return false
    this.startRound(round)
    return true
  }

  /** Lines 22–33: prevote the round's proposal, or nil when it is invalid or we are locked on another value. */
  private tryPrevote(): boolean {
    const h = this.current()
    if (h.step !== 'propose') return false
    const entry = h.proposals.get(h.round)
    if (!entry) return false
    const { proposal, blockValid } = entry
    const value = proposal.blockHash
    const lockedOnValue = h.lockedValue !== null && equalBytes(h.lockedValue, value)
    let acceptable: boolean
    if (proposal.polRound === -1) {
      acceptable = blockValid && (h.lockedRound === -1 || lockedOnValue)
    } else {
      // line 28: a re-proposal counts only once we see the polka it claims
      const polka = h.votes.quorumValue(proposal.polRound, 'prevote')
      if (!polka?.blockHash || !equalBytes(polka.blockHash, value)) return false
      acceptable = blockValid && (h.lockedRound <= proposal.polRound || lockedOnValue)
    }
    this.castVote('prevote', acceptable ? value : null)
    h.step = 'prevote'
    return true
  }

  /** Lines 36–43: a polka for the round's valid proposal locks it (if still prevoting) and makes it the valid value. */
  private tryLockOnPolka(): boolean {
    const h = this.current()
    if (h.polkaSeen || (h.step !== 'prevote' && h.step !== 'precommit')) return false
    const entry = h.proposals.get(h.round)
    if (!entry?.blockValid) return false
    const value = entry.proposal.blockHash
    const polka = h.votes.quorumValue(h.round, 'prevote')
    if (!polka?.blockHash || !equalBytes(polka.blockHash, value)) return false
    h.polkaSeen = true
    if (h.step === 'prevote') {
      h.lockedValue = value
      h.lockedRound = h.round
      this.castVote('precommit', value)
      h.step = 'precommit'
    }
    h.validValue = value
    h.validRound = h.round
    return true
  }

  /** Lines 44–46: ⅔+ prevoted nil. */
  private tryPrecommitNil(): boolean {
    const h = this.current()
    if (h.step !== 'prevote') return false
    const polka = h.votes.quorumValue(h.round, 'prevote')
    if (polka === undefined || polka.blockHash !== null) return false
    this.castVote('precommit', null)
    h.step = 'precommit'
    return true
  }

  /**
   * ⅔+ precommitted nil in our round: nothing can be decided in it, so the
   * next round starts at once instead of after the precommit timeout (line
   * 47 waits it out). Moving to a higher round never touches a lock, so
   * safety is unchanged; an offline proposer then costs its propose timeout,
   * not that plus a precommit timeout.
   */
  private tryNextRoundOnNilCommit(): boolean {
    const h = this.current()
    const quorum = h.votes.quorumValue(h.round, 'precommit')
    if (quorum === undefined || quorum.blockHash !== null) return false
    this.startRound(h.round + 1)
    return true
  }

  /** Lines 34 and 47: ⅔+ voted, but not (yet) for one value. */
  private scheduleQuorumTimeouts(): void {
    const h = this.current()
    if (h.step === 'prevote' && !h.prevoteTimeoutSet && h.votes.hasQuorumAny(h.round, 'prevote')) {
      h.prevoteTimeoutSet = true
      this.schedule('prevote', h.round)
    }
    if (!h.precommitTimeoutSet && h.votes.hasQuorumAny(h.round, 'precommit')) {
      h.precommitTimeoutSet = true
      this.schedule('precommit', h.round)
    }
    // Algorithm 1 starts the timeouts above only once ⅔+ of the step's votes (for anything) have
    // arrived, leaning on a network layer that re-sends votes a peer lacks. Ours sends each vote
    // once, so a validator that missed votes (sent before its peers connected, or lost in a
    // partition) would wait in its step forever. A stall timeout, STALL_FACTOR times the step's,
    // started on entering the step, ends such a round in nil votes and a new one: safety is
    // unaffected, the new round's votes (and the +⅓ round skip) line everyone up again, and in
    // a round that gets its quorum the regular timeout fires first.
    if ((h.step === 'prevote' || h.step === 'precommit') && h.stallStep !== h.step) {
      h.stallStep = h.step
      this.schedule(h.step, h.round, STALL_FACTOR)
    }
  }

  /** Lines 57–65. */
  private onTimeout(step: TimeoutStep, height: bigint, round: number): void {
    const h = this.current()
    if (h.height !== height || h.round !== round || h.step === 'decided') return
    if (step === 'propose' && h.step === 'propose') {
      this.castVote('prevote', null)
      h.step = 'prevote'
    } else if (step === 'prevote' && h.step === 'prevote') {
      this.castVote('precommit', null)
      h.step = 'precommit'
    } else if (step === 'precommit') {
      this.startRound(round + 1)
    }
    this.applyRules()
  }

  private castVote(type: VoteType, blockHash: Uint8Array | null): void {
    const h = this.current()
    if (!this.signer || h.ourIndex < 0) return
    const vote = signVote(
      this.deps.chainId,
      { type, height: h.height, round: h.round, blockHash, validator: this.signer.address },
      this.signer.secretKey,
    )
    h.votes.add(vote)
    h.ownVotes.push(vote)
    this.deps.broadcastVote(vote)
  }

  private schedule(step: TimeoutStep, round: number, factor = 1): void {
    const height = this.current().height
    const handle = this.deps.timers.setTimeout(() => {
      this.timerHandles.delete(handle)
      this.run(() => this.onTimeout(step, height, round))
    }, timeoutMs(this.timeouts[step], round) * factor)
    this.timerHandles.add(handle)
  }

  private cancelTimers(): void {
    for (const handle of this.timerHandles) this.deps.timers.clearTimeout(handle)
    this.timerHandles.clear()
  }

  private current(): HeightState {
    if (!this.h) throw new Error('RoundState: no height started')
    return this.h
  }
}
