/**
 * The consensus engine interface. Proof of work implements it now; proof of
 * stake will implement it later, so chain/ never names an engine directly:
 * it asks the engine what a header must carry, how much a header weighs in
 * fork choice, and how to seal a new one.
 */
import type { Header, HeaderFields } from '../ledger/block.js'

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
}

export interface ConsensusEngine {
  readonly name: string
  /** Present for an engine whose blocks are final once committed; absent for proof of work. */
  readonly finality?: FinalityRules
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
