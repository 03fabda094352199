/**
 * A commit: the precommits of ⅔+ of the voting power for one block at one
 * height and round, the proof that the block is final. It carries only each
 * signer's index in the validator set and its signature; the vote each
 * signature covers is rebuilt from the commit's height, round and hash.
 * Signatures are listed by strictly increasing index, so a validator cannot
 * appear twice and a commit has one encoding for one set of signers.
 */
import { type Codec, strictDecode } from '../../ledger/codec/codec.js'
import '../../ledger/codec/uint64-fix.js'
import { VerifyError } from '../../ledger/errors.js'
import { HASH_BYTES, SIGNATURE_BYTES } from '../../ledger/limits.js'
import * as pb from './bft.js'
import { BFT_LIMITS, commitBytesMax } from './limits.js'
import { isQuorum, type ValidatorSetView } from './validators.js'
import { type Vote, verifyVoteSignature } from './vote.js'

export interface CommitSig {
  readonly validatorIndex: number
  readonly signature: Uint8Array
}

export interface Commit {
  readonly height: bigint
  readonly round: number
  readonly blockHash: Uint8Array
  /** By strictly increasing validatorIndex. */
  readonly signatures: readonly CommitSig[]
}

interface CommitWire {
  height: bigint
  round: number
  blockHash: Uint8Array
  signatures: { validatorIndex: number; signature: Uint8Array }[]
}

const CommitCodec = pb.Commit as unknown as Codec<CommitWire>

/** The commit of `precommits` (each for `blockHash` at `height`, `round`, by a validator of `set`). */
export function commitFromPrecommits(
  height: bigint,
  round: number,
  blockHash: Uint8Array,
  precommits: Iterable<Vote>,
  set: ValidatorSetView,
): Commit {
  const signatures: CommitSig[] = []
  for (const vote of precommits) {
    const validatorIndex = set.indexOf(vote.validator)
    // callers pass votes their vote set accepted: anything else is our bug
    if (validatorIndex < 0) throw new Error('commitFromPrecommits: a precommit of a validator outside the set')
    signatures.push({ validatorIndex, signature: vote.signature })
  }
  signatures.sort((a, b) => a.validatorIndex - b.validatorIndex)
  return { height, round, blockHash, signatures }
}

export function encodeCommit(commit: Commit): Uint8Array {
  return CommitCodec.encode({ ...commit, signatures: [...commit.signatures] })
}

/**
 * Strict decode, bounded by the size of the validator set the commit is for:
 * at most `validatorsMax` signatures (DECODE_TOO_MANY) and the bytes they
 * take. Field checks are verifyCommit's.
 */
export function decodeCommit(bytes: Uint8Array, validatorsMax: number): Commit {
  return strictDecode(CommitCodec, 'commit', bytes, commitBytesMax(validatorsMax), undefined, {
    limits: { signatures: validatorsMax },
  })
}

/**
 * Checks that `commit` finalizes its block under `set` (the validators of its
 * height): well-formed, each signer in the set once, ⅔+ of the power for that
 * exact block, every signature valid. Throws VerifyError COMMIT_* otherwise.
 */
export function verifyCommit(commit: Commit, set: ValidatorSetView, chainId: string): void {
  const bad = (why: string): never => {
    throw new VerifyError('COMMIT_BAD_FIELD', `commit: ${why}`)
  }
  if (commit.height < 1n) bad('height is 0')
  if (!Number.isInteger(commit.round) || commit.round < 0 || commit.round > BFT_LIMITS.roundMax) {
    bad(`round ${commit.round} is outside 0 … ${BFT_LIMITS.roundMax}`)
  }
  if (commit.blockHash.byteLength !== HASH_BYTES) bad(`blockHash is not ${HASH_BYTES} bytes`)
  if (commit.signatures.length > set.size) bad(`${commit.signatures.length} signatures for ${set.size} validators`)

  let power = 0n
  let previous = -1
  for (const { validatorIndex, signature } of commit.signatures) {
    if (validatorIndex === previous) {
      throw new VerifyError('COMMIT_DUPLICATE_VALIDATOR', `commit: validator ${validatorIndex} signs twice`)
    }
    if (!Number.isInteger(validatorIndex) || validatorIndex < previous) bad('signatures are not by increasing index')
    if (validatorIndex >= set.size) {
      throw new VerifyError(
        'COMMIT_UNKNOWN_VALIDATOR',
        `commit: no validator ${validatorIndex} in a set of ${set.size}`,
      )
    }
    if (signature.byteLength !== SIGNATURE_BYTES) bad(`signature ${validatorIndex} is not ${SIGNATURE_BYTES} bytes`)
    power += set.validator(validatorIndex).power
    previous = validatorIndex
  }
  // the power is checked before any signature, so a commit short of a quorum costs no verification
  if (!isQuorum(power, set.totalPower)) {
    throw new VerifyError('COMMIT_NO_QUORUM', `commit: power ${power} of ${set.totalPower} is not more than ⅔`)
  }
  for (const { validatorIndex, signature } of commit.signatures) {
    const validator = set.validator(validatorIndex)
    const precommit: Vote = {
      type: 'precommit',
      height: commit.height,
      round: commit.round,
      blockHash: commit.blockHash,
      validator: validator.address,
      signature,
    }
    if (!verifyVoteSignature(chainId, precommit, validator.publicKey)) {
      throw new VerifyError('COMMIT_BAD_SIGNATURE', `commit: validator ${validatorIndex}'s signature does not verify`)
    }
  }
}
