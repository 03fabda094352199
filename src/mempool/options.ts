/** What the mempool needs from the rest of the node, and its tunable caps with their defaults. */
import type { ChainLimits } from '../ledger/limits.js'
import type { Account } from '../ledger/state.js'
import type { Tx } from '../ledger/tx.js'
import type { Clock } from '../util/clock.js'

export interface MempoolDeps {
  chainId: string
  limits: ChainLimits
  /** The chain runs proof of stake (consensus/engine.ts isStaking): stake, unstake and evidence txs are admitted. */
  staking: boolean
  clock: Clock
  /**
   * The committed head-state accounts of `addresses`, in the same order; an
   * address with no account reads as { balance: 0n, nonce: 0n }.
   */
  readAccounts(addresses: Uint8Array[]): Promise<Account[]>
  /**
   * Signature check; throws (or rejects with) VerifyError TX_BAD_SIGNATURE.
   * Runs only after the cheap stateful checks passed. A node passes the
   * worker pool's; defaults to checkTxSignature on this thread; tests and
   * benchmarks inject their own.
   */
  verify?: (tx: Tx) => void | Promise<void>
  /**
   * The state rules of a stake, unstake or evidence tx at the head (chain
   * checkStakingTx), beyond nonce and funds; throws VerifyError. Asked at
   * admission and again for every such pending tx at each reset, which drops
   * one the head no longer allows (with its sender's later txs). Absent: not
   * checked (a chain without staking has no such txs).
   */
  checkState?: (tx: Tx) => Promise<void>
}

export interface MempoolOptions {
  /** Most pending txs, ready and future together. Default 50,000. */
  countMax?: number
  /** Most encoded bytes of pending txs. Default 64 MiB. */
  bytesMax?: number
  /** Most pending txs of one sender. Default 64. */
  perSenderMax?: number
  /** Most future txs (waiting for a lower nonce) over all senders. Default 5,000. */
  futureMax?: number
  /**
   * Most nonces a future tx may skip past its sender's next executable nonce
   * (account nonce + ready txs). Default 64.
   */
  nonceGapMax?: number
  /** A tx is dropped by expire() this long after it was admitted. Default 3 hours. */
  expiryMs?: number
  /**
   * A replacement (same sender and nonce) must pay at least this many percent
   * more fee than the tx it replaces. Default 10: without a minimum bump a
   * sender could make every node re-verify and re-relay a tx for +1 unit each time.
   */
  replaceFeeBumpPercent?: number
}

export type MempoolConfig = Readonly<Required<MempoolOptions>>

export const MEMPOOL_DEFAULTS: MempoolConfig = Object.freeze({
  countMax: 50_000,
  bytesMax: 64 * 1024 * 1024,
  perSenderMax: 64,
  futureMax: 5_000,
  nonceGapMax: 64,
  expiryMs: 3 * 60 * 60 * 1000,
  replaceFeeBumpPercent: 10,
})

/** Fills in defaults; throws RangeError on a value that is not a non-negative integer (or is 0 where that makes no sense). */
export function resolveOptions(options: MempoolOptions): MempoolConfig {
  const config = { ...MEMPOOL_DEFAULTS }
  for (const key of Object.keys(MEMPOOL_DEFAULTS) as Array<keyof MempoolConfig>) {
    const value = options[key]
    if (value === undefined) continue
    const min = key === 'nonceGapMax' || key === 'replaceFeeBumpPercent' || key === 'futureMax' ? 0 : 1
    if (!Number.isSafeInteger(value) || value < min) {
      throw new RangeError(`mempool option ${key} must be an integer >= ${min}, got ${value}`)
    }
    config[key] = value
  }
  return Object.freeze(config)
}
