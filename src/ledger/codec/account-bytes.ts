/**
 * A fast reader of the account encoding (the protobuf `Account`: balance = 1,
 * nonce = 2, both uint64, zero fields omitted; stake = 3 on a proof-of-stake
 * chain, read by stake-codec.ts) for the store, which reads
 * accounts by the ten thousand: an undo record of a full block holds 40,001 of
 * them. It accepts exactly what the strict codec (codec.ts decodeAccount)
 * accepts, canonical bytes only; a property test holds the two to the same
 * answers. Checking the bytes makes no bigint, so a whole undo record is
 * checked in a few milliseconds and its accounts are made as they are used.
 */

import type { Account } from '../state.js'
import { readStake, TruncatedError } from './stake-codec.js'

/** The longest encoding of an account without stake (all a proof-of-work chain has): two tags and two 10-byte varints. */
export const ACCOUNT_BYTES_MAX = 22

const BALANCE_TAG = 0x08
const NONCE_TAG = 0x10
const STAKE_TAG = 0x1a

/** Where the last varint read ended (module state: no tuple per varint). */
let end = 0

/** Throws RangeError unless `bytes[start, end)` is a canonical account encoding without stake. Makes no object. */
export function checkAccountBytes(bytes: Uint8Array, start = 0, end_ = bytes.byteLength): void {
  if (end_ - start > ACCOUNT_BYTES_MAX) throw new RangeError(`account of ${end_ - start} bytes`)
  let off = start
  if (off < end_ && bytes[off] === BALANCE_TAG) off = skipVarint(bytes, off + 1, end_)
  if (off < end_ && bytes[off] === NONCE_TAG) off = skipVarint(bytes, off + 1, end_)
  if (off !== end_) throw new RangeError('account bytes are not the canonical encoding')
}

/** Decodes a canonical account encoding; throws RangeError for anything else. */
export function readAccountBytes(bytes: Uint8Array): Account {
  const stakeAt = stakeOffset(bytes)
  if (stakeAt < 0) checkAccountBytes(bytes)
  else checkAccountBytes(bytes, 0, stakeAt)
  let off = 0
  let balance = 0n
  let nonce = 0n
  if (bytes[off] === BALANCE_TAG) {
    balance = varintValue(bytes, off + 1)
    off = end
  }
  if (bytes[off] === NONCE_TAG) nonce = varintValue(bytes, off + 1)
  if (stakeAt < 0) return { balance, nonce }
  const length = varintValue(bytes, stakeAt + 1)
  if (length !== BigInt(bytes.byteLength - end)) throw new RangeError('account stake length does not match its bytes')
  return { balance, nonce, stake: readStake(bytes, end, bytes.byteLength) }
}

/** Where the stake field's tag sits (after the balance and nonce), or −1 when the account has none. */
function stakeOffset(bytes: Uint8Array): number {
  let off = 0
  if (off < bytes.byteLength && bytes[off] === BALANCE_TAG) off = skipVarint(bytes, off + 1, bytes.byteLength)
  if (off < bytes.byteLength && bytes[off] === NONCE_TAG) off = skipVarint(bytes, off + 1, bytes.byteLength)
  if (off < bytes.byteLength && bytes[off] === STAKE_TAG) {
    // the length itself: minimal, and may not be zero-padded (a zero length is refused by readStake)
    skipLength(bytes, off + 1)
    return off
  }
  return -1
}

/** Checks the length varint at `off` is minimal and at most 5 bytes. */
function skipLength(bytes: Uint8Array, off: number): void {
  for (let i = 0; i < 5; i++) {
    if (off + i >= bytes.byteLength) throw new TruncatedError('account stake length runs past the end')
    const byte = bytes[off + i] as number
    if ((byte & 0x80) === 0) {
      if (i > 0 && byte === 0) throw new RangeError('account stake length is not canonical')
      return
    }
  }
  throw new RangeError('account stake length is too long')
}

/** Checks the varint at `off` is minimal, nonzero, at most 64 bits and ends before `limit`; returns the offset after it. */
function skipVarint(bytes: Uint8Array, off: number, limit: number): number {
  for (let i = 0; i < 10; i++) {
    if (off + i >= limit) throw new TruncatedError('account varint runs past the end')
    const byte = bytes[off + i] as number
    if ((byte & 0x80) === 0) {
      // Canonical: no zero field (it would be omitted), no padding byte, no value past 64 bits.
      if (byte === 0 || (i === 9 && byte > 1)) throw new RangeError('account varint is not canonical')
      return off + i + 1
    }
  }
  throw new RangeError('account varint is longer than 10 bytes')
}

/** The value of a varint already checked; sets `end` past it. Low 49 bits in one number, the rest in another. */
function varintValue(bytes: Uint8Array, off: number): bigint {
  let lo = 0
  let hi = 0
  for (let i = 0; ; i++) {
    const byte = bytes[off + i] as number
    if (i < 7) lo += (byte & 0x7f) * 2 ** (7 * i)
    else hi += (byte & 0x7f) * 2 ** (7 * (i - 7))
    if ((byte & 0x80) === 0) {
      end = off + i + 1
      return hi === 0 ? BigInt(lo) : (BigInt(hi) << 49n) + BigInt(lo)
    }
  }
}
