/**
 * Rebuilding a block from its compact form (BIP152's reconstruction): the
 * prefilled txs go to their indexes, and every tx we hold (the mempool, then
 * the pool of recently evicted and rejected txs) whose short id matches a slot
 * fills it. Pure: the caller passes the candidates and decides what to do with
 * the outcome (ask for the missing txs, or fetch the whole block).
 */
import type { Header } from '../../ledger/block.js'
import { txRootOf } from '../../ledger/block.js'
import type { Tx } from '../../ledger/tx.js'
import { shortId, shortIdKey, unpackShortIds } from './short-ids.js'

/** A compact block whose header and prefilled txs are decoded. */
export interface CompactParts {
  header: Header
  nonce: bigint
  shortIds: Uint8Array
  prefilled: ReadonlyArray<{ index: number; tx: Tx }>
}

export type RebuildResult =
  /** Every slot filled. */
  | { status: 'complete'; txs: Tx[] }
  /** Some slots empty: `missing` are their indexes, in order. */
  | { status: 'partial'; slots: Array<Tx | undefined>; missing: number[] }
  /**
   * Two txs we hold share a slot's short id, or the block names one short id
   * twice: the slot cannot be told apart, so the caller fetches the full block.
   */
  | { status: 'collision' }

/** Fills the slots of `parts` from the prefilled txs and then from `candidates`, in order. */
export function rebuildBlock(parts: CompactParts, candidates: Iterable<Iterable<Tx>>): RebuildResult {
  const ids = unpackShortIds(parts.shortIds)
  const total = ids.length + parts.prefilled.length
  const slots: Array<Tx | undefined> = new Array(total).fill(undefined)
  for (const p of parts.prefilled) slots[p.index] = p.tx
  const slotOf = new Map<number, number>()
  let next = 0
  for (const id of ids) {
    while (slots[next] !== undefined) next++
    if (slotOf.has(id)) return { status: 'collision' }
    slotOf.set(id, next)
    next++
  }
  const key = shortIdKey(parts.header.bytes, parts.nonce)
  let open = ids.length
  for (const source of candidates) {
    for (const tx of source) {
      if (open === 0) break
      const slot = slotOf.get(shortId(key, tx.hash))
      if (slot === undefined) continue
      const held = slots[slot]
      if (held === undefined) {
        slots[slot] = tx
        open--
      } else if (held.id !== tx.id) {
        return { status: 'collision' }
      }
    }
  }
  if (open === 0) return { status: 'complete', txs: slots as Tx[] }
  const missing: number[] = []
  slots.forEach((tx, i) => {
    if (tx === undefined) missing.push(i)
  })
  return { status: 'partial', slots, missing }
}

/** Puts the txs a peer sent for `missing` into their slots; the counts must match (the codec checked). */
export function fillMissing(
  slots: ReadonlyArray<Tx | undefined>,
  missing: readonly number[],
  txs: readonly Tx[],
): Tx[] {
  if (txs.length !== missing.length) throw new Error(`${txs.length} txs for ${missing.length} missing`)
  const out = [...slots]
  missing.forEach((index, i) => {
    out[index] = txs[i]
  })
  return out as Tx[]
}

/** The rebuilt txs hash to the header's tx root. */
export function matchesTxRoot(header: Header, txs: readonly Tx[]): boolean {
  const root = txRootOf(txs)
  const want = header.fields.txRoot
  return root.byteLength === want.byteLength && root.every((b, i) => b === want[i])
}

/** The compact form of `block`'s txs: short ids for all but the `prefill` indexes. */
export function compactTxs(
  headerBytes: Uint8Array,
  nonce: bigint,
  txs: readonly Tx[],
  prefill: ReadonlySet<number>,
): { ids: number[]; prefilled: Array<{ index: number; tx: Tx }> } {
  const key = shortIdKey(headerBytes, nonce)
  const ids: number[] = []
  const prefilled: Array<{ index: number; tx: Tx }> = []
  txs.forEach((tx, index) => {
    if (prefill.has(index)) prefilled.push({ index, tx })
    else ids.push(shortId(key, tx.hash))
  })
  return { ids, prefilled }
}
