/**
 * What the file service needs to download a DAG: the narrow seam between the
 * store (this folder) and the exchange (`files/exchange/`, which finds
 * providers and fetches from many at once). The node's wiring adapts the
 * exchange to it; tests pass a fake.
 */
import type { CID } from 'multiformats/cid'

/** Where a download stands, as the fetcher reports it. */
export interface FetchProgress {
  blocksDone: number
  /** Blocks known so far (grows as the DAG unfolds). */
  blocksKnown: number
  /** Verified bytes stored so far (blocks already held count too). */
  bytesDone: number
  /** Of them, the bytes downloaded in this fetch (not found held already): the rate counts these. */
  bytesFetched: number
  /** The content's size when known (a UnixFS file's size from its root), else undefined. */
  bytesTotal?: number
  /** Providers serving this download now. */
  providers: number
}

/** Where fetched blocks go: the file store (each block verified against its CID before it is stored). */
export interface FetchStore {
  has(cid: CID): Promise<boolean>
  get(cid: CID): Promise<Uint8Array | undefined>
  put(cid: CID, bytes: Uint8Array): Promise<void>
}

export interface DagFetcher {
  /**
   * Fetches every block of `root`'s DAG the store lacks into it, reporting
   * progress as it goes; resolves when the DAG is complete, rejects on
   * failure or abort (the blocks stored so far stay: a later fetch resumes).
   */
  fetch(
    root: CID,
    options: { store: FetchStore; onProgress: (progress: FetchProgress) => void; signal: AbortSignal },
  ): Promise<void>
}
