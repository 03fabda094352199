/**
 * A validator's prevote or precommit for one block (or nil) at one height and
 * round: its fields, signing, and strict codec. Decoding refuses malformed or
 * non-canonical bytes (DecodeError, like ledger/codec/codec.ts) and then checks
 * the fields' shape (VerifyError VOTE_BAD_FIELD); signatures are checked
 * against a validator set by the vote set (vote-set.ts) and evidence checks.
 */
import type { KeyObject } from 'node:crypto'
import { type Codec, strictDecode } from '../../ledger/codec/codec.js'
import '../../ledger/codec/uint64-fix.js'
import { sign, verify } from '../../ledger/crypto.js'
import { type RuleCode, VerifyError } from '../../ledger/errors.js'
import { ADDRESS_BYTES, HASH_BYTES, SIGNATURE_BYTES } from '../../ledger/limits.js'
import { equalBytes } from '../../util/bytes.js'
import * as pb from './bft.js'
import { BFT_LIMITS } from './limits.js'
import { voteSigningBytes } from './signing.js'
import { type VoteType, voteTypeFromWire, voteTypeToWire } from './vote-type.js'

export type { VoteType }

export interface Vote {
  readonly type: VoteType
  /** ≥ 1. */
  readonly height: bigint
  /** 0 … BFT_LIMITS.roundMax. */
  readonly round: number
  /** 32 bytes, or null for a nil vote. */
  readonly blockHash: Uint8Array | null
  /** The voter's 20-byte address. */
  readonly validator: Uint8Array
  readonly signature: Uint8Array
}

export type UnsignedVote = Omit<Vote, 'signature'>

/** The wire message's fields as protons reads and writes them. */
export interface VoteWire {
  type: number
  height: bigint
  round: number
  blockHash: Uint8Array
  validator: Uint8Array
  signature: Uint8Array
  /** Not signed: the round that re-sends the vote (0, left out, when first sent). */
  resend?: number
}

const VoteCodec = pb.Vote as unknown as Codec<VoteWire>

export function signVote(chainId: string, vote: UnsignedVote, secretKey: Uint8Array | KeyObject): Vote {
  return { ...vote, signature: sign(secretKey, voteSigningBytes(chainId, vote)) }
}

/** True when `vote`'s signature is `publicKey`'s over its signing bytes on `chainId`. */
export function verifyVoteSignature(chainId: string, vote: Vote, publicKey: Uint8Array): boolean {
  return verify(publicKey, voteSigningBytes(chainId, vote), vote.signature)
}

/** Throws VerifyError(`code`) unless every field has its shape and range. */
export function checkVoteFields(vote: Vote, code: RuleCode = 'VOTE_BAD_FIELD'): void {
  const bad = (why: string): never => {
    throw new VerifyError(code, `vote: ${why}`)
  }
  if (vote.type !== 'prevote' && vote.type !== 'precommit') bad('unknown type')
  if (vote.height < 1n) bad('height is 0')
  if (!Number.isInteger(vote.round) || vote.round < 0 || vote.round > BFT_LIMITS.roundMax) {
    bad(`round ${vote.round} is outside 0 … ${BFT_LIMITS.roundMax}`)
  }
  if (vote.blockHash !== null && vote.blockHash.byteLength !== HASH_BYTES) bad(`blockHash is not ${HASH_BYTES} bytes`)
  if (vote.validator.byteLength !== ADDRESS_BYTES) bad(`validator is not ${ADDRESS_BYTES} bytes`)
  if (vote.signature.byteLength !== SIGNATURE_BYTES) bad(`signature is not ${SIGNATURE_BYTES} bytes`)
}

export function voteToWire(vote: Vote): VoteWire {
  return {
    type: voteTypeToWire(vote.type),
    height: vote.height,
    round: vote.round,
    blockHash: vote.blockHash ?? new Uint8Array(0),
    validator: vote.validator,
    signature: vote.signature,
  }
}

/** The vote of decoded wire fields, checked (VOTE_BAD_FIELD, or `code` where the vote is part of another object). */
export function voteFromWire(wire: VoteWire, code: RuleCode = 'VOTE_BAD_FIELD'): Vote {
  const type = voteTypeFromWire(wire.type)
  if (type === undefined) throw new VerifyError(code, `vote: unknown type ${wire.type}`)
  const vote: Vote = {
    type,
    height: wire.height,
    round: wire.round,
    // an empty hash is the nil vote; any other length is refused below
    blockHash: wire.blockHash.byteLength === 0 ? null : wire.blockHash,
    validator: wire.validator,
    signature: wire.signature,
  }
  checkVoteFields(vote, code)
  return vote
}

/** The vote's gossip bytes; `resend` > 0 (the round re-sending it) makes them new to gossip's seen-cache. */
export function encodeVote(vote: Vote, resend = 0): Uint8Array {
  return VoteCodec.encode({ ...voteToWire(vote), resend })
}

/** Strict decode: DecodeError for bad bytes, VerifyError VOTE_BAD_FIELD for bad fields. */
export function decodeVote(bytes: Uint8Array): Vote {
  return voteFromWire(strictDecode(VoteCodec, 'vote', bytes, BFT_LIMITS.voteBytesMax))
}

/** Same block hash, nil equal to nil. */
export function sameBlockHash(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b
  return equalBytes(a, b)
}
