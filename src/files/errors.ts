/**
 * The file store's one error class: every refusal (bad input, a DAG past the
 * limits, a full disk) is a `FilesError` with a stable `code` and a message
 * that says what was wrong and what is allowed. A block a peer sent that does
 * not match its CID is `HASH_MISMATCH`: the caller charges the peer.
 */

export type FilesErrorCode =
  /** Not a CID, or not one we can parse. */
  | 'BAD_CID'
  /** The CID's codec is neither raw (0x55) nor dag-pb (0x70). */
  | 'UNKNOWN_CODEC'
  /** The CID's multihash is not SHA-256. */
  | 'UNSUPPORTED_HASH'
  /** The bytes do not hash to the CID. */
  | 'HASH_MISMATCH'
  | 'BLOCK_TOO_LARGE'
  /** A dag-pb block that does not decode. */
  | 'BAD_BLOCK'
  | 'DAG_TOO_DEEP'
  | 'DAG_TOO_WIDE'
  | 'DAG_TOO_LARGE'
  /** A block the store does not hold. */
  | 'NOT_FOUND'
  /** A DAG some of whose blocks the store does not hold (export needs them all). */
  | 'INCOMPLETE'
  /** The disk's free space is below the floor (or the OS said ENOSPC): nothing was written. */
  | 'DISK_FULL'
  /** Another write failure: nothing of the failed batch was written. */
  | 'WRITE_FAILED'
  /** A path to import or export that cannot be used (missing, a special file, an existing target). */
  | 'BAD_PATH'
  | 'INDEX_FULL'
  | 'TOO_MANY_ENTRIES'
  /** Unpinning a root that is not pinned. */
  | 'NOT_PINNED'
  /** A download the node cannot start: no downloader, or it failed. */
  | 'DOWNLOAD_FAILED'
  /** Too many downloads at once, or gc while one runs: try again later. */
  | 'BUSY'
  /** An upload over the cap. */
  | 'TOO_LARGE'

export class FilesError extends Error {
  override readonly name = 'FilesError'

  constructor(
    readonly code: FilesErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`)
  }
}

export function isFilesError(err: unknown): err is FilesError {
  return err instanceof FilesError
}
