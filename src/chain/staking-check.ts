/**
 * The state rules of a pending stake, unstake or evidence tx, checked against
 * the head for the mempool: what a block would refuse it for beyond its
 * nonce and funds (which the mempool checks against the sender's pending
 * txs). Without this, an evidence tx against a validator already punished
 * would wait in the pool forever, and every later tx of its sender behind it.
 */

import { StateOverlay } from '../ledger/state.js'
import type { Tx } from '../ledger/tx.js'
import { U64_MAX } from '../util/bytes.js'
import { loadAccounts, type StateContext } from './connect.js'

/** Throws the VerifyError a block at `height` would refuse `tx` (not a transfer) with, nonce and funds aside. */
export async function checkStakingTx(ctx: StateContext, tx: Tx, height: number): Promise<void> {
  const staking = ctx.staking
  if (!staking || tx.fields.kind === 0) return
  const rules = staking.rules.rules
  const loaded = await loadAccounts(ctx.accounts, new Map(), [tx.sender, ...rules.extraAddresses(tx)])
  const overlay = new StateOverlay((hex) => loaded.accounts.get(hex))
  const sender = overlay.get(tx.sender, tx.senderHex)
  // Funded and next in line by the mempool's own reckoning: only the kind's rules are asked here.
  rules.applyStakingTx(overlay, tx, { ...sender, balance: U64_MAX, nonce: tx.fields.nonce }, height)
}
