/** A pending transaction as the mempool holds it, and the orders it is ranked by. */
import type { Tx } from '../ledger/tx.js'

export type TxStatus = 'ready' | 'future'

export interface PoolEntry {
  readonly tx: Tx
  readonly id: string
  readonly senderHex: string
  readonly nonce: bigint
  readonly fee: bigint
  /** amount + fee. */
  readonly cost: bigint
  readonly sizeBytes: number
  /** `sizeBytes` as a bigint, for exact fee-rate comparisons. */
  readonly sizeBig: bigint
  readonly addedMs: number
  /** Arrival order: breaks fee-rate ties deterministically. */
  readonly seq: number
  /** ready = contiguous from the account nonce, so it can go into the next block. */
  status: TxStatus
  /** Position in the eviction heap (-1 = none). */
  evictAt: number
  /** Position in the future heap (-1 = none). */
  futureAt: number
}

export function newEntry(tx: Tx, addedMs: number, seq: number): PoolEntry {
  const sizeBytes = tx.bytes.byteLength
  return {
    tx,
    id: tx.id,
    senderHex: tx.senderHex,
    nonce: tx.fields.nonce,
    fee: tx.fields.fee,
    cost: tx.cost,
    sizeBytes,
    sizeBig: BigInt(sizeBytes),
    addedMs,
    seq,
    status: 'future',
    evictAt: -1,
    futureAt: -1,
  }
}

/**
 * Sign of feeRate(a) - feeRate(b), where feeRate = fee / encoded bytes.
 * Compared by cross-multiplication: exact, no floats.
 */
export function compareFeeRate(a: PoolEntry, b: PoolEntry): number {
  const left = a.fee * b.sizeBig
  const right = b.fee * a.sizeBig
  return left < right ? -1 : left > right ? 1 : 0
}

/** Eviction order: lowest fee rate first; among equals the newest goes first, so incumbents win ties. */
export function evictsBefore(a: PoolEntry, b: PoolEntry): boolean {
  const c = compareFeeRate(a, b)
  return c < 0 || (c === 0 && a.seq > b.seq)
}

/** Block order: highest fee rate first; among equals the oldest goes first. */
export function minesBefore(a: PoolEntry, b: PoolEntry): boolean {
  const c = compareFeeRate(a, b)
  return c > 0 || (c === 0 && a.seq < b.seq)
}
