/**
 * The stem protocol's typed failures. A `StemError` is a peer's fault or a
 * refusal the caller acts on (fall back to another relay, or fluff); its
 * `code` is stable and documented in docs/PROTOCOL.md.
 */

export type StemErrorCode =
  /** The peer sent more stem txs than its bucket allows (STEM_REQUEST_RATE). */
  | 'STEM_RATE_LIMITED'
  /** A stem answer that is not one of the answer bytes (stem-codec.ts). */
  | 'STEM_BAD_ANSWER'
  /** The next hop answered that it refused the tx. */
  | 'STEM_REFUSED'
  /** The stem pool holds STEM_POOL_TXS_MAX txs or STEM_POOL_BYTES_MAX bytes. */
  | 'STEM_POOL_FULL'

export class StemError extends Error {
  override readonly name = 'StemError'
  constructor(
    readonly code: StemErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`)
  }
}
