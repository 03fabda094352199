/**
 * The consensus engine interface. Proof of work implements it now; proof of
 * stake will implement it later, so chain/ never names an engine directly:
 * it asks the engine what a header must carry, how much a header weighs in
 * fork choice, and how to seal a new one.
 */
import type { Header, HeaderFields } from '../ledger/block.js'
import type { StakingRules, StateOverlay } from '../ledger/state.js'

/** Read access to the header tree, for rules that look back (retarget, median time). */
export interface HeaderTree {
  /** The ancestor of `header` at `height` (height <= header's), or undefined if unknown. */
  ancestor(header: Header, height: number): Header | undefined
}

/**
 * What an engine with BFT finality adds (proof of stake): a block is stored
 * only with its commit, the ⅔+ precommit signatures of the validators of its
 * height, and a committed block is final.
 */
export interface FinalityRules {
  /** Throws VerifyError unless `commit` (its encoding) proves `header` committed. */
  checkCommit(header: Header, commit: Uint8Array): void
  /**
   * What the header at `height` must carry as `validatorsHash`: the hash of
   * the set that signs height + 1. At an epoch end, `epochRecord` is the
   * record of the set the block's state chose (absent otherwise).
   */
  nextValidatorsHash(height: number, epochRecord: Uint8Array | undefined): Uint8Array
}

/**
 * What an engine with stake in the state adds (proof of stake,
 * consensus/pos/staking.ts): the rules of the stake, unstake and evidence
 * txs, and the end of each epoch, where the next validator set is chosen
 * from the state. The chain runs them inside each block's state transition
 * and stores what each epoch end chose.
 */
export interface EpochStaking {
  readonly rules: StakingRules
  /** True when the block at `height` is the last of an epoch. */
  isEpochEnd(height: number): boolean
  /**
   * The end of the epoch whose last block is at `height`, applied to `state`
   * (the block's txs applied already); `stakers` are every account that
   * holds a stake. Returns the record of the set it chose, which the chain
   * stores with the block and hands to `recordEpoch` once the block is stored.
   */
  endEpoch(state: StateOverlay, stakers: readonly Uint8Array[], height: number): Uint8Array
  /** The set the block at `height` chose takes effect (after it is stored, and for each stored one on load). */
  recordEpoch(height: number, record: Uint8Array): void
}

export interface ConsensusEngine {
  readonly name: string
  /** Present for an engine whose blocks are final once committed; absent for proof of work. */
  readonly finality?: FinalityRules
  /** Present for an engine whose validators stake in the state; absent for proof of work. */
  readonly staking?: EpochStaking
  /**
   * The checks that need no parent (for PoW: the hash meets the header's own
   * target, which is within the limit). Run before a block with an unknown
   * parent is held, so filling the orphan pool costs real work.
   */
  checkSeal(header: Header): void
  /** Throws VerifyError when `header` breaks the engine's rules as the child of `parent`. */
  checkHeader(header: Header, parent: Header, tree: HeaderTree): void
  /** What the child of `parent` must carry in its `target` field. */
  nextTarget(parent: Header, tree: HeaderTree): bigint
  /** How much `header` adds to its chain's weight in fork choice. */
  work(header: Header): bigint
  /** Seals a header (finds a nonce); resolves null if `signal` aborts first. */
  seal(fields: HeaderFields, signal?: AbortSignal): Promise<Header | null>
  /** Releases workers. */
  close(): Promise<void>
}

/**
 * TxContext.staking (ledger/rules/tx.ts) of a chain run by `engine`: true
 * when its validators stake in the state (proof of stake), the engine that
 * has the state rules of the stake, unstake and evidence txs. Every
 * TxContext (mempool, block bodies) takes it from here.
 */
export function isStaking(engine: ConsensusEngine): boolean {
  return engine.staking !== undefined
}
