/**
 * How the fuzzer's equivocators collude: for each (height, round) they either
 * send both of their messages to everyone (half the rounds), or the machine's
 * message to side 0 of the network and a conflicting one — the same evil block
 * for all of them — to side 1. An equivocating proposer proposes that evil
 * block to side 1. Every choice comes from the run's seeded RNG.
 */

import type { KeyObject } from 'node:crypto'
import type { Proposal } from '../../consensus/bft/proposal.js'
import { signProposal } from '../../consensus/bft/proposal.js'
import { signVote, type Vote } from '../../consensus/bft/vote.js'
import { equalBytes } from '../../util/bytes.js'
import type { Rng } from '../../util/rng.js'
import { evilHashFor, FUZZ_CHAIN_ID } from './fixtures.js'

/** The side of the network (0 or 1) an equivocator sends its machine's (0) or its conflicting (1) messages to. */
export interface Split {
  readonly all: boolean
  readonly side: readonly number[]
}

export class Equivocation {
  private readonly splits = new Map<string, Split>()

  constructor(
    private readonly rng: Rng,
    private readonly validators: number,
  ) {}

  /** How the equivocators treat (height, round), the same for all of them. */
  splitOf(height: bigint, round: number): Split {
    const key = `${height}/${round}`
    let split = this.splits.get(key)
    if (!split) {
      split = { all: this.rng.next() < 0.5, side: Array.from({ length: this.validators }, () => this.rng.int(2)) }
      this.splits.set(key, split)
    }
    return split
  }

  /** The vote an equivocator sends beside `vote` under `split`. */
  conflictingVote(vote: Vote, split: Split, secretKey: KeyObject): Vote {
    const evil = evilHashFor(vote.height, vote.round)
    let other: Uint8Array | null
    if (split.all) other = vote.blockHash === null ? evil : this.rng.next() < 0.5 ? null : evil
    else other = vote.blockHash !== null && equalBytes(vote.blockHash, evil) ? null : evil
    const { signature: _, ...unsigned } = vote
    return signVote(FUZZ_CHAIN_ID, { ...unsigned, blockHash: other }, secretKey)
  }

  /** The second proposal an equivocating proposer sends to side 1, or undefined when it sends `proposal` to all. */
  secondProposal(proposal: Proposal, split: Split, secretKey: KeyObject): Proposal | undefined {
    const evil = evilHashFor(proposal.height, proposal.round)
    if (split.all || equalBytes(proposal.blockHash, evil)) return undefined
    const { signature: _, ...unsigned } = proposal
    return signProposal(FUZZ_CHAIN_ID, { ...unsigned, polRound: -1, blockHash: evil }, secretKey)
  }
}
