/**
 * Decoding what the chain store holds. The store is our own data: bytes that
 * do not decode are corruption (a disk fault, our bug), never a peer's fault,
 * so every reader here turns a decode failure into a StoreCorruptError naming
 * the key. Each decoder is bounded by the bytes it is given: a corrupt count
 * or length is refused before it is trusted.
 */
import { Block, type Header } from '../ledger/block.js'
import { readAccountBytes } from '../ledger/codec/account-bytes.js'
import { HASH_BYTES } from '../ledger/limits.js'
import type { Account } from '../ledger/state.js'
import { equalBytes, toHex } from '../util/bytes.js'
import { StoreCorruptError } from './errors.js'
import { type BlockStatus, decodeEntry } from './header-index.js'
import { layout } from './layout.js'
import { decodeNode, type TrieNode } from './mpt/nodes.js'
import { decodeUndo, type UndoRecord } from './undo.js'

/** Runs `decode` on the bytes stored under `key`; any failure is a StoreCorruptError naming the key. */
export function decodeStored<T>(key: Uint8Array, bytes: Uint8Array, decode: (bytes: Uint8Array) => T): T {
  try {
    return decode(bytes)
  } catch (err) {
    if (err instanceof StoreCorruptError) throw err
    throw new StoreCorruptError(key, err instanceof Error ? err.message : String(err))
  }
}

/** A stored block: it must decode and hash to the key it is stored under. */
export function storedBlock(hash: Uint8Array, bytes: Uint8Array): Block {
  const key = layout.block(hash)
  const block = decodeStored(key, bytes, (b) => Block.fromBytes(b))
  if (!equalBytes(block.hash, hash)) throw new StoreCorruptError(key, `the bytes are block ${block.id}`)
  return block
}

/** A header-index entry; `key` is its 'h' key, whose hash the header must have. */
export function storedEntry(
  key: Uint8Array,
  bytes: Uint8Array,
): { status: BlockStatus; totalWork: bigint; header: Header } {
  const entry = decodeStored(key, bytes, decodeEntry)
  if (key.byteLength !== 1 + HASH_BYTES || !equalBytes(entry.header.hash, key.subarray(1))) {
    throw new StoreCorruptError(key, `the entry holds header ${entry.header.id}`)
  }
  return entry
}

export function storedUndo(blockHash: Uint8Array, bytes: Uint8Array): UndoRecord {
  return decodeStored(layout.undo(blockHash), bytes, decodeUndo)
}

export function storedAccount(address: Uint8Array, bytes: Uint8Array): Account {
  return decodeStored(layout.account(address), bytes, readAccountBytes)
}

export function storedTrieNode(hash: Uint8Array, bytes: Uint8Array): TrieNode {
  return decodeStored(layout.trieNode(hash), bytes, decodeNode)
}

/** A block hash stored as a value (the head pointer, the height index). */
export function storedHash(key: Uint8Array, bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength !== HASH_BYTES) throw new StoreCorruptError(key, `a hash of ${bytes.byteLength} bytes`)
  return bytes
}

/** Where a main-chain tx sits: blockHash(32) | index(4, BE). */
export function storedTxLocation(key: Uint8Array, bytes: Uint8Array): { blockId: string; index: number } {
  if (bytes.byteLength !== HASH_BYTES + 4) {
    throw new StoreCorruptError(key, `a tx location of ${bytes.byteLength} bytes`)
  }
  const index = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(HASH_BYTES)
  return { blockId: toHex(bytes.subarray(0, HASH_BYTES)), index }
}
