/**
 * The key-value interface every store is written against. Keys and values are
 * bytes; `batch` is atomic (all or nothing, also across a crash).
 */
export type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array }

export interface RangeOptions {
  gte?: Uint8Array
  lt?: Uint8Array
  reverse?: boolean
  limit?: number
}

export interface KvStore {
  open(): Promise<void>
  close(): Promise<void>
  get(key: Uint8Array): Promise<Uint8Array | undefined>
  getMany(keys: Uint8Array[]): Promise<Array<Uint8Array | undefined>>
  /**
   * Applies every op or none. With `sync`, resolves only once the batch is on
   * disk (fsync), so it survives a power loss, not just a killed process.
   */
  batch(ops: BatchOp[], opts?: { sync?: boolean }): Promise<void>
  /** Entries in key order within the range. */
  entries(range: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]>
}

/** The range of every key that starts with `prefix`. */
export function prefixRange(prefix: Uint8Array): { gte: Uint8Array; lt: Uint8Array } {
  const lt = new Uint8Array(prefix)
  let i = lt.length - 1
  while (i >= 0 && lt[i] === 0xff) i--
  if (i < 0) throw new RangeError('prefix of only 0xff bytes has no upper bound')
  lt[i] = (lt[i] as number) + 1
  return { gte: prefix, lt: lt.subarray(0, i + 1) }
}
