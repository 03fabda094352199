/**
 * An account's stake, as the state holds it (proof of stake only). The
 * account's key is the validator's key: it signs the account's txs, and its
 * votes and proposals. Shaped as consensus/pos/stake-record.ts's StakeRecord
 * (plus the key), so the slashing and unbonding rules apply to it unchanged.
 */

export interface UnbondingEntry {
  readonly amount: bigint
  /** Height of the block whose unstake began it. */
  readonly startHeight: number
  /** First height at which it may be released (it is released at the next epoch end from there). */
  readonly releaseHeight: number
}

export interface AccountStake {
  /** The account's Ed25519 public key, recorded by its first stake tx (addresses are hashes of keys). */
  readonly publicKey: Uint8Array
  /** Backs votes, and can be slashed. */
  readonly bonded: bigint
  /** No longer backs votes; can still be slashed for what was signed while it did. */
  readonly unbonding: readonly UnbondingEntry[]
  /** Not eligible for a set at heights below this one. */
  readonly jailedUntil?: number
}

/** Most unbonding entries an account holds at once: an unstake past it is refused (TX_UNBONDING_FULL). */
export const ABS_UNBONDING_ENTRIES_MAX = 8

/** A stake that holds nothing and remembers no jail: the account drops it. */
export function isEmptyStake(stake: AccountStake): boolean {
  return stake.bonded === 0n && stake.unbonding.length === 0 && stake.jailedUntil === undefined
}
