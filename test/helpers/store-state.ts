/**
 * Reading a chain store directly, below the Chain: what a crash left behind.
 * Several key families (see src/chain/layout.ts) are a function of the head
 * alone, so two stores with the same head must hold them byte for byte.
 */
import { createHash, type Hash } from 'node:crypto'
import { decodeEntry } from '../../src/chain/header-index.js'
import { layout } from '../../src/chain/layout.js'
import { type KvStore, prefixRange } from '../../src/storage/kv.js'
import { toHex } from '../../src/util/bytes.js'

const none = new Uint8Array(0)

/** The prefixes whose whole content the head determines; 'h', 'b' and 's' also keep side and stale entries. */
const HEAD_DETERMINED = {
  accounts: layout.account(none),
  heights: layout.height(0).subarray(0, 1),
  txLocations: layout.txLocation(none),
  undo: layout.undo(none),
  meta: layout.head.subarray(0, 1),
} as const

export type HeadStateDigest = Record<keyof typeof HEAD_DETERMINED, string>

function frame(hash: Hash, bytes: Uint8Array): void {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(bytes.byteLength)
  hash.update(len)
  hash.update(bytes)
}

/** SHA-256 over every entry of each head-determined prefix, one digest per prefix. */
export async function headStateDigest(store: KvStore): Promise<HeadStateDigest> {
  const out: Partial<HeadStateDigest> = {}
  for (const [name, prefix] of Object.entries(HEAD_DETERMINED) as Array<[keyof HeadStateDigest, Uint8Array]>) {
    const hash = createHash('sha256')
    for await (const [key, value] of store.entries(prefixRange(prefix))) {
      frame(hash, key)
      frame(hash, value)
    }
    out[name] = hash.digest('hex')
  }
  return out as HeadStateDigest
}

export async function storedHeadId(store: KvStore): Promise<string | undefined> {
  const hash = await store.get(layout.head)
  return hash ? toHex(hash) : undefined
}

export interface StoredHeaders {
  /** Main-chain blocks from the head down that are not marked valid or whose bytes are missing. */
  brokenMain: string[]
  /** Blocks stored but never connected that carry more work than the head: a crash between the two batches of an import. */
  pendingBetter: string[]
}

/** Walks the stored header entries: the head's ancestry must be valid, complete and reach genesis. */
export async function inspectHeaders(store: KvStore, headId: string): Promise<StoredHeaders> {
  const entries = new Map<string, StoredEntry>()
  for await (const [, value] of store.entries(prefixRange(layout.headerPrefix))) {
    const entry = decodeEntry(value)
    entries.set(entry.header.id, entry)
  }
  const brokenMain: string[] = []
  let e = entries.get(headId)
  if (!e) brokenMain.push(`${headId} (no header entry)`)
  while (e) {
    const bytes = await store.get(layout.block(e.header.hash))
    if (e.status !== 'valid' || !bytes)
      brokenMain.push(`${e.header.id} (${e.status}, ${bytes ? 'stored' : 'no block'})`)
    if (e.header.height === 0) break
    const parent = entries.get(e.header.parentId)
    if (!parent) brokenMain.push(`${e.header.parentId} (missing parent)`)
    e = parent
  }
  const headWork = entries.get(headId)?.totalWork ?? 0n
  const pendingBetter = [...entries.values()]
    .filter((x) => x.status === 'stored' && x.totalWork > headWork)
    .map((x) => x.header.id)
  return { brokenMain, pendingBetter }
}

type StoredEntry = ReturnType<typeof decodeEntry>
