/**
 * What a version 2 chain keeps per stored header for the header commitment
 * (docs/PROTOCOL.md, "Header commitment (MMR)"): the MMR state after the
 * block's own hash is appended, its peaks, O(log n) nodes. A child's
 * `mmrRoot` is the root of its parent's state, so checking or building a
 * header needs only its parent's entry, never a body or a walk back.
 *
 * The state of an entry is computed once its header is added (from its
 * parent's and its own work), held in the index entry as its encoding
 * (encodeMmrPeaks: one allocation per entry), written beside the header under
 * 'r' + hash in the same batch, and read back at open.
 */
import type { Header } from '../ledger/block.js'
import { decodeMmrPeaks, EMPTY_MMR, encodeMmrPeaks, type MmrPeaks, mmrAppend, mmrRoot } from '../ledger/mmr.js'
import { type KvStore, prefixRange } from '../storage/kv.js'
import { toHex } from '../util/bytes.js'
import type { HeaderEntry } from './header-index.js'
import { layout } from './layout.js'
import { decodeStored } from './stored.js'

/** The MMR state after `header` (of `work`): its parent's state with the header's hash appended. */
export function mmrStateAfter(parent: HeaderEntry | undefined, header: Header, work: bigint): Uint8Array {
  return encodeMmrPeaks(mmrAppend(parent ? mmrStateOf(parent) : EMPTY_MMR, header.hash, work))
}

/** The MMR of `entry` and all its ancestors: the one its children commit to. */
export function mmrStateOf(entry: HeaderEntry): MmrPeaks {
  if (!entry.mmr) throw new Error(`header ${entry.id} has no MMR state (not a version 2 chain?)`)
  return decodeMmrPeaks(entry.mmr)
}

/** The `mmrRoot` a child of `parent` carries. */
export function childMmrRoot(parent: HeaderEntry): Uint8Array {
  return mmrRoot(mmrStateOf(parent))
}

/** Every stored MMR state by block id; a state that does not decode is a StoreCorruptError. */
export async function loadMmrStates(store: KvStore): Promise<Map<string, Uint8Array>> {
  const states = new Map<string, Uint8Array>()
  for await (const [key, value] of store.entries(prefixRange(layout.mmrPrefix))) {
    decodeStored(key, value, decodeMmrPeaks)
    states.set(toHex(key.subarray(1)), value)
  }
  return states
}
