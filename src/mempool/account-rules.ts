/**
 * The mempool's rules that read the sender's account (rules 3, 5 and 6 of
 * mempool.ts): pure functions of the tx, the committed account and the
 * sender's pending queue, each throwing the VerifyError a peer is charged or
 * a user is told.
 */
import { VerifyError } from '../ledger/errors.js'
import type { Account } from '../ledger/state.js'
import type { Tx } from '../ledger/tx.js'
import type { PoolEntry } from './entry.js'
import type { MempoolConfig } from './options.js'
import type { SenderQueue } from './sender-queue.js'

/**
 * The rules that need one account read and no signature check: the sender
 * can pay for this tx alone, and its nonce is inside the window admission
 * would accept (`nextNonce` is the sender's next executable nonce).
 */
export function checkFunded(tx: Tx, account: Account, nextNonce: bigint, nonceGapMax: number): void {
  const { nonce } = tx.fields
  if (account.balance < tx.cost) {
    const why = account.balance === 0n && account.nonce === 0n ? 'sender has no account' : `balance ${account.balance}`
    throw new VerifyError('TX_INSUFFICIENT_BALANCE', `${why} < cost ${tx.cost}`)
  }
  if (nonce < account.nonce) {
    throw new VerifyError('TX_NONCE_TOO_LOW', `nonce ${nonce} < account nonce ${account.nonce}`)
  }
  checkNonceGap(nonce, nextNonce, nonceGapMax)
}

/**
 * The rules against the sender's pending txs, after the signature: nonce,
 * replacement fee bump, per-sender cap, nonce gap, and the balance covering
 * every pending tx up to this one. Returns the pending tx `tx` replaces, if any.
 */
export function checkAgainstPending(
  tx: Tx,
  account: Account,
  queue: SenderQueue | undefined,
  config: Pick<MempoolConfig, 'replaceFeeBumpPercent' | 'perSenderMax' | 'nonceGapMax'>,
): PoolEntry | undefined {
  const { nonce, fee } = tx.fields
  if (nonce < account.nonce) {
    throw new VerifyError('TX_NONCE_TOO_LOW', `nonce ${nonce} < account nonce ${account.nonce}`)
  }
  const existing = queue?.get(nonce)
  if (existing) {
    const bumpPercent = BigInt(config.replaceFeeBumpPercent)
    if (fee <= existing.fee || fee * 100n < existing.fee * (100n + bumpPercent)) {
      throw new VerifyError(
        'MEMPOOL_REPLACEMENT_UNDERPRICED',
        `fee ${fee} must be at least ${bumpPercent}% above the pending tx's ${existing.fee}`,
      )
    }
  } else {
    if ((queue?.size ?? 0) >= config.perSenderMax) {
      throw new VerifyError('MEMPOOL_SENDER_LIMIT', `sender has ${config.perSenderMax} pending txs`)
    }
    checkNonceGap(nonce, queue?.nextNonce ?? account.nonce, config.nonceGapMax)
  }
  const spent = (queue?.costBefore(nonce) ?? 0n) + tx.cost
  if (spent > account.balance) {
    throw new VerifyError(
      'TX_INSUFFICIENT_BALANCE',
      `balance ${account.balance} < ${spent}, the cost of pending txs up to nonce ${nonce}`,
    )
  }
  return existing
}

function checkNonceGap(nonce: bigint, nextNonce: bigint, nonceGapMax: number): void {
  if (nonce - nextNonce > BigInt(nonceGapMax)) {
    throw new VerifyError('MEMPOOL_NONCE_GAP', `nonce ${nonce} skips more than ${nonceGapMax} nonces past ${nextNonce}`)
  }
}
