/**
 * The votes of one height: for each round and vote type, at most one vote per
 * validator, tallied by voting power per block hash (nil included).
 *
 * Memory is bounded: a vote for a round past the current round plus
 * `roundWindow` is refused (VOTE_ROUND_TOO_FAR) before anything is stored, so
 * a flood of future-round votes holds at most `roundWindow` rounds of n votes
 * each. The current round only moves on timeouts or on +⅓ of the power
 * voting in a higher round, which faulty validators alone cannot reach.
 *
 * A second vote of a validator for another hash in the same round and type is
 * equivocation: it comes back as evidence, and it is also counted toward the
 * power of its own hash (up to CONFLICTING_MAX votes per validator, round and
 * type), as the paper counts every message received. Counting only the first
 * vote let an equivocator split the validators: those who heard its votes in
 * different orders saw different polkas, some locked on a value whose polka
 * the others could never count, and the height never decided (the BFT
 * fuzzer, src/sim/bft-fuzz/). Safety is kept: two quorums still share more
 * than ⅓ of the power, of which the equivocators hold less than ⅓. A
 * validator still counts once toward "⅔+ voted for anything" and the
 * round-skip tally.
 */
import { VerifyError } from '../../ledger/errors.js'
import { equalBytes, toHex } from '../../util/bytes.js'
import { type DuplicateVoteEvidence, duplicateVoteEvidence } from './evidence.js'
import { isQuorum, type ValidatorSetView } from './validators.js'
import { checkVoteFields, sameBlockHash, type Vote, verifyVoteSignature } from './vote.js'
import type { VoteType } from './vote-type.js'

/** Rounds beyond the current one whose votes are kept (for the round-skip rule). */
export const DEFAULT_ROUND_WINDOW = 3

/** Conflicting votes counted per validator, round and type beyond its first: enough to undo a split, bounded. */
export const CONFLICTING_MAX = 3

export type AddVoteResult =
  | { readonly kind: 'added' }
  /** The same vote again: nothing changes. */
  | { readonly kind: 'duplicate' }
  /** A conflicting vote of a validator that already voted: evidence; `counted` toward its hash. */
  | { readonly kind: 'equivocation'; readonly evidence: DuplicateVoteEvidence; readonly counted: boolean }

/** What ⅔+ of the power voted for: a block hash, or null for nil. */
export interface QuorumValue {
  readonly blockHash: Uint8Array | null
}

const hashKey = (hash: Uint8Array | null): string => (hash === null ? 'nil' : toHex(hash))

/** The votes of one type in one round. */
class Tally {
  /** Each validator's first vote. */
  readonly byValidator = new Map<number, Vote>()
  /** An equivocator's later votes, each for another hash (at most CONFLICTING_MAX). */
  readonly conflicting = new Map<number, Vote[]>()
  readonly byHash = new Map<string, { readonly blockHash: Uint8Array | null; power: bigint }>()
  /** Power that voted, each validator once. */
  power = 0n

  add(index: number, vote: Vote, power: bigint): void {
    this.byValidator.set(index, vote)
    this.addToHash(vote, power)
    this.power += power
  }

  /** Counts a conflicting vote toward its hash; false when the validator's cap is reached. */
  addConflicting(index: number, vote: Vote, power: bigint): boolean {
    const list = this.conflicting.get(index) ?? []
    if (list.length >= CONFLICTING_MAX) return false
    list.push(vote)
    this.conflicting.set(index, list)
    this.addToHash(vote, power)
    return true
  }

  /** The vote `index` cast for `blockHash`, if any (its first or a conflicting one). */
  voteFor(index: number, blockHash: Uint8Array | null): Vote | undefined {
    const first = this.byValidator.get(index)
    if (first && sameBlockHash(first.blockHash, blockHash)) return first
    return this.conflicting.get(index)?.find((v) => sameBlockHash(v.blockHash, blockHash))
  }

  private addToHash(vote: Vote, power: bigint): void {
    const key = hashKey(vote.blockHash)
    const entry = this.byHash.get(key)
    if (entry) entry.power += power
    else this.byHash.set(key, { blockHash: vote.blockHash, power })
  }
}

class RoundVotes {
  readonly prevote = new Tally()
  readonly precommit = new Tally()
  /** Validators with a vote of either type in this round, and their power: the round-skip tally. */
  readonly voters = new Set<number>()
  voterPower = 0n
}

export class HeightVoteSet {
  private readonly rounds = new Map<number, RoundVotes>()
  private currentRound = 0

