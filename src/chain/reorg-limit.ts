/**
 * The reorg depth limit: how far below the head a fork may start and still be
 * followed. A block on a deeper fork is refused (BLOCK_REORG_TOO_DEEP), and the
 * operator is told once per fork which config key to raise; fork choice skips
 * tips past the limit.
 */
import { VerifyError } from '../ledger/errors.js'
import type { HeaderEntry, HeaderIndex } from './header-index.js'

/**
 * The deepest reorg followed unless the operator raises it (config
 * `chain.max_reorg_depth`): at the devnet's 5 s blocks, about 14 hours of a
 * partition. It guards against a surprise, not against memory: a reorg of any
 * depth runs one block at a time.
 */
export const DEFAULT_MAX_REORG_DEPTH = 10_000

/** The config key an operator raises to follow a deeper reorg (named in the refusal). */
export const MAX_REORG_DEPTH_KEY = 'chain.max_reorg_depth'

export class ReorgLimit {
  /** The fork point of the last deep reorg refused, so a refusal is logged once per fork, not per block. */
  private refusedForkId: string | undefined

  constructor(
    readonly maxDepth: number,
    private readonly log?: (msg: string, fields?: Record<string, unknown>) => void,
  ) {}

  /** Whether the head may walk to `tip`: its fork with the head is within the limit. */
  allows(index: HeaderIndex, head: HeaderEntry, tip: HeaderEntry): boolean {
    return head.height - index.fork(tip, head).height <= this.maxDepth
  }

  /** Throws BLOCK_REORG_TOO_DEEP for `blockId` (a child of `parent`) when its fork is past the limit. */
  check(index: HeaderIndex, head: HeaderEntry, parent: HeaderEntry, blockId: string): void {
    const fork = index.fork(parent, head)
    const depth = head.height - fork.height
    if (depth <= this.maxDepth) return
    if (this.refusedForkId !== fork.id) {
      this.refusedForkId = fork.id
      this.log?.(
        `refusing a reorg of ${depth} blocks: deeper than ${MAX_REORG_DEPTH_KEY} (${this.maxDepth}); raise ${MAX_REORG_DEPTH_KEY} to follow this fork`,
        { forkHeight: fork.height, forkId: fork.id, head: head.height, block: blockId },
      )
    }
    throw new VerifyError(
      'BLOCK_REORG_TOO_DEEP',
      `fork at height ${fork.height} is ${depth} blocks below the head, deeper than ${MAX_REORG_DEPTH_KEY} = ${this.maxDepth}`,
    )
  }
}
