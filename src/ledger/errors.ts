/**
 * Typed errors for everything a peer can send us.
 *
 * A `VerifyError` is a peer's fault or a stale/unlucky message: it has a stable
 * `code`, and a `verdict` the network layer maps straight onto gossip
 * (`ignore` drops silently, `reject` drops and charges the sender `penalty`).
 * A `DecodeError` is malformed bytes: always `reject`. Our own bugs are plain
 * `Error`s and must never be caught as a peer's fault.
 */

export type Verdict = 'ignore' | 'reject'

interface Rule {
  verdict: Verdict
  penalty: number
}

const ignore: Rule = { verdict: 'ignore', penalty: 0 }
const reject = (penalty: number): Rule => ({ verdict: 'reject', penalty })

/** Every rule code, with what it costs the peer that sent the object. */
export const RULES = {
  // decoding
  DECODE_TOO_LARGE: reject(100),
  DECODE_MALFORMED: reject(100),
  DECODE_NON_CANONICAL: reject(100),
  DECODE_TOO_MANY: reject(100),
  // transaction, stateless
  TX_BAD_FIELD: reject(100),
  TX_TOO_LARGE: reject(100),
  TX_MEMO_TOO_LARGE: reject(100),
  TX_WRONG_CHAIN: reject(20),
  TX_AMOUNT_OVERFLOW: reject(100),
  TX_FEE_TOO_LOW: ignore,
  TX_BAD_SIGNATURE: reject(100),
  // tx kinds (tx-kind.ts): an undefined kind, a staking kind on a chain without stake, a payload wrong for its kind
  TX_BAD_KIND: reject(100),
  TX_KIND_UNSUPPORTED: reject(100),
  TX_BAD_PAYLOAD: reject(100),
  // transaction, against state
  TX_NONCE_TOO_LOW: ignore,
  TX_NONCE_TOO_HIGH: ignore,
  TX_INSUFFICIENT_BALANCE: ignore,
  // block header
  BLOCK_BAD_FIELD: reject(100),
  BLOCK_BAD_VERSION: reject(100),
  BLOCK_KNOWN: ignore,
  BLOCK_PARENT_UNKNOWN: ignore,
  BLOCK_INVALID_ANCESTOR: reject(100),
  BLOCK_BAD_HEIGHT: reject(100),
  BLOCK_TIME_TOO_OLD: reject(100),
  BLOCK_TIME_TOO_NEW: ignore,
  BLOCK_BAD_TARGET: reject(100),
  BLOCK_BAD_POW: reject(100),
  // header version 2: mmrRoot is the MMR of every ancestor's hash (ledger/mmr.ts)
  BLOCK_BAD_MMR_ROOT: reject(100),
  BLOCK_BAD_VALIDATORS_HASH: reject(100),
  BLOCK_REORG_TOO_DEEP: ignore,
  // proof of stake: a block comes with its commit; without one it is not the sender's lie, just incomplete
  BLOCK_MISSING_COMMIT: ignore,
  // a proposal whose block is not the one it names: the proposer signed it, the sender relayed a mismatch
  PROPOSAL_BLOCK_MISMATCH: reject(100),
  // block body
  BLOCK_TOO_LARGE: reject(100),
  BLOCK_TOO_MANY_TXS: reject(100),
  BLOCK_BAD_TX_ROOT: reject(100),
  BLOCK_DUPLICATE_TX: reject(100),
  BLOCK_INVALID_TX: reject(100),
  BLOCK_BAD_REWARD: reject(100),
  BLOCK_BAD_STATE_ROOT: reject(100),
  // mempool admission
  MEMPOOL_DUPLICATE: ignore,
  MEMPOOL_FULL: ignore,
  MEMPOOL_REPLACEMENT_UNDERPRICED: ignore,
  MEMPOOL_SENDER_LIMIT: ignore,
  MEMPOOL_NONCE_GAP: ignore,
  // BFT votes and proposals (consensus/bft/). A message for another height or
  // too far ahead in rounds may be a slow or fast honest peer's: ignored.
  VOTE_BAD_FIELD: reject(100),
  VOTE_BAD_SIGNATURE: reject(100),
  VOTE_UNKNOWN_VALIDATOR: reject(20),
  VOTE_WRONG_HEIGHT: ignore,
  VOTE_ROUND_TOO_FAR: ignore,
  PROPOSAL_BAD_FIELD: reject(100),
  PROPOSAL_BAD_SIGNATURE: reject(100),
  PROPOSAL_WRONG_PROPOSER: reject(50),
  PROPOSAL_WRONG_HEIGHT: ignore,
  PROPOSAL_ROUND_TOO_FAR: ignore,
  // a second, different proposal of the round's proposer: a relaying peer may be honest
  PROPOSAL_CONFLICTING: ignore,
  // BFT commits: the precommits that finalize a block
  COMMIT_BAD_FIELD: reject(100),
  COMMIT_BAD_SIGNATURE: reject(100),
  COMMIT_UNKNOWN_VALIDATOR: reject(100),
  COMMIT_DUPLICATE_VALIDATOR: reject(100),
  COMMIT_NO_QUORUM: reject(100),
  // a commit of a height whose validators are not known yet: from further ahead than we are, not a lie
  COMMIT_EPOCH_UNKNOWN: ignore,
  // double-sign evidence: whoever sends a bad one tries to convict an innocent validator
  EVIDENCE_BAD_VOTE: reject(100),
  EVIDENCE_NOT_CONFLICTING: reject(100),
  EVIDENCE_UNKNOWN_VALIDATOR: reject(100),
  EVIDENCE_BAD_SIGNATURE: reject(100),
  // evidence against the state: stale, early or already punished, not a lie
  EVIDENCE_TOO_OLD: ignore,
  EVIDENCE_FROM_FUTURE: ignore,
  EVIDENCE_DUPLICATE: ignore,
  // stake and unstake against the state
  TX_INSUFFICIENT_STAKE: ignore,
  TX_UNBONDING_FULL: ignore,
  TX_VALIDATOR_TOMBSTONED: ignore,
} as const satisfies Record<string, Rule>

export type RuleCode = keyof typeof RULES
export type DecodeCode = Extract<RuleCode, `DECODE_${string}`>

export class VerifyError extends Error {
  override readonly name: string = 'VerifyError'
  readonly verdict: Verdict
  readonly penalty: number

  constructor(
    readonly code: RuleCode,
    message: string,
  ) {
    super(`${code}: ${message}`)
    this.verdict = RULES[code].verdict
    this.penalty = RULES[code].penalty
  }
}

/** Malformed or non-canonical bytes. Always the sender's fault. */
export class DecodeError extends VerifyError {
  override readonly name = 'DecodeError'
  constructor(code: DecodeCode, message: string) {
    super(code, message)
  }
}

/**
 * A transaction that was fine for the mempool's rules but breaks a block:
 * inside a block every tx fault is the block's fault, so it is always `reject`.
 */
export class BlockTxError extends VerifyError {
  override readonly name = 'BlockTxError'
  constructor(
    readonly txIndex: number,
    override readonly cause: VerifyError,
  ) {
    super('BLOCK_INVALID_TX', `tx ${txIndex}: ${cause.message}`)
  }
}

export function isVerifyError(err: unknown): err is VerifyError {
  return err instanceof VerifyError
}
