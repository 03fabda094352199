/**
 * What a head change does to the pool (Mempool.reset runs these inside its
 * admission queue): the txs the new chain includes leave, the txs a reorg
 * disconnected come back unless a stateless rule now refuses them (their
 * signatures passed block validation, so they are not checked again), and
 * every sender is settled against its account at the new head.
 */
import { isVerifyError } from '../ledger/errors.js'
import { checkTxStateless, type TxContext } from '../ledger/rules/tx.js'
import type { Account } from '../ledger/state.js'
import type { Tx } from '../ledger/tx.js'
import { newEntry } from './entry.js'
import type { PoolStore } from './store.js'

/** The txs a head change moved: what reset() needs of it. */
export interface HeadTxs {
  /** Txs of the blocks the new chain connected. */
  included: Tx[]
  /** Txs of the blocks a reorg disconnected; those not in `included` go back into the pool. */
  returned: Tx[]
}

/**
 * The returned txs that may come back, each once: not included by the new
 * chain, not pending already, and passing the stateless rules (`refused`
 * holds those that do not).
 */
export function screenReturned(change: HeadTxs, store: PoolStore, ctx: TxContext): { returned: Tx[]; refused: Tx[] } {
  const includedIds = new Set(change.included.map((tx) => tx.id))
  const returned: Tx[] = []
  const refused: Tx[] = []
  const seen = new Set<string>()
  for (const tx of change.returned) {
    if (includedIds.has(tx.id) || store.has(tx.id) || seen.has(tx.id)) continue
    seen.add(tx.id)
    try {
      checkTxStateless(tx, ctx)
      returned.push(tx)
    } catch (err) {
      if (!isVerifyError(err)) throw err
      refused.push(tx)
    }
  }
  return { returned, refused }
}

export interface ResetInput {
  included: readonly Tx[]
  /** screenReturned's `returned`. */
  returned: readonly Tx[]
  /** Every pending sender's account at the new head, and every returned tx's sender's, by address hex. */
  accounts: ReadonlyMap<string, Account>
  /** Pending txs the new head's state no longer allows (stake, unstake, evidence). */
  disallowed: readonly string[]
  nowMs: number
  /** The next arrival sequence number of the pool. */
  nextSeq: () => number
}

/**
 * Applies a head change to `store`, synchronously: drops what the chain
 * includes, inserts the returned txs (of two at one sender and nonce the
 * higher fee stays, the pool's on a tie), settles every sender against its
 * account and drops the disallowed txs with their later nonces. Returns how
 * many pending txs were included and every tx that left or did not come back.
 */
export function applyReset(store: PoolStore, input: ResetInput): { includedCount: number; dropped: Tx[] } {
  const dropped: Tx[] = []
  let includedCount = 0
  for (const tx of input.included) {
    const entry = store.get(tx.id)
    if (!entry) continue
    store.drop(entry)
    includedCount++
  }
  for (const tx of input.returned) {
    if (store.has(tx.id)) continue
    const existing = store.queue(tx.senderHex)?.get(tx.fields.nonce)
    if (existing) {
      // One of the two can be mined; keep the one paying more (the pool's on a tie).
      if (existing.fee >= tx.fields.fee) {
        dropped.push(tx)
        continue
      }
      store.drop(existing)
      dropped.push(existing.tx)
    }
    store.insert(newEntry(tx, input.nowMs, input.nextSeq()), input.accounts.get(tx.senderHex) as Account)
  }
  for (const [hex, account] of input.accounts) {
    const queue = store.queue(hex)
    if (!queue) continue
    queue.account = account
    for (const entry of store.settle(queue)) dropped.push(entry.tx)
  }
  for (const id of input.disallowed) {
    const entry = store.get(id)
    if (entry) for (const e of store.dropWithTail(entry)) dropped.push(e.tx)
  }
  return { includedCount, dropped }
}
