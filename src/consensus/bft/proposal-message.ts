/**
 * What the proposal topic carries: a signed proposal and the block it
 * proposes, so a validator can check the block before it prevotes.
 *
 * Encoding: proposalLength(2, BE) | proposal bytes | block bytes. Decoding
 * checks the length against the proposal's bound and the whole against the
 * block's: the parts themselves are decoded strictly by their own codecs.
 */
import { DecodeError } from '../../ledger/errors.js'
import { BFT_LIMITS } from './limits.js'

export interface ProposalMessage {
  proposal: Uint8Array
  block: Uint8Array
}

export function encodeProposalMessage(msg: ProposalMessage): Uint8Array {
  const out = new Uint8Array(2 + msg.proposal.length + msg.block.length)
  out[0] = msg.proposal.length >>> 8
  out[1] = msg.proposal.length & 0xff
  out.set(msg.proposal, 2)
  out.set(msg.block, 2 + msg.proposal.length)
  return out
}

/** Splits a proposal message; `blockBytesMax` is the chain's block size limit. Throws DecodeError. */
export function decodeProposalMessage(bytes: Uint8Array, blockBytesMax: number): ProposalMessage {
  if (bytes.length < 2) throw new DecodeError('DECODE_MALFORMED', 'proposal message without its length')
  const length = ((bytes[0] as number) << 8) | (bytes[1] as number)
  if (length === 0 || length > BFT_LIMITS.proposalBytesMax || 2 + length > bytes.length) {
    throw new DecodeError('DECODE_MALFORMED', `proposal part of ${length} bytes in a message of ${bytes.length}`)
  }
  if (bytes.length - 2 - length > blockBytesMax) {
    throw new DecodeError('DECODE_TOO_LARGE', `proposed block of ${bytes.length - 2 - length} bytes`)
  }
  return { proposal: bytes.subarray(2, 2 + length), block: bytes.subarray(2 + length) }
}
