/**
 * Typed errors of the files exchange. A `FilesWireError` is a peer's
 * malformed message (the sender is charged); a `FilesCidError` a CID we do
 * not fetch or serve (unknown codec or hash); a `FilesDagError` a DAG past
 * the documented limits or not UnixFS; a `FilesFetchError` a download that
 * cannot finish. Our own bugs stay plain `Error`s.
 */

export class FilesWireError extends Error {
  override readonly name = 'FilesWireError'
  constructor(
    readonly code: 'WIRE_MALFORMED' | 'WIRE_TOO_LARGE' | 'WIRE_TOO_MANY' | 'WIRE_NON_CANONICAL',
    message: string,
  ) {
    super(`${code}: ${message}`)
  }
}

export class FilesCidError extends Error {
  override readonly name = 'FilesCidError'
  constructor(
    readonly code: 'CID_MALFORMED' | 'CID_UNSUPPORTED_CODEC' | 'CID_UNSUPPORTED_HASH',
    message: string,
  ) {
    super(`${code}: ${message}`)
  }
}

export class FilesDagError extends Error {
  override readonly name = 'FilesDagError'
  constructor(
    readonly code: 'DAG_TOO_DEEP' | 'DAG_TOO_WIDE' | 'DAG_MALFORMED' | 'DAG_NOT_UNIXFS' | 'BLOCK_TOO_LARGE',
    message: string,
  ) {
    super(`${code}: ${message}`)
  }
}

export class FilesFetchError extends Error {
  override readonly name = 'FilesFetchError'
  constructor(
    /** UNAVAILABLE: no provider left has a block still needed; ABORTED: the caller's signal. */
    readonly code: 'UNAVAILABLE' | 'ABORTED',
    message: string,
  ) {
    super(`${code}: ${message}`)
  }
}
