import { describe, expect, it } from 'vitest'
import {
  type Commit,
  commitFromPrecommits,
  decodeCommit,
  encodeCommit,
  verifyCommit,
} from '../../../../src/consensus/bft/commit.js'
import { commitBytesMax } from '../../../../src/consensus/bft/limits.js'
import { concat, expectVerifyError, normalize } from '../../ledger/fixtures.js'
import { blockHash, CHAIN_ID, RoundRobinSet, voteBy } from './helpers.js'

const A = blockHash('A')
const set = RoundRobinSet.equal(4)

/** Precommits for A at height 1, round 2, by `signers`. */
function commitBy(signers: number[], validators: RoundRobinSet = set): Commit {
  const precommits = signers.map((i) => voteBy(i, { type: 'precommit', round: 2, blockHash: A }))
  return commitFromPrecommits(1n, 2, A, precommits, validators)
}

const sig = (commit: Commit, i: number) => commit.signatures[i]!

describe('Commit', () => {
  it('verifies ⅔+ of the power for the block, signatures in index order', () => {
    const commit = commitBy([3, 0, 1])
    expect(commit.signatures.map((s) => s.validatorIndex)).toEqual([0, 1, 3])
    verifyCommit(commit, set, CHAIN_ID)
    verifyCommit(commitBy([0, 1, 2, 3]), set, CHAIN_ID)
  })

  it('round-trips through its strict codec, bounded by the set size', () => {
    const commit = commitBy([0, 1, 2, 3])
    const bytes = encodeCommit(commit)
    expect(bytes.byteLength).toBeLessThanOrEqual(commitBytesMax(4))
    expect(normalize(decodeCommit(bytes, 4))).toEqual(normalize(commit))
    expectVerifyError(() => decodeCommit(bytes, 3), 'DECODE_TOO_LARGE', 'reject')
    // within the byte cap but past the signature count
    const empty = new Uint8Array(0)
    const manySmall = {
      ...commit,
      signatures: [
        { validatorIndex: 1, signature: empty },
        { validatorIndex: 2, signature: empty },
      ],
    }
    expectVerifyError(() => decodeCommit(encodeCommit(manySmall), 1), 'DECODE_TOO_MANY', 'reject')
    expectVerifyError(
      () => decodeCommit(concat(bytes, new Uint8Array([0x28, 0x01])), 4),
      'DECODE_NON_CANONICAL',
      'reject',
    )
    expectVerifyError(() => decodeCommit(bytes.subarray(0, bytes.byteLength - 2), 4), 'DECODE_MALFORMED', 'reject')
  })

  it('refuses less than ⅔+ of the power', () => {
    expectVerifyError(() => verifyCommit(commitBy([0, 1]), set, CHAIN_ID), 'COMMIT_NO_QUORUM', 'reject')
    // three of four validators, but a fourth holds most of the power
    const weighted = new RoundRobinSet([1n, 1n, 1n, 4n])
    expectVerifyError(
      () => verifyCommit(commitBy([0, 1, 2], weighted), weighted, CHAIN_ID),
      'COMMIT_NO_QUORUM',
      'reject',
    )
  })

  it('refuses a validator twice, even when that would make a quorum', () => {
    const commit = commitBy([0, 1])
    const twice = { ...commit, signatures: [sig(commit, 0), sig(commit, 0), sig(commit, 1)] }
    expectVerifyError(() => verifyCommit(twice, set, CHAIN_ID), 'COMMIT_DUPLICATE_VALIDATOR', 'reject')
  })

  it('refuses signatures out of index order', () => {
    const commit = commitBy([0, 1, 2])
    const shuffled = { ...commit, signatures: [sig(commit, 1), sig(commit, 0), sig(commit, 2)] }
    expectVerifyError(() => verifyCommit(shuffled, set, CHAIN_ID), 'COMMIT_BAD_FIELD', 'reject')
  })

  it('refuses an index outside the set', () => {
    const commit = commitBy([0, 1, 2])
    const outside = { ...commit, signatures: [...commit.signatures, { ...sig(commit, 2), validatorIndex: 4 }] }
    expectVerifyError(() => verifyCommit(outside, set, CHAIN_ID), 'COMMIT_UNKNOWN_VALIDATOR', 'reject')
  })

  it('refuses more signatures than validators', () => {
    const commit = commitBy([0, 1, 2, 3])
    const small = RoundRobinSet.equal(3)
    expectVerifyError(() => verifyCommit(commit, small, CHAIN_ID), 'COMMIT_BAD_FIELD', 'reject')
  })

  it('refuses a bad signature, a prevote’s signature, another block’s or another chain’s', () => {
    const commit = commitBy([0, 1, 2])
    const withSig = (signature: Uint8Array): Commit => ({
      ...commit,
      signatures: [sig(commit, 0), sig(commit, 1), { validatorIndex: 2, signature }],
    })
    const bad = (c: Commit, chainId = CHAIN_ID): void => {
      expectVerifyError(() => verifyCommit(c, set, chainId), 'COMMIT_BAD_SIGNATURE', 'reject')
    }
    bad(withSig(new Uint8Array(64).fill(1)))
    bad(withSig(voteBy(2, { type: 'prevote', round: 2, blockHash: A }).signature))
    bad(withSig(voteBy(2, { type: 'precommit', round: 2, blockHash: blockHash('B') }).signature))
    bad(withSig(voteBy(2, { type: 'precommit', round: 1, blockHash: A }).signature))
    bad(commit, 'other-chain')
    bad({ ...commit, blockHash: blockHash('B') })
  })

  it('refuses malformed fields', () => {
    const commit = commitBy([0, 1, 2])
    const bad = (c: Commit): void => {
      expectVerifyError(() => verifyCommit(c, set, CHAIN_ID), 'COMMIT_BAD_FIELD', 'reject')
    }
    bad({ ...commit, height: 0n })
    bad({ ...commit, round: -1 })
    bad({ ...commit, blockHash: new Uint8Array(31) })
    bad({
      ...commit,
      signatures: [sig(commit, 0), sig(commit, 1), { validatorIndex: 2, signature: new Uint8Array(63) }],
    })
  })
})
