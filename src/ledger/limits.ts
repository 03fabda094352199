/**
 * Absolute protocol caps, checked by the decoders before anything else. A
 * genesis file may set tighter limits (see genesis.ts), never looser ones.
 * Documented in docs/LIMITS.md.
 */
export const ABS_LIMITS = {
  txBytesMax: 4096,
  memoBytesMax: 1024,
  blockBytesMax: 8 * 1024 * 1024,
  blockTxsMax: 20_000,
  headerBytesMax: 512,
  chainIdLengthMax: 64,
} as const

export interface ChainLimits {
  /** Largest encoded transaction accepted. */
  txBytesMax: number
  /** Largest memo accepted. */
  memoBytesMax: number
  /** Largest encoded block accepted. */
  blockBytesMax: number
  /** Most transactions in one block. */
  blockTxsMax: number
  /** Smallest fee the mempool and blocks accept. */
  minFee: bigint
}

export const DEFAULT_LIMITS: ChainLimits = {
  txBytesMax: 1024,
  memoBytesMax: 256,
  blockBytesMax: 2 * 1024 * 1024,
  blockTxsMax: 5000,
  minFee: 1n,
}

export const HASH_BYTES = 32
export const ADDRESS_BYTES = 20
export const PUBKEY_BYTES = 32
export const SIGNATURE_BYTES = 64

/**
 * Most bytes of an evidence tx's payload (a DuplicateVoteEvidence: two votes
 * of at most 160 bytes each, with their tags and lengths). consensus/bft's
 * limits take it from here, so the tx rules need not import consensus/.
 */
export const EVIDENCE_BYTES_MAX = 2 * (160 + 3)
