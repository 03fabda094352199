/**
 * The round proposer's signed proposal of one block: its fields, signing and
 * strict codec. `polRound` is −1 for a fresh block, or the earlier round in
 * which the block got a polka (⅔+ prevotes), when the proposer re-proposes
 * the block it saw as valid there (Algorithm 1, line 19).
 */
import type { KeyObject } from 'node:crypto'
import { type Codec, strictDecode } from '../../ledger/codec/codec.js'
import '../../ledger/codec/uint64-fix.js'
import { sign, verify } from '../../ledger/crypto.js'
import { VerifyError } from '../../ledger/errors.js'
import { ADDRESS_BYTES, HASH_BYTES, SIGNATURE_BYTES } from '../../ledger/limits.js'
import * as pb from './bft.js'
import { BFT_LIMITS } from './limits.js'
import { proposalSigningBytes } from './signing.js'

export interface Proposal {
  /** ≥ 1. */
  readonly height: bigint
  /** 0 … BFT_LIMITS.roundMax. */
  readonly round: number
  /** −1, or a round < `round`. */
  readonly polRound: number
  /** 32 bytes. */
  readonly blockHash: Uint8Array
  /** The proposer's 20-byte address. */
  readonly proposer: Uint8Array
  readonly signature: Uint8Array
}

export type UnsignedProposal = Omit<Proposal, 'signature'>

interface ProposalWire {
  height: bigint
  round: number
  polRound: number
  blockHash: Uint8Array
  proposer: Uint8Array
  signature: Uint8Array
}

const ProposalCodec = pb.Proposal as unknown as Codec<ProposalWire>

export function signProposal(chainId: string, proposal: UnsignedProposal, secretKey: Uint8Array | KeyObject): Proposal {
  return { ...proposal, signature: sign(secretKey, proposalSigningBytes(chainId, proposal)) }
}

export function verifyProposalSignature(chainId: string, proposal: Proposal, publicKey: Uint8Array): boolean {
  return verify(publicKey, proposalSigningBytes(chainId, proposal), proposal.signature)
}

/** Throws VerifyError PROPOSAL_BAD_FIELD unless every field has its shape and range. */
export function checkProposalFields(proposal: Proposal): void {
  const bad = (why: string): never => {
    throw new VerifyError('PROPOSAL_BAD_FIELD', `proposal: ${why}`)
  }
  if (proposal.height < 1n) bad('height is 0')
  const { round, polRound } = proposal
  if (!Number.isInteger(round) || round < 0 || round > BFT_LIMITS.roundMax) {
    bad(`round ${round} is outside 0 … ${BFT_LIMITS.roundMax}`)
  }
  if (!Number.isInteger(polRound) || polRound < -1 || polRound >= round) {
    bad(`polRound ${polRound} is neither −1 nor a round before ${round}`)
  }
  if (proposal.blockHash.byteLength !== HASH_BYTES) bad(`blockHash is not ${HASH_BYTES} bytes`)
  if (proposal.proposer.byteLength !== ADDRESS_BYTES) bad(`proposer is not ${ADDRESS_BYTES} bytes`)
  if (proposal.signature.byteLength !== SIGNATURE_BYTES) bad(`signature is not ${SIGNATURE_BYTES} bytes`)
}

export function encodeProposal(proposal: Proposal): Uint8Array {
  return ProposalCodec.encode({ ...proposal })
}

/** Strict decode: DecodeError for bad bytes, VerifyError PROPOSAL_BAD_FIELD for bad fields. */
export function decodeProposal(bytes: Uint8Array): Proposal {
  const wire = strictDecode(ProposalCodec, 'proposal', bytes, BFT_LIMITS.proposalBytesMax)
  const proposal: Proposal = { ...wire }
  checkProposalFields(proposal)
  return proposal
}
