/**
 * The index of the roots the node keeps: every file or directory added or
 * downloaded, with its name, size, when it came and whether it is pinned
 * (gc never removes a pinned root's blocks). Kept in its own LevelDB store
 * (a `KvStore`), one key per root: "r" + the CID's bytes → the entry as JSON.
 * Loaded whole at open (at most INDEX_ROOTS_MAX entries) and written through.
 */
import { CID } from 'multiformats/cid'
import { type KvStore, prefixRange } from '../storage/kv.js'
import { FilesError } from './errors.js'
import { INDEX_ROOTS_MAX, ROOT_NAME_CHARS_MAX } from './limits.js'

export type RootSource = 'added' | 'downloaded'

export interface RootEntry {
  cid: CID
  /** The file's or directory's name when added; the CID's text for a download without one. */
  name: string
  /** The content's bytes (a file's length, a directory's files together); 0 until a download knows it. */
  sizeBytes: number
  addedAtMs: number
  pinned: boolean
  source: RootSource
}

const ROOT_PREFIX = new Uint8Array([0x72]) // "r"
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class RootsIndex {
  private readonly entries = new Map<string, RootEntry>()

  private constructor(private readonly store: KvStore) {}

  /** Opens `store` and reads every entry. */
  static async open(store: KvStore): Promise<RootsIndex> {
    await store.open()
    const index = new RootsIndex(store)
    for await (const [key, value] of store.entries(prefixRange(ROOT_PREFIX))) {
      const entry = decodeEntry(key, value)
      if (entry) index.entries.set(entry.cid.toString(), entry)
    }
    return index
  }

  close(): Promise<void> {
    return this.store.close()
  }

  get size(): number {
    return this.entries.size
  }

  get(cid: CID): RootEntry | undefined {
    return this.entries.get(cid.toV1().toString())
  }

  /** Every root, newest first. */
  list(): RootEntry[] {
    return [...this.entries.values()].sort((a, b) => b.addedAtMs - a.addedAtMs)
  }

  pinned(): RootEntry[] {
    return this.list().filter((e) => e.pinned)
  }

  /** Adds or replaces a root; INDEX_FULL when a new root would pass INDEX_ROOTS_MAX. */
  async put(entry: RootEntry): Promise<RootEntry> {
    const cid = entry.cid.toV1()
    const key = cid.toString()
    if (!this.entries.has(key) && this.entries.size >= INDEX_ROOTS_MAX) {
      throw new FilesError('INDEX_FULL', `the node keeps at most ${INDEX_ROOTS_MAX} roots: unpin and gc some first`)
    }
    const stored: RootEntry = { ...entry, cid, name: entry.name.slice(0, ROOT_NAME_CHARS_MAX) }
    await this.store.batch([{ type: 'put', key: rootKey(cid), value: encodeEntry(stored) }], { sync: true })
    this.entries.set(key, stored)
    return stored
  }

  async delete(cid: CID): Promise<void> {
    const v1 = cid.toV1()
    await this.store.batch([{ type: 'del', key: rootKey(v1) }], { sync: true })
    this.entries.delete(v1.toString())
  }
}

function rootKey(cid: CID): Uint8Array {
  const key = new Uint8Array(1 + cid.bytes.byteLength)
  key.set(ROOT_PREFIX)
  key.set(cid.bytes, 1)
  return key
}

function encodeEntry(entry: RootEntry): Uint8Array {
  const { name, sizeBytes, addedAtMs, pinned, source } = entry
  return encoder.encode(JSON.stringify({ name, sizeBytes, addedAtMs, pinned, source }))
}

/** An entry from its stored bytes; undefined for one that does not read (it is skipped, not fatal). */
function decodeEntry(key: Uint8Array, value: Uint8Array): RootEntry | undefined {
  try {
    const cid = CID.decode(key.subarray(ROOT_PREFIX.byteLength))
    const json = JSON.parse(decoder.decode(value)) as Partial<Omit<RootEntry, 'cid'>>
    if (typeof json.name !== 'string' || typeof json.sizeBytes !== 'number' || typeof json.addedAtMs !== 'number') {
      return undefined
    }
    return {
      cid,
      name: json.name,
      sizeBytes: json.sizeBytes,
      addedAtMs: json.addedAtMs,
      pinned: json.pinned === true,
      source: json.source === 'downloaded' ? 'downloaded' : 'added',
    }
  } catch {
    return undefined
  }
}
