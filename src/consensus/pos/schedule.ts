/**
 * The validator set of every height. Height 1 is signed by the genesis set;
 * each later height's set is the one before it, one proposer-priority step on
 * (ValidatorSet.next), and at the first height of an epoch it is also changed
 * to the validators the last block of the epoch before chose from the state
 * (epoch.ts validatorSetForHeight). So every node derives the same proposer
 * for every height and round from the chain alone.
 *
 * An epoch's choice is known once the block that made it is stored
 * (`recordEpoch`); asking for a height of an epoch not known yet throws
 * EpochError UNKNOWN_EPOCH (a commit or a vote from further ahead than this
 * node has got).
 *
 * Sets are kept for a window of recent heights and at every checkpoint
 * (each CHECKPOINT_INTERVAL heights), so the set of an old height (a syncing
 * node checks commits from height 1 up; evidence names a past height) costs
 * at most CHECKPOINT_INTERVAL steps from the nearest checkpoint below it.
 */
import type { Validator } from '../bft/validators.js'
import { epochOf, isEpochStart } from './epoch.js'
import { EpochError } from './errors.js'
import { ValidatorSet } from './validator-set.js'

const CHECKPOINT_INTERVAL = 1024
const RECENT_MAX = 64

export class ValidatorSchedule {
  private readonly checkpoints = new Map<number, ValidatorSet>()
  private readonly recent = new Map<number, ValidatorSet>()
  /** The validators each epoch ≥ 1 chose (empty: nobody qualified, the set went on). */
  private readonly epochs = new Map<number, readonly Validator[]>()

  /** `epochLength` absent: the genesis set signs every height (a chain without stake in its state). */
  constructor(
    genesisValidators: readonly Validator[],
    private readonly epochLength = Number.POSITIVE_INFINITY,
  ) {
    this.checkpoints.set(1, ValidatorSet.create(genesisValidators))
  }

  /** The choice of `epoch` (≥ 1), made by the last block of the epoch before. Recording one twice keeps the first. */
  recordEpoch(epoch: number, validators: readonly Validator[]): void {
    if (!Number.isSafeInteger(epoch) || epoch < 1) throw new EpochError('BAD_EPOCH', `no epoch ${epoch} to record`)
    if (!this.epochs.has(epoch)) this.epochs.set(epoch, validators)
  }

  /** True when the set of `height` can be told (its epoch's choice is recorded). */
  knows(height: number): boolean {
    return this.epochOf(height) === 0 || this.epochs.has(this.epochOf(height))
  }

  /** The validators of `height` (≥ 1). */
  setAt(height: number): ValidatorSet {
    if (!Number.isSafeInteger(height) || height < 1) throw new RangeError(`no validator set at height ${height}`)
    const hit = this.recent.get(height) ?? this.checkpoints.get(height)
    if (hit) return hit
    if (!this.knows(height)) {
      throw new EpochError(
        'UNKNOWN_EPOCH',
        `the set of epoch ${this.epochOf(height)} (height ${height}) is not known yet`,
      )
    }
    let from = height - 1
    while (from > 1 && !this.recent.has(from) && !this.checkpoints.has(from)) from--
    let set = (this.recent.get(from) ?? this.checkpoints.get(from)) as ValidatorSet
    for (let h = from + 1; h <= height; h++) {
      set = this.step(set, h)
      if (h % CHECKPOINT_INTERVAL === 0) this.checkpoints.set(h, set)
    }
    this.remember(height, set)
    return set
  }

  /** The set of `height` from the set of height − 1. */
  private step(previous: ValidatorSet, height: number): ValidatorSet {
    const stepped = previous.next()
    if (this.epochLength === Number.POSITIVE_INFINITY || !isEpochStart(height, this.epochLength)) return stepped
    const chosen = this.epochs.get(this.epochOf(height)) as readonly Validator[]
    return chosen.length === 0 ? stepped : stepped.withChanges(chosen)
  }

  private epochOf(height: number): number {
    return this.epochLength === Number.POSITIVE_INFINITY ? 0 : epochOf(height, this.epochLength)
  }

  private remember(height: number, set: ValidatorSet): void {
    this.recent.set(height, set)
    if (this.recent.size > RECENT_MAX) {
      // Map order is insertion order: the oldest entry goes.
      const oldest = this.recent.keys().next().value as number
      this.recent.delete(oldest)
    }
  }
}
