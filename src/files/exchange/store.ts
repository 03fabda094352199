/**
 * What the exchange needs of a block store: ask, read, write by CID. A
 * `Blockstore` (interface-blockstore, e.g. blockstore-level's) fits through
 * `exchangeStoreOf`, which joins its chunked reads and turns its NotFound
 * into `undefined`.
 */
import type { CID } from 'multiformats/cid'

export interface ExchangeStore {
  has(cid: CID): Promise<boolean>
  /** The block's bytes, or undefined when not held. */
  get(cid: CID): Promise<Uint8Array | undefined>
  /** Stores a block already verified against its CID. */
  put(cid: CID, bytes: Uint8Array): Promise<void>
}

/** The parts of interface-blockstore's Blockstore the adapter uses. */
export interface BlockstoreLike {
  has(cid: CID): boolean | Promise<boolean>
  get(cid: CID): Iterable<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array | Promise<Uint8Array>
  put(cid: CID, bytes: Uint8Array): unknown
}

const isNotFound = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'NotFoundError' || (err as { code?: string }).code === 'ERR_NOT_FOUND')

/** An ExchangeStore over a Blockstore (interface-blockstore 7: `get` yields chunks). */
export function exchangeStoreOf(blockstore: BlockstoreLike): ExchangeStore {
  return {
    has: async (cid) => await blockstore.has(cid),
    async get(cid) {
      try {
        const out = await blockstore.get(cid)
        if (out instanceof Uint8Array) return out
        const chunks: Uint8Array[] = []
        for await (const chunk of out) chunks.push(chunk)
        if (chunks.length === 1) return chunks[0]
        return Buffer.concat(chunks)
      } catch (err) {
        if (isNotFound(err)) return undefined
        throw err
      }
    },
    async put(cid, bytes) {
      await blockstore.put(cid, bytes)
    },
  }
}
