/** In-memory backend with the same semantics as LevelStore: for tests and simulations. */
import { equalBytes } from '../util/bytes.js'
import type { BatchOp, KvStore, RangeOptions } from './kv.js'

// latin1 strings compare like the bytes they hold, so a sorted string order is byte order.
const keyOf = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
const bytesOf = (key: string): Uint8Array => new Uint8Array(Buffer.from(key, 'latin1'))

/**
 * Entries many memory stores hold alike, kept once: the simulator's nodes
 * store the same blocks, headers and trie nodes, so each store keeps a
 * reference to one shared copy instead of a copy of its own. Sharing is by
 * key and value both: a store whose value differs keeps its own.
 */
export class SharedValues {
  private readonly entries = new Map<string, { key: string; value: Uint8Array }>()

  get size(): number {
    return this.entries.size
  }

  /**
   * The shared key string and value for `value` under `key`: the first store
   * to write an entry makes it the shared one; a store writing another value
   * under the same key gets a copy of its own.
   */
  intern(key: string, value: Uint8Array): { key: string; value: Uint8Array } {
    const known = this.entries.get(key)
    if (known !== undefined)
      return equalBytes(known.value, value) ? known : { key: known.key, value: new Uint8Array(value) }
    const entry = { key, value: new Uint8Array(value) }
    this.entries.set(key, entry)
    return entry
  }
}

export interface MemoryStoreOptions {
  /** Share equal entries with other stores (simulations of many nodes). */
  shared?: SharedValues
}

export class MemoryStore implements KvStore {
  private readonly map = new Map<string, Uint8Array>()
  private isOpen = false

  constructor(private readonly options: MemoryStoreOptions = {}) {}

  /**
   * A new, closed store holding the same entries (values are shared: the store
   * never mutates a value it holds). Simulated nodes start from one copy of a
   * data directory this way.
   */
  copy(): MemoryStore {
    const twin = new MemoryStore(this.options)
    for (const [key, value] of this.map) twin.map.set(key, value)
    return twin
  }

  async open(): Promise<void> {
    this.isOpen = true
  }

  async close(): Promise<void> {
    this.isOpen = false
  }

  private assertOpen(): void {
    if (!this.isOpen) throw new Error('MemoryStore is not open')
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.assertOpen()
    return this.map.get(keyOf(key))
  }

  async getMany(keys: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    this.assertOpen()
    return keys.map((k) => this.map.get(keyOf(k)))
  }

  async batch(ops: BatchOp[]): Promise<void> {
    this.assertOpen()
    for (const op of ops) {
      if (op.type === 'put') {
        const { shared } = this.options
        if (shared) {
          const entry = shared.intern(keyOf(op.key), op.value)
          this.map.set(entry.key, entry.value)
        } else {
          this.map.set(keyOf(op.key), new Uint8Array(op.value))
        }
      } else this.map.delete(keyOf(op.key))
    }
  }

  async *entries(range: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    this.assertOpen()
    const gte = range.gte ? keyOf(range.gte) : undefined
    const lt = range.lt ? keyOf(range.lt) : undefined
    const keys = [...this.map.keys()]
      .filter((k) => (gte === undefined || k >= gte) && (lt === undefined || k < lt))
      .sort()
    if (range.reverse) keys.reverse()
    const limit = range.limit ?? Number.POSITIVE_INFINITY
    for (let i = 0; i < keys.length && i < limit; i++) {
      const value = this.map.get(keys[i] as string)
      if (value !== undefined) yield [bytesOf(keys[i] as string), value]
    }
  }
}
