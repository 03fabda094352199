import { describe, expect, it } from 'vitest'
import * as pb from '../../../../src/consensus/bft/bft.js'
import { BFT_LIMITS } from '../../../../src/consensus/bft/limits.js'
import {
  decodeProposal,
  encodeProposal,
  signProposal,
  verifyProposalSignature,
} from '../../../../src/consensus/bft/proposal.js'
import { proposalSigningBytes, voteSigningBytes } from '../../../../src/consensus/bft/signing.js'
import { decodeVote, encodeVote, verifyVoteSignature } from '../../../../src/consensus/bft/vote.js'
import type { RuleCode } from '../../../../src/ledger/errors.js'
import { signingBytes as txSigningBytes } from '../../../../src/ledger/tx.js'
import { addressOf, bytesOf, concat, expectVerifyError, normalize, testKey, txFields } from '../../ledger/fixtures.js'
import { blockHash, CHAIN_ID, proposalBy, voteBy } from './helpers.js'

const u8 = (...bytes: number[]): Uint8Array => new Uint8Array(bytes)
const decodeError = (fn: () => unknown, code: RuleCode): void => {
  expectVerifyError(fn, code, 'reject')
}

/** Raw wire fields of a well-formed vote, for building bad ones. */
function wireVote(overrides: Partial<pb.Vote> = {}): Uint8Array {
  const vote = voteBy(1)
  return pb.Vote.encode({
    type: 1,
    height: 1n,
    round: 0,
    blockHash: vote.blockHash as Uint8Array<ArrayBuffer>,
    validator: vote.validator as Uint8Array<ArrayBuffer>,
    signature: vote.signature as Uint8Array<ArrayBuffer>,
    ...overrides,
  })
}

function wireProposal(overrides: Partial<pb.Proposal> = {}): Uint8Array {
  const p = proposalBy(1, { round: 2, polRound: 1 })
  return pb.Proposal.encode({
    height: 1n,
    round: 2,
    polRound: 1,
    blockHash: p.blockHash as Uint8Array<ArrayBuffer>,
    proposer: p.proposer as Uint8Array<ArrayBuffer>,
    signature: p.signature as Uint8Array<ArrayBuffer>,
    ...overrides,
  })
}

describe('vote codec', () => {
  it('round-trips prevotes, precommits and nil votes, large heights and rounds included', () => {
    const cases = [
      { signer: 0, vote: voteBy(0) },
      { signer: 1, vote: voteBy(1, { type: 'precommit', round: 7 }) },
      { signer: 2, vote: voteBy(2, { blockHash: null }) },
      // 2^31 … 2^32 is where protons' uint64 writer goes wrong without uint64-fix.ts
      { signer: 3, vote: voteBy(3, { height: 3_000_000_000n, round: BFT_LIMITS.roundMax }) },
      { signer: 3, vote: voteBy(3, { height: (1n << 64n) - 1n }) },
    ]
    for (const { signer, vote } of cases) {
      const bytes = encodeVote(vote)
      expect(bytes.byteLength).toBeLessThanOrEqual(BFT_LIMITS.voteBytesMax)
      const back = decodeVote(bytes)
      expect(normalize(back)).toEqual(normalize(vote))
      expect(verifyVoteSignature(CHAIN_ID, back, testKey(signer).publicKey)).toBe(true)
    }
  })

  it('a re-sent vote has new bytes (so gossip carries it again) and decodes to the same signed vote', () => {
    const vote = voteBy(2, { type: 'precommit', round: 3 })
    const first = encodeVote(vote)
    const again = encodeVote(vote, 4)
    expect(again).not.toEqual(first)
    expect(again.byteLength).toBeLessThanOrEqual(BFT_LIMITS.voteBytesMax)
    expect(decodeVote(again)).toEqual(decodeVote(first))
    expect(verifyVoteSignature(CHAIN_ID, decodeVote(again), testKey(2).publicKey)).toBe(true)
    // an explicit 0 is not the canonical first sending
    expect(() => decodeVote(concat(first, new Uint8Array([0x38, 0x00])))).toThrow()
  })

  it('refuses oversized, malformed and non-canonical bytes with a DecodeError', () => {
    const good = encodeVote(voteBy(1))
    decodeError(() => decodeVote(new Uint8Array(BFT_LIMITS.voteBytesMax + 1)), 'DECODE_TOO_LARGE')
    decodeError(() => decodeVote(good.subarray(0, good.byteLength - 3)), 'DECODE_MALFORMED')
    decodeError(() => decodeVote(u8(0x0f)), 'DECODE_MALFORMED')
    // an unknown field, an explicit default (round 0), a non-minimal varint, fields out of order
    decodeError(() => decodeVote(concat(good, u8(0x48, 0x01))), 'DECODE_NON_CANONICAL')
    decodeError(() => decodeVote(concat(u8(0x18, 0x00), good)), 'DECODE_NON_CANONICAL')
    decodeError(() => decodeVote(concat(u8(0x08, 0x81, 0x00), good.subarray(2))), 'DECODE_NON_CANONICAL')
    const typeField = good.subarray(0, 2)
    const heightField = good.subarray(2, 4)
    decodeError(() => decodeVote(concat(heightField, typeField, good.subarray(4))), 'DECODE_NON_CANONICAL')
  })

  it('refuses well-formed bytes with a bad field with VOTE_BAD_FIELD', () => {
    const bad = (overrides: Partial<pb.Vote>): void => {
      expectVerifyError(() => decodeVote(wireVote(overrides)), 'VOTE_BAD_FIELD', 'reject')
    }
    bad({ type: 0 })
    bad({ type: 3 })
    bad({ height: 0n })
    bad({ round: BFT_LIMITS.roundMax + 1 })
    bad({ blockHash: bytesOf(31, 1) as Uint8Array<ArrayBuffer> })
    bad({ blockHash: bytesOf(33, 1) as Uint8Array<ArrayBuffer> })
    bad({ validator: bytesOf(19, 1) as Uint8Array<ArrayBuffer> })
    bad({ signature: bytesOf(63, 1) as Uint8Array<ArrayBuffer> })
    bad({ signature: new Uint8Array(0) })
  })
})

