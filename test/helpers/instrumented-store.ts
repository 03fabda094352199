/**
 * KvStores for the store-fault and deep-reorg tests: one that counts what is
 * read and written (the largest batch, block reads), one that fails a chosen
 * write the way a full disk does. Both wrap another store.
 */
import type { BatchOp, KvStore, RangeOptions } from '../../src/storage/kv.js'

const BLOCK_PREFIX = 'b'.charCodeAt(0)

class WrappedStore implements KvStore {
  constructor(readonly inner: KvStore) {}

  open(): Promise<void> {
    return this.inner.open()
  }

  close(): Promise<void> {
    return this.inner.close()
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.inner.get(key)
  }

  getMany(keys: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    return this.inner.getMany(keys)
  }

  entries(range: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    return this.inner.entries(range)
  }

  batch(ops: BatchOp[], opts?: { sync?: boolean }): Promise<void> {
    return this.inner.batch(ops, opts)
  }
}

/** Counts batches, the largest one, and the blocks read between two batches (what a step holds). */
export class CountingStore extends WrappedStore {
  batches = 0
  opsMax = 0
  bytesMax = 0
  blockReads = 0
  private readsSinceBatch = 0
  /** The most blocks read between two consecutive batches. */
  blockReadsBetweenBatchesMax = 0

  reset(): void {
    this.batches = 0
    this.opsMax = 0
    this.bytesMax = 0
    this.blockReads = 0
    this.readsSinceBatch = 0
    this.blockReadsBetweenBatchesMax = 0
  }

  override get(key: Uint8Array): Promise<Uint8Array | undefined> {
    if (key[0] === BLOCK_PREFIX) {
      this.blockReads++
      this.readsSinceBatch++
    }
    return super.get(key)
  }

  override batch(ops: BatchOp[], opts?: { sync?: boolean }): Promise<void> {
    this.batches++
    this.opsMax = Math.max(this.opsMax, ops.length)
    let bytes = 0
    for (const op of ops) bytes += op.key.byteLength + (op.type === 'put' ? op.value.byteLength : 0)
    this.bytesMax = Math.max(this.bytesMax, bytes)
    this.blockReadsBetweenBatchesMax = Math.max(this.blockReadsBetweenBatchesMax, this.readsSinceBatch)
    this.readsSinceBatch = 0
    return super.batch(ops, opts)
  }
}

/** An error like the one a write to a full disk gives. */
export function diskFullError(): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error('ENOSPC: no space left on device, write')
  err.code = 'ENOSPC'
  err.errno = -28
  err.syscall = 'write'
  return err
}

/** Lets `okBatches` more batches land once armed, then fails every batch after them (nothing of it lands). */
export class FailingStore extends WrappedStore {
  private remaining = Number.POSITIVE_INFINITY
  failures = 0

  constructor(
    inner: KvStore,
    private readonly error: () => Error = diskFullError,
  ) {
    super(inner)
  }

  /** From now on, `okBatches` batches land and the next ones fail. */
  failAfter(okBatches: number): void {
    this.remaining = okBatches
  }

  override async batch(ops: BatchOp[], opts?: { sync?: boolean }): Promise<void> {
    if (this.remaining <= 0) {
      this.failures++
      throw this.error()
    }
    this.remaining--
    return super.batch(ops, opts)
  }
}
