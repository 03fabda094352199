/** Test-only pieces for the BFT tests: a round-robin validator set of test keys, and vote and proposal builders. */

import type { KeyObject } from 'node:crypto'
import { type Proposal, signProposal } from '../../../../src/consensus/bft/proposal.js'
import type { Validator, ValidatorSetView } from '../../../../src/consensus/bft/validators.js'
import { signVote, type Vote } from '../../../../src/consensus/bft/vote.js'
import type { VoteType } from '../../../../src/consensus/bft/vote-type.js'
import { privateKeyObject, sha256 } from '../../../../src/ledger/crypto.js'
import { equalBytes } from '../../../../src/util/bytes.js'
import { addressOf, testKey } from '../../ledger/fixtures.js'

export const CHAIN_ID = 'bft-test-chain'

const signingKeys = new Map<number, KeyObject>()

/** Test key `i` as a KeyObject: importing a key costs more than signing with it. */
export function signingKey(i: number): KeyObject {
  let key = signingKeys.get(i)
  if (!key) {
    key = privateKeyObject(testKey(i).secretKey)
    signingKeys.set(i, key)
  }
  return key
}

/** Validators 0 … n − 1 (test keys `firstKey` …), proposers in turn: round r at height h is validator (h + r) mod n. */
export class RoundRobinSet implements ValidatorSetView {
  readonly validators: readonly Validator[]
  readonly totalPower: bigint

  constructor(
    powers: readonly bigint[],
    private readonly height = 1n,
    firstKey = 0,
  ) {
    this.validators = powers.map((power, i) => ({
      address: addressOf(firstKey + i),
      publicKey: testKey(firstKey + i).publicKey,
      power,
    }))
    this.totalPower = powers.reduce((a, b) => a + b, 0n)
  }

  static equal(n: number, height = 1n): RoundRobinSet {
    return new RoundRobinSet(
      Array.from({ length: n }, () => 1n),
      height,
    )
  }

  get size(): number {
    return this.validators.length
  }

  validator(index: number): Validator {
    const v = this.validators[index]
    if (!v) throw new RangeError(`no validator ${index}`)
    return v
  }

  indexOf(address: Uint8Array): number {
    return this.validators.findIndex((v) => equalBytes(v.address, address))
  }

  proposer(round: number): number {
    return Number((this.height + BigInt(round)) % BigInt(this.size))
  }
}

/** A 32-byte block hash named by `label`. */
export function blockHash(label: string): Uint8Array {
  return sha256(new TextEncoder().encode(`block ${label}`))
}

export interface VoteSpec {
  type?: VoteType
  height?: bigint
  round?: number
  blockHash?: Uint8Array | null
}

/** A vote signed by test key `validator` (its address too), on CHAIN_ID unless told. */
export function voteBy(validator: number, spec: VoteSpec = {}, chainId = CHAIN_ID): Vote {
  return signVote(
    chainId,
    {
      type: spec.type ?? 'prevote',
      height: spec.height ?? 1n,
      round: spec.round ?? 0,
      blockHash: spec.blockHash === undefined ? blockHash('A') : spec.blockHash,
      validator: addressOf(validator),
    },
    signingKey(validator),
  )
}

export interface ProposalSpec {
  height?: bigint
  round?: number
  polRound?: number
  blockHash?: Uint8Array
}

export function proposalBy(proposer: number, spec: ProposalSpec = {}, chainId = CHAIN_ID): Proposal {
  return signProposal(
    chainId,
    {
      height: spec.height ?? 1n,
      round: spec.round ?? 0,
      polRound: spec.polRound ?? -1,
      blockHash: spec.blockHash ?? blockHash('A'),
      proposer: addressOf(proposer),
    },
    signingKey(proposer),
  )
}
