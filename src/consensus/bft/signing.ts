/**
 * The bytes a validator signs for a vote or a proposal. Each starts with its
 * own domain tag (never a tx's `peerchain/tx/v1\n`), so no signature can be
 * read as another kind of message, then the chain id, so no vote can be
 * replayed on another chain, then the fields in a fixed-width layout, so two
 * different messages never share signing bytes.
 *
 * The signer's address is not signed: the signature is checked against the key
 * of the validator the message names, so a vote under another name fails.
 * That also lets a commit carry bare signatures by validator index.
 */
import { u64be } from '../../util/bytes.js'
import { type VoteType, voteTypeToWire } from './vote-type.js'

const encoder = new TextEncoder()
const VOTE_DOMAIN = encoder.encode('peerchain/vote/v1\n')
const PROPOSAL_DOMAIN = encoder.encode('peerchain/proposal/v1\n')
const CHAIN_ID_BYTES_MAX = 255

export interface VoteSigningFields {
  readonly type: VoteType
  readonly height: bigint
  readonly round: number
  readonly blockHash: Uint8Array | null
}

export interface ProposalSigningFields {
  readonly height: bigint
  readonly round: number
  readonly polRound: number
  readonly blockHash: Uint8Array
}

/** `domain ‖ len(chainId) ‖ chainId ‖ type ‖ height u64 ‖ round u32 ‖ 0 | 1 ‖ hash` */
export function voteSigningBytes(chainId: string, vote: VoteSigningFields): Uint8Array {
  const hash = vote.blockHash
  const tail = new Uint8Array(1 + 8 + 4 + 1 + (hash ? hash.byteLength : 0))
  const view = new DataView(tail.buffer)
  tail[0] = voteTypeToWire(vote.type)
  tail.set(u64be(vote.height), 1)
  view.setUint32(9, vote.round)
  if (hash) {
    tail[13] = 1
    tail.set(hash, 14)
  }
  return join(VOTE_DOMAIN, chainId, tail)
}

/** `domain ‖ len(chainId) ‖ chainId ‖ height u64 ‖ round u32 ‖ polRound + 1 u32 ‖ hash` */
export function proposalSigningBytes(chainId: string, proposal: ProposalSigningFields): Uint8Array {
  const tail = new Uint8Array(8 + 4 + 4 + proposal.blockHash.byteLength)
  const view = new DataView(tail.buffer)
  tail.set(u64be(proposal.height), 0)
  view.setUint32(8, proposal.round)
  view.setUint32(12, proposal.polRound + 1)
  tail.set(proposal.blockHash, 16)
  return join(PROPOSAL_DOMAIN, chainId, tail)
}

function join(domain: Uint8Array, chainId: string, tail: Uint8Array): Uint8Array {
  const id = encoder.encode(chainId)
  // the chain id is our own configuration, never a peer's: a bad one is our bug
  if (id.byteLength > CHAIN_ID_BYTES_MAX) throw new RangeError(`chain id longer than ${CHAIN_ID_BYTES_MAX} bytes`)
  const out = new Uint8Array(domain.byteLength + 1 + id.byteLength + tail.byteLength)
  out.set(domain, 0)
  out[domain.byteLength] = id.byteLength
  out.set(id, domain.byteLength + 1)
  out.set(tail, domain.byteLength + 1 + id.byteLength)
  return out
}
