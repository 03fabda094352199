/**
 * What a light node's header store (header-store.ts) keeps in its KvStore,
 * and how it is read back:
 * - `'H' ‖ hash` → totalWork (32 bytes, big-endian) ‖ encoded header: every stored header, any branch;
 * - `'N' ‖ u64be(height)` → hash: the main chain by height, genesis to tip;
 * - `'T'` → the tip's hash; `'G'` → the genesis hash (a data dir of another chain is refused);
 * - `'A'` → the anchor's hash, on a chain started from a FlyClient proof (fly-sync.ts);
 * - `'V'` → proof of stake: the epoch record of the set that signs the height after the tip (pos-sync.ts).
 */
import { Header } from '../ledger/block.js'
import type { KvStore } from '../storage/kv.js'
import { prefixRange } from '../storage/kv.js'
import { bigintToBytes, bytesToBigint, concatBytes, equalBytes, toHex, u64be } from '../util/bytes.js'

const HEADER = 0x48 // 'H'
const MAIN = 0x4e // 'N'

export const lightKeys = {
  HEADER,
  MAIN,
  header: (hash: Uint8Array): Uint8Array => concatBytes(new Uint8Array([HEADER]), hash),
  main: (height: number): Uint8Array => concatBytes(new Uint8Array([MAIN]), u64be(height)),
  tip: new Uint8Array([0x54]), // 'T'
  genesis: new Uint8Array([0x47]), // 'G'
  anchor: new Uint8Array([0x41]), // 'A'
  posSet: new Uint8Array([0x56]), // 'V'
} as const

/** One stored header with the work of its chain up to it. */
export interface LightEntry {
  readonly header: Header
  readonly id: string
  readonly height: number
  /** Cumulative work from genesis to this header, inclusive. */
  readonly totalWork: bigint
}

/** Why the store refused: a data dir it cannot use, or a run it cannot attach. */
export type LightStoreErrorCode =
  | 'OTHER_CHAIN'
  | 'CORRUPT'
  | 'PARENT_MISSING'
  | 'NOT_ON_TIP'
  | 'NOT_MORE_WORK'
  | 'NO_PATH_TO_GENESIS'

export class LightStoreError extends Error {
  override readonly name = 'LightStoreError'
  constructor(
    message: string,
    readonly code: LightStoreErrorCode,
  ) {
    super(message)
  }
}

export function entryOf(header: Header, totalWork: bigint): LightEntry {
  return { header, id: header.id, height: header.height, totalWork }
}

/** An `'H'` record's value. */
export function encodeEntry(entry: LightEntry): Uint8Array {
  return concatBytes(bigintToBytes(entry.totalWork, 32), entry.header.bytes)
}

/** Reads an `'H'` record's value; throws LightStoreError CORRUPT (or the header's DecodeError). */
export function decodeEntry(bytes: Uint8Array): LightEntry {
  if (bytes.byteLength <= 32) throw new LightStoreError('a corrupt header entry in the light store', 'CORRUPT')
  return entryOf(Header.fromBytes(bytes.subarray(32)), bytesToBigint(bytes.subarray(0, 32)))
}

/** What a store holds when opened: every header entry (by height), the tip's and the anchor's ids. */
export interface StoredLightChain {
  entries: LightEntry[]
  tipId: string | undefined
  anchorId: string | undefined
}

/**
 * Reads a store for the chain of `genesis`, writing the genesis (entry, main
 * chain, tip) on first use. Throws LightStoreError OTHER_CHAIN when it holds
 * another chain's genesis.
 */
export async function readLightStore(kv: KvStore, genesis: LightEntry): Promise<StoredLightChain> {
  const storedGenesis = await kv.get(lightKeys.genesis)
  if (storedGenesis && !equalBytes(storedGenesis, genesis.header.hash)) {
    throw new LightStoreError(
      `the light store holds the chain of genesis ${toHex(storedGenesis)}, not ${genesis.id}`,
      'OTHER_CHAIN',
    )
  }
  if (!storedGenesis) {
    await kv.batch(
      [
        { type: 'put', key: lightKeys.genesis, value: genesis.header.hash },
        { type: 'put', key: lightKeys.header(genesis.header.hash), value: encodeEntry(genesis) },
        { type: 'put', key: lightKeys.main(0), value: genesis.header.hash },
        { type: 'put', key: lightKeys.tip, value: genesis.header.hash },
      ],
      { sync: true },
    )
  }
  const anchor = await kv.get(lightKeys.anchor)
  const entries: LightEntry[] = []
  for await (const [, value] of kv.entries(prefixRange(new Uint8Array([HEADER])))) entries.push(decodeEntry(value))
  entries.sort((a, b) => a.height - b.height)
  const tip = await kv.get(lightKeys.tip)
  return { entries, tipId: tip ? toHex(tip) : undefined, anchorId: anchor ? toHex(anchor) : undefined }
}

/** The keys of every header entry and main-chain record (what adopting a proven chain replaces). */
export async function mainChainKeys(kv: KvStore): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for (const prefix of [HEADER, MAIN]) {
    for await (const [key] of kv.entries(prefixRange(new Uint8Array([prefix])))) out.push(key)
  }
  return out
}