describe('proposal codec', () => {
  it('round-trips fresh proposals and re-proposals', () => {
    for (const p of [proposalBy(0), proposalBy(2, { round: 5, polRound: 3, height: 4_000_000_000n })]) {
      const back = decodeProposal(encodeProposal(p))
      expect(normalize(back)).toEqual(normalize(p))
    }
  })

  it('refuses oversized and non-canonical bytes', () => {
    const good = encodeProposal(proposalBy(0))
    decodeError(() => decodeProposal(new Uint8Array(BFT_LIMITS.proposalBytesMax + 1)), 'DECODE_TOO_LARGE')
    decodeError(() => decodeProposal(concat(good, u8(0x38, 0x01))), 'DECODE_NON_CANONICAL')
    decodeError(() => decodeProposal(good.subarray(0, good.byteLength - 1)), 'DECODE_MALFORMED')
  })

  it('refuses a polRound that is neither −1 nor an earlier round, and bad lengths, with PROPOSAL_BAD_FIELD', () => {
    const bad = (overrides: Partial<pb.Proposal>): void => {
      expectVerifyError(() => decodeProposal(wireProposal(overrides)), 'PROPOSAL_BAD_FIELD', 'reject')
    }
    expect(decodeProposal(wireProposal()).polRound).toBe(1)
    bad({ polRound: 2 })
    bad({ polRound: 3 })
    bad({ polRound: -2 })
    bad({ round: 0, polRound: 0 })
    bad({ height: 0n })
    bad({ round: BFT_LIMITS.roundMax + 1, polRound: -1 })
    bad({ blockHash: new Uint8Array(0) })
    bad({ proposer: bytesOf(21, 1) as Uint8Array<ArrayBuffer> })
    bad({ signature: bytesOf(65, 1) as Uint8Array<ArrayBuffer> })
  })
})

describe('signing bytes', () => {
  const fields = { type: 'prevote' as const, height: 5n, round: 1, blockHash: blockHash('A') }

  it('start with a domain tag of their own, never a transaction’s', () => {
    const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1')
    expect(text(voteSigningBytes(CHAIN_ID, fields))).toMatch(/^peerchain\/vote\/v1\n/)
    const proposal = { height: 5n, round: 1, polRound: -1, blockHash: blockHash('A') }
    expect(text(proposalSigningBytes(CHAIN_ID, proposal))).toMatch(/^peerchain\/proposal\/v1\n/)
    expect(text(txSigningBytes(txFields()))).toMatch(/^peerchain\/tx\/v1\n/)
  })

  it('bind the chain id, the type, the round and the hash', () => {
    const vote = voteBy(0, fields)
    const key = testKey(0).publicKey
    expect(verifyVoteSignature(CHAIN_ID, vote, key)).toBe(true)
    expect(verifyVoteSignature('other-chain', vote, key)).toBe(false)
    expect(verifyVoteSignature(CHAIN_ID, { ...vote, type: 'precommit' }, key)).toBe(false)
    expect(verifyVoteSignature(CHAIN_ID, { ...vote, round: 2 }, key)).toBe(false)
    expect(verifyVoteSignature(CHAIN_ID, { ...vote, height: 6n }, key)).toBe(false)
    expect(verifyVoteSignature(CHAIN_ID, { ...vote, blockHash: null }, key)).toBe(false)
    expect(verifyVoteSignature(CHAIN_ID, vote, testKey(1).publicKey)).toBe(false)
  })

  it('differ for every pair of distinct votes (no two share signing bytes)', () => {
    const seen = new Set<string>()
    for (const type of ['prevote', 'precommit'] as const)
      for (const height of [1n, 256n])
        for (const round of [0, 1, 256])
          for (const hash of [null, blockHash('A'), blockHash('B')])
            for (const chainId of ['a', 'ab'])
              seen.add(Buffer.from(voteSigningBytes(chainId, { type, height, round, blockHash: hash })).toString('hex'))
    expect(seen.size).toBe(2 * 2 * 3 * 3 * 2)
  })

  it('a proposal signature binds polRound and the chain', () => {
    const p = signProposal(
      CHAIN_ID,
      { height: 3n, round: 2, polRound: 0, blockHash: blockHash('A'), proposer: addressOf(0) },
      testKey(0).secretKey,
    )
    const key = testKey(0).publicKey
    expect(verifyProposalSignature(CHAIN_ID, p, key)).toBe(true)
    expect(verifyProposalSignature(CHAIN_ID, { ...p, polRound: -1 }, key)).toBe(false)
    expect(verifyProposalSignature('other-chain', p, key)).toBe(false)
  })
})
