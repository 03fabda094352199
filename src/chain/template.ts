/**
 * Block templates for miners: a header on the head that carries the given
 * transactions, with the state root and reward already computed.
 */
import type { ConsensusEngine } from '../consensus/engine.js'
import { BLOCK_VERSION_MMR, type HeaderFields, txRootOf } from '../ledger/block.js'
import { VerifyError } from '../ledger/errors.js'
import { headerVersionOf, subsidyAt } from '../ledger/genesis.js'
import { medianTimePast } from '../ledger/rules/block.js'
import { applyTx, StateOverlay } from '../ledger/state.js'
import type { Tx } from '../ledger/tx.js'
import { bigintToBytes, U64_MAX } from '../util/bytes.js'
import { endEpoch, loadAccounts, type StateContext, stakingStep, touchedAddresses } from './connect.js'
import type { HeaderEntry, HeaderIndex } from './header-index.js'
import { childMmrRoot } from './mmr-store.js'

export async function buildTemplate(
  ctx: StateContext & { engine: ConsensusEngine },
  index: HeaderIndex,
  head: HeaderEntry,
  miner: Uint8Array,
  candidates: readonly Tx[],
  nowMs: number,
): Promise<{ fields: HeaderFields; txs: Tx[] }> {
  const { params } = ctx.genesis
  const height = head.height + 1
  const staking = await stakingStep(ctx, height)
  const touched = touchedAddresses(candidates, miner, staking?.rules.rules)
  if (staking) touched.push(...staking.stakers)
  const view = await loadAccounts(ctx.accounts, new Map(), touched)
  const overlay = new StateOverlay((hex) => view.accounts.get(hex))
  const stakingTxs = staking && { rules: staking.rules.rules, height }
  const txs: Tx[] = []
  let fees = 0n
  for (const tx of candidates) {
    try {
      fees += applyTx(overlay, tx, stakingTxs)
      txs.push(tx)
    } catch (err) {
      if (!(err instanceof VerifyError)) throw err // a tx the head no longer allows: leave it out
    }
  }
  const reward = subsidyAt(height, params) + fees
  if (reward > 0n) {
    const account = overlay.get(miner)
    if (account.balance + reward <= U64_MAX) overlay.set(miner, { ...account, balance: account.balance + reward })
  }
  const epochRecord = staking?.epochEnd ? endEpoch(staking.rules, overlay, staking.stakers, height) : undefined
  const stateRoot = await ctx.trie.update(head.header.fields.stateRoot, overlay.changes())
  const mtp = medianTimePast(index.recentTimestamps(head, params.medianTimeSpan))
  const version = headerVersionOf(params)
  return {
    fields: {
      version,
      height: BigInt(height),
      parentHash: head.header.hash,
      timestamp: BigInt(Math.max(nowMs, mtp + 1)),
      txRoot: txRootOf(txs),
      stateRoot,
      target: bigintToBytes(ctx.engine.nextTarget(head.header, index)),
      miner,
      reward,
      nonce: 0n,
      ...(version >= BLOCK_VERSION_MMR ? { mmrRoot: childMmrRoot(head) } : {}),
      ...(ctx.engine.finality ? { validatorsHash: ctx.engine.finality.nextValidatorsHash(height, epochRecord) } : {}),
    },
    txs,
  }
}
