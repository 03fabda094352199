/**
 * Evidence that a validator double-signed: two votes of its own for the same
 * height, round and type with different block hashes. The pair is kept in
 * one order (voteA's hash first in byte order, nil first), so the same
 * double-sign always has the same bytes and is counted once.
 *
 * `verifyEvidence` is what convicts a validator, so it refuses anything an
 * innocent validator did not sign twice: each vote must verify against the
 * validator's own key, and the two must genuinely conflict.
 */
import { type Codec, strictDecode } from '../../ledger/codec/codec.js'
import { DecodeError, VerifyError } from '../../ledger/errors.js'
import { compareBytes, equalBytes } from '../../util/bytes.js'
import * as pb from './bft.js'
import { BFT_LIMITS } from './limits.js'
import type { ValidatorSetView } from './validators.js'
import { checkVoteFields, type Vote, type VoteWire, verifyVoteSignature, voteFromWire, voteToWire } from './vote.js'

export interface DuplicateVoteEvidence {
  readonly voteA: Vote
  readonly voteB: Vote
}

interface EvidenceWire {
  voteA?: VoteWire
  voteB?: VoteWire
}

const EvidenceCodec = pb.DuplicateVoteEvidence as unknown as Codec<EvidenceWire>
const NIL = new Uint8Array(0)

/** Byte order of the two block hashes, nil (empty) first: the canonical order of a pair. */
function compareHashes(a: Vote, b: Vote): number {
  return compareBytes(a.blockHash ?? NIL, b.blockHash ?? NIL)
}

/** The evidence of two conflicting votes, in canonical order whichever came first. */
export function duplicateVoteEvidence(first: Vote, second: Vote): DuplicateVoteEvidence {
  return compareHashes(first, second) <= 0 ? { voteA: first, voteB: second } : { voteA: second, voteB: first }
}

export function encodeEvidence(ev: DuplicateVoteEvidence): Uint8Array {
  return EvidenceCodec.encode({ voteA: voteToWire(ev.voteA), voteB: voteToWire(ev.voteB) })
}

/** Strict decode: DecodeError for bad bytes or an out-of-order pair, EVIDENCE_BAD_VOTE for a malformed vote. */
export function decodeEvidence(bytes: Uint8Array): DuplicateVoteEvidence {
  const wire = strictDecode(EvidenceCodec, 'evidence', bytes, BFT_LIMITS.evidenceBytesMax)
  if (wire.voteA === undefined || wire.voteB === undefined) {
    throw new DecodeError('DECODE_MALFORMED', 'evidence: a vote is missing')
  }
  if ((wire.voteA.resend ?? 0) !== 0 || (wire.voteB.resend ?? 0) !== 0) {
    // one double sign, one encoding: a vote's resend count is gossip's, never evidence's
    throw new DecodeError('DECODE_NON_CANONICAL', 'evidence: a vote carries a resend count')
  }
  const ev = {
    voteA: voteFromWire(wire.voteA, 'EVIDENCE_BAD_VOTE'),
    voteB: voteFromWire(wire.voteB, 'EVIDENCE_BAD_VOTE'),
  }
  if (compareHashes(ev.voteA, ev.voteB) > 0) {
    throw new DecodeError('DECODE_NON_CANONICAL', 'evidence: votes are not in block-hash order')
  }
  return ev
}

/**
 * Checks `ev` against the validator set of the votes' height and returns the
 * index of the validator it convicts. Throws VerifyError EVIDENCE_* otherwise.
 */
export function verifyEvidence(ev: DuplicateVoteEvidence, set: ValidatorSetView, chainId: string): number {
  const { voteA, voteB } = ev
  checkVoteFields(voteA, 'EVIDENCE_BAD_VOTE')
  checkVoteFields(voteB, 'EVIDENCE_BAD_VOTE')
  const notConflicting = (why: string): never => {
    throw new VerifyError('EVIDENCE_NOT_CONFLICTING', `evidence: ${why}`)
  }
  if (!equalBytes(voteA.validator, voteB.validator)) notConflicting('votes of two validators')
  if (voteA.height !== voteB.height) notConflicting('votes of two heights')
  if (voteA.round !== voteB.round) notConflicting('votes of two rounds')
  if (voteA.type !== voteB.type) notConflicting('votes of two types')
  const order = compareHashes(voteA, voteB)
  if (order === 0) notConflicting('the same block hash twice')
  if (order > 0) throw new VerifyError('EVIDENCE_BAD_VOTE', 'evidence: votes are not in block-hash order')
  const index = set.indexOf(voteA.validator)
  if (index < 0) throw new VerifyError('EVIDENCE_UNKNOWN_VALIDATOR', 'evidence: the validator is not in the set')
  const { publicKey } = set.validator(index)
  if (!verifyVoteSignature(chainId, voteA, publicKey) || !verifyVoteSignature(chainId, voteB, publicKey)) {
    throw new VerifyError('EVIDENCE_BAD_SIGNATURE', "evidence: a vote is not signed by the validator's key")
  }
  return index
}
