/**
 * Caps on BFT messages, checked before anything is parsed or stored. A vote
 * or proposal is at most ~145 bytes; the caps leave room for nothing else.
 */
import { EVIDENCE_BYTES_MAX } from '../../ledger/limits.js'

export const BFT_LIMITS = {
  /**
   * Highest round a message may name. Rounds grow one per timeout (seconds
   * each), so an honest height never gets near; the cap keeps round arithmetic
   * far from uint32 overflow and refuses absurd rounds at decode.
   */
  roundMax: 1_000_000,
  voteBytesMax: 160,
  proposalBytesMax: 160,
  /** Two votes, each a length-delimited field. */
  evidenceBytesMax: EVIDENCE_BYTES_MAX,
  /** A commit's fixed fields, beside its signatures (commitBytesMax). */
  commitHeadBytesMax: 64,
  /** One CommitSig: index (≤ 6 bytes), 64-byte signature, tags and lengths. */
  commitSigBytesMax: 76,
} as const

/** The largest encoded commit of a set of `validatorsMax` validators. */
export function commitBytesMax(validatorsMax: number): number {
  return BFT_LIMITS.commitHeadBytesMax + validatorsMax * BFT_LIMITS.commitSigBytesMax
}
