/**
 * What BFT rounds need to know of the validators of one height: who they are,
 * their voting power, and whose turn it is to propose in each round. The
 * proof-of-stake engine computes the set from the state (consensus/pos/);
 * the round state machine, vote tallies and commit checks read it through
 * this view only.
 */
export interface Validator {
  /** 20-byte account address (addressFromPublicKey of the key). */
  readonly address: Uint8Array
  /** 32-byte raw Ed25519 public key: votes and proposals are checked against it. */
  readonly publicKey: Uint8Array
  /** Voting power, > 0. */
  readonly power: bigint
}

export interface ValidatorSetView {
  /** Number of validators; indices run 0 … size − 1 in the set's canonical order. */
  readonly size: number
  /** Sum of every validator's power. */
  readonly totalPower: bigint
  validator(index: number): Validator
  /** Index of the validator with this address, or −1 when it is not in the set. */
  indexOf(address: Uint8Array): number
  /** Index of the proposer of `round` (0, 1, …) at the height this set belongs to. */
  proposer(round: number): number
}

/** Strictly more than two thirds of `total`: the power a quorum needs. */
export function isQuorum(power: bigint, total: bigint): boolean {
  return power * 3n > total * 2n
}
