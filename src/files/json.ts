/** The file service's answers as JSON-ready values: what the API returns and the CLI and dashboard read. */

/** A root the node keeps (`files_list`, `files_pins`). */
export interface FileRootJson {
  cid: string
  name: string
  sizeBytes: number
  /** Milliseconds since the Unix epoch. */
  addedAtMs: number
  pinned: boolean
  source: 'added' | 'downloaded'
}

/** `files_add`'s answer. */
export interface FileAddedJson extends FileRootJson {
  kind: 'file' | 'directory'
}

/** `files_stat`: what the node holds of a DAG. */
export interface FileStatJson {
  cid: string
  /** The content's size when known (from the index, or the held root of a file). */
  sizeBytes: number | null
  /** Distinct blocks reached from the root through the held blocks. */
  blocks: number
  blocksHeld: number
  bytesHeld: number
  /** Every block of the DAG is held. */
  complete: boolean
  pinned: boolean
  /** The root is in the index (added, downloaded or pinned). */
  indexed: boolean
  name: string | null
}

/** `files_get`: a download's state. */
export interface FileDownloadJson {
  cid: string
  state: 'running' | 'done' | 'failed'
  blocksDone: number
  blocksKnown: number
  bytesDone: number
  bytesTotal: number | null
  providers: number
  bytesPerSecond: number
  /** Seconds left at the current rate; null when unknown. */
  etaSeconds: number | null
  startedAtMs: number
  /** Set when state is "failed". */
  error?: { code: string; message: string }
}

/** `files_gc`'s answer. */
export interface FileGcJson {
  blocksRemoved: number
  bytesRemoved: number
  blocksKept: number
  /** Unpinned roots dropped from the index. */
  rootsRemoved: number
}

/** `files_export`'s answer. */
export interface FileExportJson {
  cid: string
  path: string
  files: number
  bytes: number
}
