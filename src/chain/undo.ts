/**
 * Undo records: the accounts a block changed, as they were before it, so the
 * flat account index can be rolled back in a reorg. (The trie needs no undo:
 * the parent's state root still points at its nodes.)
 *
 * Encoding: count(4, BE), then per account: address(20) | length(1) | account bytes
 * (length 0 = the account did not exist).
 */
import { ADDRESS_BYTES } from '../ledger/limits.js'
import { type Account, accountFromBytes, accountToBytes } from '../ledger/state.js'

export interface UndoEntry {
  address: Uint8Array
  before: Account | undefined
}

export function encodeUndo(entries: readonly UndoEntry[]): Uint8Array {
  const parts = entries.map((e) => (e.before ? accountToBytes(e.before) : new Uint8Array(0)))
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

/** An account's encoding is at most this long (the codec refuses longer). */
const ACCOUNT_BYTES_MAX = 32
const ENTRY_BYTES_MIN = ADDRESS_BYTES + 1

/**
 * Decodes an undo record. Every count and length is checked against the bytes
 * there are before anything is allocated: a corrupt count cannot make it loop
 * or allocate past the record. Throws RangeError (the store reader names the key).
 */
export function decodeUndo(bytes: Uint8Array): UndoEntry[] {
  if (bytes.byteLength < 4) throw new RangeError(`undo record of ${bytes.byteLength} bytes has no count`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = view.getUint32(0)
  if (count > (bytes.byteLength - 4) / ENTRY_BYTES_MIN) {
    throw new RangeError(`undo record counts ${count} accounts in ${bytes.byteLength} bytes`)
  }
  const out: UndoEntry[] = []
  let off = 4
  for (let i = 0; i < count; i++) {
    if (off + ENTRY_BYTES_MIN > bytes.byteLength) throw new RangeError(`undo record ends inside account ${i}`)
    const address = bytes.slice(off, off + ADDRESS_BYTES)
    const len = bytes[off + ADDRESS_BYTES] as number
    const start = off + ENTRY_BYTES_MIN
    if (len > ACCOUNT_BYTES_MAX || start + len > bytes.byteLength) {
      throw new RangeError(`undo record: account ${i} of ${len} bytes does not fit`)
    }
    out.push({ address, before: len === 0 ? undefined : accountFromBytes(bytes.subarray(start, start + len)) })
    off = start + len
  }
  if (off !== bytes.byteLength) throw new RangeError(`undo record has ${bytes.byteLength - off} bytes past its end`)
  return out
}
