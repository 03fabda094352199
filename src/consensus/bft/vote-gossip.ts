/**
 * The votes the round state machine (round-state.ts) sends beyond its own
 * new ones. Algorithm 1 assumes a network that eventually delivers every
 * message; gossip here carries each message once, so a vote lost before the
 * network settled, or an equivocator's vote sent to part of the validators
 * only, stays missing unless someone sends it again. CometBFT's consensus
 * reactor sends each peer the votes it lacks: those of the round the peer is
 * in, and the prevotes of the POL round of the proposal the peer holds.
 * Gossip here has no view of a peer's state, so the machine sends such votes
 * to everyone, when a peer may lack them:
 *
 * - a new round re-sends our own votes of the recent rounds and of the
 *   rounds of our lock and valid value (`resendOwnVotes`): lost before GST,
 *   they had left validators locked on a polka the others never saw (the BFT
 *   fuzzer's seed 128);
 * - a valid proposal that claims a polka (polRound ≥ 0), ours or another's,
 *   makes us send on the prevotes we hold for its value in that round,
 *   whoever cast them (`relayPolka`): everyone following the round holds
 *   that proposal, and a validator that lacks some of them (lost before GST,
 *   or an equivocator sent it its other vote) cannot accept it. A Byzantine
 *   proposer may re-propose without them, and when the one honest validator
 *   that saw the polka is locked on it, no other value can win: the height
 *   stalled until that validator's own turn to propose (the fuzzer's seed
 *   210).
 *
 * Each is sent with the round that sends it (`resend`), so gossip's
 * seen-cache takes it as new, and copies of one vote sent by many validators
 * for one round are one message to it.
 */
import type { HeightState } from './height-state.js'
import type { Proposal } from './proposal.js'
import type { Vote } from './vote.js'

/** A new round re-sends our votes of this many rounds before it (and of our lock's and valid value's rounds). */
export const RESEND_ROUNDS = 8

export type SendVote = (vote: Vote, resend: number) => void

/** Round `round` started: our votes of the rounds before it that a validator may still lack. */
export function resendOwnVotes(h: HeightState, round: number, send: SendVote): void {
  for (const vote of h.ownVotes) {
    const recent = vote.round >= round - RESEND_ROUNDS
    if (recent || vote.round === h.lockedRound || vote.round === h.validRound) send(vote, round)
  }
}

/**
 * `proposal` (valid, of a round not behind ours) re-proposes the value of the
 * polka of its `polRound`: the prevotes we hold for that value in that round,
 * sent on with the proposal's round.
 */
export function relayPolka(h: HeightState, proposal: Proposal, send: SendVote): void {
  if (proposal.polRound < 0 || proposal.round < h.round) return
  for (const vote of h.votes.votesFor(proposal.polRound, 'prevote', proposal.blockHash)) send(vote, proposal.round)
}
