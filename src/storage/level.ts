/** LevelDB backend (classic-level): embedded, atomic batches. */
import { ClassicLevel } from 'classic-level'
import type { BatchOp, KvStore, RangeOptions } from './kv.js'

/** Keys and values up to this size are copied into one buffer per batch (see batch). */
const SMALL_BYTES = 64

export class LevelStore implements KvStore {
  private readonly db: ClassicLevel<Uint8Array, Uint8Array>

  constructor(readonly path: string) {
    // No Snappy: nearly every byte stored is a hash, a key or a signature, which do not compress,
    // so compression would only cost CPU on every write and compaction (Bitcoin Core turns it off
    // for its chainstate for the same reason).
    this.db = new ClassicLevel<Uint8Array, Uint8Array>(path, {
      keyEncoding: 'view',
      valueEncoding: 'view',
      compression: false,
    })
  }

  async open(): Promise<void> {
    await this.db.open()
  }

  async close(): Promise<void> {
    await this.db.close()
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.db.get(key)
  }

  getMany(keys: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    return this.db.getMany(keys)
  }

  /**
   * One atomic write through a chained batch. (An array batch copies its
   * options into every op, which made a block's 8,000-op write, fsynced,
   * about four times slower.) Keys and values of up to 64 bytes are first
   * copied into one buffer for the batch: V8 keeps arrays that small inside
   * its heap, and handing one to LevelDB's native side makes V8 move it out
   * first, which costs more than the copy (a block writes ~4,500 such keys).
   */
  batch(ops: BatchOp[], opts: { sync?: boolean } = {}): Promise<void> {
    if (ops.length === 0) return Promise.resolve()
    let smallBytes = 0
    for (const op of ops) {
      if (op.key.byteLength <= SMALL_BYTES) smallBytes += op.key.byteLength
      if (op.type === 'put' && op.value.byteLength <= SMALL_BYTES) smallBytes += op.value.byteLength
    }
    const slab = new Uint8Array(smallBytes)
    let at = 0
    const staged = (bytes: Uint8Array): Uint8Array => {
      if (bytes.byteLength > SMALL_BYTES) return bytes
      const view = slab.subarray(at, at + bytes.byteLength)
      view.set(bytes)
      at += bytes.byteLength
      return view
    }
    const batch = this.db.batch()
    for (const op of ops) {
      if (op.type === 'put') batch.put(staged(op.key), staged(op.value))
      else batch.del(staged(op.key))
    }
    return batch.write({ sync: opts.sync ?? false })
  }

  async *entries(range: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    for await (const entry of this.db.iterator(range)) yield entry
  }
}
