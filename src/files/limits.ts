/**
 * The file store's limits, one named constant each (docs/LIMITS.md, "Files").
 * The import layout is fixed here too: the same bytes and these options give
 * the CID any IPFS implementation computes with them.
 */

/** Bytes per leaf chunk of an imported file (fixed-size chunker). */
export const FILE_CHUNK_BYTES = 256 * 1024
/** Children per interior node of a file's balanced DAG (the importer's and Helia's). */
export const FILE_LINKS_PER_NODE = 1024
/** A directory becomes a HAMT shard past this many bytes of links (the importer's default, written out). */
export const DIR_SHARD_SPLIT_BYTES = 256 * 1024

/** Largest block stored, served or accepted (IPFS's blocks are at most 2 MiB). */
export const BLOCK_BYTES_MAX = 2 * 1024 * 1024
/** Deepest DAG walked: a directory tree's nesting plus each file's own tree. */
export const DAG_DEPTH_MAX = 64
/** Most links one dag-pb node may carry (files have ≤ 1,024; a flat directory of short names ~5,000); the exchange's too. */
export const DAG_LINKS_PER_NODE_MAX = 8192
/** Most blocks one DAG may hold (256 GiB of 256 KiB chunks): bounds a walk's memory. */
export const DAG_BLOCKS_MAX = 1_048_576

/** Roots kept in the index (added or downloaded files and directories). */
export const INDEX_ROOTS_MAX = 10_000
/** Longest name kept for a root in the index, in characters. */
export const ROOT_NAME_CHARS_MAX = 255
/** Files and directories one directory import may hold. */
export const IMPORT_ENTRIES_MAX = 100_000

/** Blocks written in one LevelDB batch by `putMany`. */
export const PUT_BATCH_BLOCKS_MAX = 64
/** Writes stop (DISK_FULL) while the data directory's disk has less free space than this. */
export const DISK_FREE_BYTES_MIN = 64 * 1024 * 1024
/** Bytes written between two checks of the free space. */
export const DISK_CHECK_EVERY_BYTES = 16 * 1024 * 1024

/** Downloads running at once. */
export const DOWNLOADS_RUNNING_MAX = 8
/** Finished downloads remembered for `files_get` to report (the oldest is forgotten first). */
export const DOWNLOADS_KEPT_MAX = 64
/** Largest upload `files_add` takes as bytes (base64 in the request, under the API's 1 MiB body cap). */
export const UPLOAD_BYTES_MAX = 512 * 1024
