/**
 * The rules a block passes before the chain stores it, in the order the
 * chain runs them: the checks that need no state (header fields, the seal,
 * the body), and the checks against its parent (timestamps, the engine's
 * header rule such as the target). A failure throws the rule's VerifyError.
 */
import type { ConsensusEngine } from '../consensus/engine.js'
import { isStaking } from '../consensus/engine.js'
import { BLOCK_VERSION_MMR, type Block } from '../ledger/block.js'
import { type Genesis, headerVersionOf } from '../ledger/genesis.js'
import {
  checkBlockBody,
  checkHeaderContext,
  checkHeaderFields,
  checkHeaderMmr,
  medianTimePast,
} from '../ledger/rules/block.js'
import type { HeaderEntry, HeaderIndex } from './header-index.js'
import { mmrStateOf } from './mmr-store.js'

export interface BlockCheckDeps {
  genesis: Genesis
  engine: ConsensusEngine
}

/** What a block must pass with no state at all: worth checking before its signatures go to the pool. */
export function checkBlockStateless(deps: BlockCheckDeps, block: Block): void {
  checkHeaderFields(block.header, headerVersionOf(deps.genesis.params), deps.engine.finality !== undefined)
  deps.engine.checkSeal(block.header)
  checkBlockBody(block, { chainId: deps.genesis.chainId, limits: deps.genesis.limits, staking: isStaking(deps.engine) })
}

/** The header against its stored parent (time rules, the MMR commitment, the engine's rule), then the body. */
export function checkBlockOnParent(
  deps: BlockCheckDeps,
  index: HeaderIndex,
  parent: HeaderEntry,
  block: Block,
  nowMs: number,
): void {
  const { params, limits, chainId } = deps.genesis
  checkHeaderContext(block.header, {
    parent: parent.header,
    medianTimePastMs: medianTimePast(index.recentTimestamps(parent, params.medianTimeSpan)),
    nowMs,
    maxFutureDriftMs: params.maxFutureDriftMs,
  })
  if (headerVersionOf(params) >= BLOCK_VERSION_MMR) checkHeaderMmr(block.header, mmrStateOf(parent))
  deps.engine.checkHeader(block.header, parent.header, index)
  checkBlockBody(block, { chainId, limits, staking: isStaking(deps.engine) })
}
