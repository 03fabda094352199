/**
 * The PoS light client's verification (light/pos-verify.ts) on a real chain
 * whose set changes at the end of epoch 0: runs of headers crossed epoch by
 * epoch from the genesis set, and each way a full node could lie refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeCommit } from '../../../src/consensus/bft/commit.js'
import { signVote } from '../../../src/consensus/bft/vote.js'
import { encodeEpochRecord } from '../../../src/consensus/pos/epoch-record.js'
import { genesisValidators } from '../../../src/consensus/pos/genesis-set.js'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import type { Block, Header } from '../../../src/ledger/block.js'
import type { KeyPair } from '../../../src/ledger/crypto.js'
import { COIN } from '../../../src/ledger/genesis.js'
import { genesisTrust, type PosRules, type PosTrust, verifyPosRun } from '../../../src/light/pos-verify.js'
import { LightProofError } from '../../../src/light/verify.js'
import { toHex } from '../../../src/util/bytes.js'
import {
  commitBlock,
  NEWCOMER,
  openPosHarness,
  POS_EPOCH,
  type PosHarness,
  posGenesis,
  stakeTx,
  VALIDATOR_KEYS,
} from '../consensus/pos/pos-harness.js'

const rules: PosRules = { chainId: posGenesis.chainId, headerVersion: 1, epochLength: POS_EPOCH }
let h: PosHarness
let genesis: Header
/** Blocks 1 … 9; the newcomer staked at 1 and signs from height 4. */
const blocks: Block[] = []

beforeAll(async () => {
  h = await openPosHarness()
  genesis = h.chain.head.header
  blocks.push(await commitBlock(h, [stakeTx(NEWCOMER, 500n * COIN, 0n)]))
  while (blocks.length < 9) blocks.push(await commitBlock(h))
  for (const b of blocks) commits.set(b.height, (await h.chain.getCommit(b.id)) as Uint8Array)
})
afterAll(async () => {
  await h.chain.close()
})

const headersOf = (from: number, to: number): Header[] => blocks.slice(from - 1, to).map((b) => b.header)
const block = (height: number): Block => blocks[height - 1] as Block
/** The stored commit of each block, by height. */
const commits = new Map<number, Uint8Array>()
const commitAt = (height: number): Uint8Array => commits.get(height) as Uint8Array
/** The record of the set of `height` (what a full node serves for its epoch). */
const recordOf = (height: number): Uint8Array => encodeEpochRecord(h.engine.schedule.setAt(height).validators)
const trust0 = (): PosTrust => genesisTrust(genesis, genesisValidators(posGenesis))

function refusal(f: () => unknown): string {
  try {
    f()
  } catch (err) {
    expect(err).toBeInstanceOf(LightProofError)
    return (err as LightProofError).code
  }
  throw new Error('not refused')
}

/** A commit of block `height` signed by `signers` (keys, with the set index each claims). */
function craftedCommit(height: number, signers: { key: KeyPair; index: number }[]): Uint8Array {
  const b = block(height)
  const signatures = signers.map(({ key, index }) => {
    const vote = signVote(
      posGenesis.chainId,
      {
        type: 'precommit',
        height: BigInt(height),
        round: 0,
        blockHash: b.hash,
        validator: addressFromPublicKey(key.publicKey),
      },
      key.secretKey,
    )
    return { validatorIndex: index, signature: vote.signature }
  })
  return encodeCommit({ height: BigInt(height), round: 0, blockHash: b.hash, signatures })
}

/** Signers of the genesis set by their set index. */
function genesisSigners(count: number): { key: KeyPair; index: number }[] {
  const set = h.engine.schedule.setAt(1)
  return VALIDATOR_KEYS.map((key) => ({ key, index: set.indexOf(addressFromPublicKey(key.publicKey)) }))
    .sort((a, b) => a.index - b.index)
    .slice(0, count)
}

