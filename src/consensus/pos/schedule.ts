/**
 * The validator set of every height. Height 1 is signed by the genesis set;
 * each later height's set is the one before it, one proposer-priority step on
 * (ValidatorSet.next), so every node derives the same proposer for every
 * height and round from the chain alone.
 *
 * Sets are kept for a window of recent heights and at every checkpoint
 * (each CHECKPOINT_INTERVAL heights), so the set of an old height (a syncing
 * node checks commits from height 1 up; evidence names a past height) costs
 * at most CHECKPOINT_INTERVAL steps from the nearest checkpoint below it.
 */
import type { Validator } from '../bft/validators.js'
import { ValidatorSet } from './validator-set.js'

const CHECKPOINT_INTERVAL = 1024
const RECENT_MAX = 64

export class ValidatorSchedule {
  private readonly checkpoints = new Map<number, ValidatorSet>()
  private readonly recent = new Map<number, ValidatorSet>()

  constructor(genesisValidators: readonly Validator[]) {
    this.checkpoints.set(1, ValidatorSet.create(genesisValidators))
  }

  /** The validators of `height` (≥ 1). */
  setAt(height: number): ValidatorSet {
    if (!Number.isSafeInteger(height) || height < 1) throw new RangeError(`no validator set at height ${height}`)
    const hit = this.recent.get(height) ?? this.checkpoints.get(height)
    if (hit) return hit
    let from = height - 1
    while (from > 1 && !this.recent.has(from) && !this.checkpoints.has(from)) from--
    let set = (this.recent.get(from) ?? this.checkpoints.get(from)) as ValidatorSet
    for (let h = from + 1; h <= height; h++) {
      set = set.next()
      if (h % CHECKPOINT_INTERVAL === 0) this.checkpoints.set(h, set)
    }
    this.remember(height, set)
    return set
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