  constructor(
    readonly chainId: string,
    readonly height: bigint,
    readonly validators: ValidatorSetView,
    readonly roundWindow: number = DEFAULT_ROUND_WINDOW,
  ) {}

  get round(): number {
    return this.currentRound
  }

  /** Moves the window forward with the round state machine (never back). */
  setRound(round: number): void {
    if (round > this.currentRound) this.currentRound = round
  }

  /** How many rounds hold votes: what a flood of votes could grow. */
  get roundsHeld(): number {
    return this.rounds.size
  }

  /**
   * Adds a vote after checking its height, fields, round window, validator and
   * signature. Throws VerifyError VOTE_* for a vote that must not count.
   */
  add(vote: Vote): AddVoteResult {
    if (vote.height !== this.height) {
      throw new VerifyError('VOTE_WRONG_HEIGHT', `vote for height ${vote.height}, at ${this.height}`)
    }
    checkVoteFields(vote)
    if (vote.round > this.currentRound + this.roundWindow) {
      throw new VerifyError('VOTE_ROUND_TOO_FAR', `vote for round ${vote.round}, at ${this.currentRound}`)
    }
    const index = this.validators.indexOf(vote.validator)
    if (index < 0) throw new VerifyError('VOTE_UNKNOWN_VALIDATOR', 'vote of a validator outside the set')
    const tally = this.rounds.get(vote.round)?.[vote.type]
    const previous = tally?.byValidator.get(index)
    const same = tally?.voteFor(index, vote.blockHash)
    // Ed25519 signatures are deterministic, so an identical one needs no second check
    if (same && equalBytes(same.signature, vote.signature)) return { kind: 'duplicate' }
    const { publicKey, power } = this.validators.validator(index)
    if (!verifyVoteSignature(this.chainId, vote, publicKey)) {
      throw new VerifyError('VOTE_BAD_SIGNATURE', `vote of validator ${index} does not verify`)
    }
    if (same) return { kind: 'duplicate' }
    if (previous && tally) {
      const counted = tally.addConflicting(index, vote, power)
      return { kind: 'equivocation', evidence: duplicateVoteEvidence(previous, vote), counted }
    }
    const round = this.roundVotes(vote.round)
    round[vote.type].add(index, vote, power)
    if (!round.voters.has(index)) {
      round.voters.add(index)
      round.voterPower += power
    }
    return { kind: 'added' }
  }

  /** The block hash (or nil) that ⅔+ of the power voted for in (`round`, `type`), if any. */
  quorumValue(round: number, type: VoteType): QuorumValue | undefined {
    const tally = this.rounds.get(round)?.[type]
    if (!tally) return undefined
    for (const { blockHash, power } of tally.byHash.values()) {
      if (isQuorum(power, this.validators.totalPower)) return { blockHash }
    }
    return undefined
  }

  /** True when ⅔+ of the power voted in (`round`, `type`), for anything. */
  hasQuorumAny(round: number, type: VoteType): boolean {
    const tally = this.rounds.get(round)?.[type]
    return tally !== undefined && isQuorum(tally.power, this.validators.totalPower)
  }

  /** Power that voted for `blockHash` (null: nil) in (`round`, `type`). */
  powerFor(round: number, type: VoteType, blockHash: Uint8Array | null): bigint {
    return this.rounds.get(round)?.[type].byHash.get(hashKey(blockHash))?.power ?? 0n
  }

  /**
   * The highest round above the current one in which validators of more than
   * ⅓ of the power voted (any type, each counted once): at least one of them
   * is honest and already there, so the machine may skip ahead (line 55).
   */
  skipRound(): number | undefined {
    let best: number | undefined
    for (const [round, votes] of this.rounds) {
      if (round <= this.currentRound || (best !== undefined && round <= best)) continue
      if (votes.voterPower * 3n > this.validators.totalPower) best = round
    }
    return best
  }

  /** The votes of (`round`, `type`) for `blockHash` (null: nil), by validator index. */
  votesFor(round: number, type: VoteType, blockHash: Uint8Array | null): Vote[] {
    const tally = this.rounds.get(round)?.[type]
    if (!tally) return []
    const out: Vote[] = []
    for (const index of [...tally.byValidator.keys()].sort((a, b) => a - b)) {
      const vote = tally.voteFor(index, blockHash)
      if (vote) out.push(vote)
    }
    return out
  }

  private roundVotes(round: number): RoundVotes {
    let votes = this.rounds.get(round)
    if (!votes) {
      votes = new RoundVotes()
      this.rounds.set(round, votes)
    }
    return votes
  }
}
