/**
 * A BFT validator's verdict on a proposed block before it prevotes: every
 * rule the block would pass on import, its state root included, checked
 * against the head without storing anything. The chain runs it under its
 * import lock, so the head cannot move meanwhile.
 */
import type { Block } from '../ledger/block.js'
import { BlockTxError, VerifyError } from '../ledger/errors.js'
import { type BlockCheckDeps, checkBlockOnParent, checkBlockStateless } from './block-checks.js'
import type { HeadSteps } from './head-steps.js'
import type { HeaderEntry, HeaderIndex } from './header-index.js'
import type { SignatureChecker } from './prechecks.js'

export interface CandidateDeps extends BlockCheckDeps {
  signatures: SignatureChecker
  clock: { nowMs(): number }
}

/** Throws the rule's VerifyError unless `block` is a valid child of the head. */
export async function checkCandidate(
  deps: CandidateDeps,
  index: HeaderIndex,
  steps: HeadSteps,
  block: Block,
): Promise<void> {
  const head = steps.head
  if (block.header.parentId !== head.id) {
    throw new VerifyError('BLOCK_PARENT_UNKNOWN', `candidate ${block.id} does not extend the head ${head.id}`)
  }
  checkBlockStateless(deps, block)
  checkBlockOnParent(deps, index, head, block, deps.clock.nowMs())
  const bad = await deps.signatures.verifyTxs(block.txs)
  if (bad >= 0) {
    throw new BlockTxError(bad, new VerifyError('TX_BAD_SIGNATURE', `signature of tx ${bad} does not verify`))
  }
  const entry: HeaderEntry = {
    header: block.header,
    id: block.id,
    height: head.height + 1,
    totalWork: head.totalWork + deps.engine.work(block.header),
    parent: head,
    status: 'stored',
  }
  await steps.checkConnect(entry, block)
}