describe('PoS light verification, epoch by epoch', () => {
  it('crosses the epoch change from the genesis set: the next set is taken from the committed hash', () => {
    let trust = trust0()
    trust = verifyPosRun(trust, { headers: headersOf(1, 3), commit: commitAt(3), nextValidators: recordOf(4) }, rules)
    expect(trust.header.height).toBe(3)
    expect(toHex(trust.nextSet.hash())).toBe(toHex(h.engine.schedule.setAt(4).hash()))
    expect(trust.nextSet.indexOf(addressFromPublicKey(NEWCOMER.publicKey))).toBeGreaterThanOrEqual(0)
    trust = verifyPosRun(trust, { headers: headersOf(4, 7), commit: commitAt(7), nextValidators: recordOf(8) }, rules)
    trust = verifyPosRun(trust, { headers: headersOf(8, 9), commit: commitAt(9) }, rules)
    expect(trust.header.id).toBe(block(9).id)
  })

  it('a run may end inside an epoch, and the next one go on from there', () => {
    const mid = verifyPosRun(trust0(), { headers: headersOf(1, 2), commit: commitAt(2) }, rules)
    expect(mid.header.height).toBe(2)
    const end = verifyPosRun(mid, { headers: headersOf(3, 3), commit: commitAt(3), nextValidators: recordOf(4) }, rules)
    expect(end.header.height).toBe(3)
  })

  it('refuses a commit signed by less than ⅔ of the power', () => {
    const commit = craftedCommit(3, genesisSigners(2))
    expect(
      refusal(() => verifyPosRun(trust0(), { headers: headersOf(1, 3), commit, nextValidators: recordOf(4) }, rules)),
    ).toBe('COMMIT_NO_QUORUM')
  })

  it('refuses signatures from outside the set: an index past it, or a non-member signing at a member’s index', () => {
    const outside = craftedCommit(3, [...genesisSigners(3), { key: NEWCOMER, index: 4 }])
    const run = { headers: headersOf(1, 3), nextValidators: recordOf(4) }
    expect(refusal(() => verifyPosRun(trust0(), { ...run, commit: outside }, rules))).toBe('COMMIT_UNKNOWN_VALIDATOR')
    const impostor = craftedCommit(3, [...genesisSigners(2), { key: NEWCOMER, index: 2 }])
    expect(refusal(() => verifyPosRun(trust0(), { ...run, commit: impostor }, rules))).toBe('COMMIT_BAD_SIGNATURE')
  })

  it('refuses the commit of another block', () => {
    const run = { headers: headersOf(1, 3), commit: commitAt(2), nextValidators: recordOf(4) }
    expect(refusal(() => verifyPosRun(trust0(), run, rules))).toBe('COMMIT_BAD_FIELD')
  })

  it('refuses a next set that does not hash to the committed validatorsHash, or none at an epoch end', () => {
    const run = { headers: headersOf(1, 3), commit: commitAt(3) }
    // the old set: what a liar would send to keep the newcomer out
    expect(refusal(() => verifyPosRun(trust0(), { ...run, nextValidators: recordOf(3) }, rules))).toBe(
      'VALIDATORS_MISMATCH',
    )
    expect(refusal(() => verifyPosRun(trust0(), run, rules))).toBe('VALIDATORS_MISMATCH')
    expect(refusal(() => verifyPosRun(trust0(), { ...run, nextValidators: new Uint8Array(5) }, rules))).toBe(
      'VALIDATORS_MALFORMED',
    )
  })

  it('refuses headers that are not hash-linked, and a run past the trusted set’s epoch', () => {
    const gap = [block(1).header, block(3).header]
    expect(
      refusal(() => verifyPosRun(trust0(), { headers: gap, commit: commitAt(3), nextValidators: recordOf(4) }, rules)),
    ).toBe('HEADERS_NOT_LINKED')
    const afterOther = verifyPosRun(trust0(), { headers: headersOf(1, 1), commit: commitAt(1) }, rules)
    expect(refusal(() => verifyPosRun(afterOther, { headers: headersOf(3, 3), commit: commitAt(3) }, rules))).toBe(
      'HEADERS_NOT_LINKED',
    )
    // epoch 1's headers under the genesis set, as if no set change had happened
    expect(refusal(() => verifyPosRun(trust0(), { headers: headersOf(1, 5), commit: commitAt(5) }, rules))).toBe(
      'HEADERS_PAST_EPOCH',
    )
  })
})
