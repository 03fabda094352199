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

export function decodeUndo(bytes: Uint8Array): UndoEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = view.getUint32(0)
  const out: UndoEntry[] = []
  let off = 4
  for (let i = 0; i < count; i++) {
    const address = bytes.slice(off, off + ADDRESS_BYTES)
    const len = bytes[off + ADDRESS_BYTES] as number
    const body = bytes.subarray(off + ADDRESS_BYTES + 1, off + ADDRESS_BYTES + 1 + len)
    out.push({ address, before: len === 0 ? undefined : accountFromBytes(body) })
    off += ADDRESS_BYTES + 1 + len
  }
  if (off !== bytes.byteLength) throw new Error('corrupt undo record in the store')
  return out
}
