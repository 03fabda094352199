/**
 * Undo records: the accounts a block changed, as they were before it, so the
 * flat account index can be rolled back in a reorg. (The trie needs no undo:
 * the parent's state root still points at its nodes.)
 *
 * Encoding: count(4, BE), then per account: address(20) | length(1) | account bytes
 * (length 0 = the account did not exist).
 */

import { ACCOUNT_BYTES_MAX, checkAccountBytes } from '../ledger/codec/account-bytes.js'
import { ADDRESS_BYTES } from '../ledger/limits.js'
import { type Account, accountToBytes } from '../ledger/state.js'

export interface UndoEntry {
  address: Uint8Array
  before: Account | undefined
  /** `before`'s canonical encoding, when the caller read it from the store: used as is, not encoded again. */
  beforeBytes?: Uint8Array | undefined
}

const NONE = new Uint8Array(0)

export function encodeUndo(entries: readonly UndoEntry[]): Uint8Array {
  const parts = entries.map((e) => (e.before ? (e.beforeBytes ?? accountToBytes(e.before)) : NONE))
  let len = 4
  for (const p of parts) len += ADDRESS_BYTES + 1 + p.byteLength
  const out = new Uint8Array(len)
  const view = new DataView(out.buffer)
  view.setUint32(0, entries.length)
  let off = 4
  entries.forEach((e, i) => {
    const p = parts[i] as Uint8Array
    out.set(e.address, off)
    out[off + ADDRESS_BYTES] = p.byteLength
    out.set(p, off + ADDRESS_BYTES + 1)
    off += ADDRESS_BYTES + 1 + p.byteLength
  })
  return out
}

const ENTRY_BYTES_MIN = ADDRESS_BYTES + 1

/**
 * An undo record as read back, checked whole: a view over its bytes (the
 * offset of each entry), so checking a record of 40,001 accounts makes no
 * object per account. Entries are made as they are read.
 */
export class UndoRecord {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly offsets: Uint32Array,
  ) {}

  get size(): number {
    return this.offsets.length
  }

  /** Each account: its address and its canonical encoding before the block (undefined = did not exist). */
  *entries(): IterableIterator<{ address: Uint8Array; beforeBytes: Uint8Array | undefined }> {
    for (const off of this.offsets) {
      const len = this.bytes[off + ADDRESS_BYTES] as number
      const start = off + ENTRY_BYTES_MIN
      yield {
        address: this.bytes.slice(off, off + ADDRESS_BYTES),
        beforeBytes: len === 0 ? undefined : this.bytes.subarray(start, start + len),
      }
    }
  }
}

/**
 * Checks an undo record. Every count and length is checked against the bytes
 * there are before anything is allocated, and each account's encoding is
 * checked canonical: a corrupt record cannot make it loop, allocate past the
 * record, or pass. Throws RangeError (the store reader names the key).
 */
export function decodeUndo(bytes: Uint8Array): UndoRecord {
  if (bytes.byteLength < 4) throw new RangeError(`undo record of ${bytes.byteLength} bytes has no count`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = view.getUint32(0)
  if (count > (bytes.byteLength - 4) / ENTRY_BYTES_MIN) {
    throw new RangeError(`undo record counts ${count} accounts in ${bytes.byteLength} bytes`)
  }
  const offsets = new Uint32Array(count)
  let off = 4
  for (let i = 0; i < count; i++) {
    if (off + ENTRY_BYTES_MIN > bytes.byteLength) throw new RangeError(`undo record ends inside account ${i}`)
    const len = bytes[off + ADDRESS_BYTES] as number
    const start = off + ENTRY_BYTES_MIN
    if (len > ACCOUNT_BYTES_MAX || start + len > bytes.byteLength) {
      throw new RangeError(`undo record: account ${i} of ${len} bytes does not fit`)
    }
    if (len > 0) checkAccountBytes(bytes, start, start + len)
    offsets[i] = off
    off = start + len
  }
  if (off !== bytes.byteLength) throw new RangeError(`undo record has ${bytes.byteLength - off} bytes past its end`)
  return new UndoRecord(bytes, offsets)
}
