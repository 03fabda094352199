/**
 * Proof of stake behind the ConsensusEngine interface. A PoS block has no
 * seal to search for: it is valid when its commit (⅔+ of the voting power of
 * its height's validators, precommitting its hash) checks out, and a
 * committed block is final. Its `target` field carries a fixed value and its
 * nonce is 0; every block weighs 1 in fork choice (with finality there is
 * only ever one chain to choose).
 *
 * Who proposes and who votes at each height comes from the ValidatorSchedule;
 * the rounds themselves run in the validator service (node/validator.ts)
 * over consensus/bft/round-state.ts.
 */
import { Header, type HeaderFields } from '../../ledger/block.js'
import { VerifyError } from '../../ledger/errors.js'
import { equalBytes } from '../../util/bytes.js'
import { decodeCommit, verifyCommit } from '../bft/commit.js'
import type { Validator } from '../bft/validators.js'
import type { ConsensusEngine, EpochStaking, FinalityRules } from '../engine.js'
import { decodeEpochRecord, encodeEpochRecord } from './epoch-record.js'
import { EpochError } from './errors.js'
import { ValidatorSchedule } from './schedule.js'
import { PosStateRules, type StakingParams } from './staking.js'
import { ValidatorSet } from './validator-set.js'

/** The `target` every PoS header carries: the largest, so no header field means work. */
export const POS_TARGET = (1n << 256n) - 1n

export interface PosEngineOptions {
  chainId: string
  /** The genesis validators, with their voting power. */
  validators: readonly Validator[]
  /** The rules of stake in the state; absent, the genesis set signs every height and only transfers exist. */
  staking?: Omit<StakingParams, 'chainId'>
}

export class PosEngine implements ConsensusEngine, FinalityRules {
  readonly name = 'pos'
  readonly finality: FinalityRules = this
  readonly staking?: EpochStaking
  readonly schedule: ValidatorSchedule

  constructor(private readonly opts: PosEngineOptions) {
    this.schedule = new ValidatorSchedule(opts.validators, opts.staking?.epochLength)
    if (opts.staking) this.staking = stakingOf(this.schedule, { ...opts.staking, chainId: opts.chainId })
  }

  checkSeal(header: Header): void {
    if (header.target !== POS_TARGET) {
      throw new VerifyError('BLOCK_BAD_TARGET', 'a proof-of-stake header carries the fixed target')
    }
    if (header.fields.nonce !== 0n) throw new VerifyError('BLOCK_BAD_FIELD', 'a proof-of-stake header has nonce 0')
  }

  checkHeader(header: Header): void {
    this.checkSeal(header)
  }

  nextTarget(): bigint {
    return POS_TARGET
  }

  work(): bigint {
    return 1n
  }

  checkCommit(header: Header, commitBytes: Uint8Array): void {
    if (!this.schedule.knows(header.height)) {
      throw new VerifyError('COMMIT_EPOCH_UNKNOWN', `the validators of height ${header.height} are not known yet`)
    }
    const set = this.schedule.setAt(header.height)
    const commit = decodeCommit(commitBytes, set.size)
    if (commit.height !== BigInt(header.height) || !equalBytes(commit.blockHash, header.hash)) {
      throw new VerifyError('COMMIT_BAD_FIELD', `the commit is for another block than ${header.id}`)
    }
    verifyCommit(commit, set, this.opts.chainId)
  }

  nextValidatorsHash(height: number, epochRecord: Uint8Array | undefined): Uint8Array {
    if (epochRecord !== undefined) {
      const chosen = decodeEpochRecord(epochRecord)
      // nobody qualified: the set goes on
      if (chosen.length > 0) return ValidatorSet.create(chosen).hash()
    }
    return this.schedule.setAt(Math.max(1, height)).hash()
  }

  /** A PoS header needs no search: the proposer's fields, nonce 0. */
  async seal(fields: HeaderFields): Promise<Header> {
    return Header.fromFields({ ...fields, nonce: 0n })
  }

  async close(): Promise<void> {}
}

/** The state rules and epoch ends of `schedule`'s chain. */
function stakingOf(schedule: ValidatorSchedule, params: StakingParams): EpochStaking {
  const rules = new PosStateRules(params, (height) => {
    if (!schedule.knows(height)) throw new EpochError('UNKNOWN_EPOCH', `no set known at height ${height}`)
    return schedule.setAt(height)
  })
  const epochAfter = (height: number): number => (height + 1) / params.epochLength
  return {
    rules,
    isEpochEnd: (height) => rules.isEpochEnd(height),
    endEpoch: (state, stakers, height) => encodeEpochRecord(rules.endEpoch(state, stakers, height)),
    recordEpoch: (height, record) => schedule.recordEpoch(epochAfter(height), decodeEpochRecord(record)),
  }
}
