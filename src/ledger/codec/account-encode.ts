/**
 * The account encoding written by hand: the protobuf `Account` (balance = 1,
 * nonce = 2, both uint64, zero fields omitted; stake = 3, present only on a
 * proof-of-stake chain, see stake-codec.ts), byte for byte what protons'
 * `Account.encode` writes (a property test holds the two equal). A block's
 * import encodes every account it changes and every account's prior state
 * (the undo record), and protons' writer costs a pooled Buffer per call:
 * about 4 % of a 1,000-tx block's import on the main thread.
 */
import type { AccountStake } from '../stake.js'
import { writeStake } from './stake-codec.js'

const BALANCE_TAG = 0x08
const NONCE_TAG = 0x10
const STAKE_TAG = 0x1a
const U64_MAX = 2n ** 64n - 1n
const EXACT_MAX = BigInt(Number.MAX_SAFE_INTEGER)

/** The canonical bytes of an account; RangeError for a field outside uint64. */
export function writeAccount(balance: bigint, nonce: bigint, stake?: AccountStake): Uint8Array {
  const balanceBytes = fieldLength(balance, 'balance')
  const nonceBytes = fieldLength(nonce, 'nonce')
  const stakeBytes = stake === undefined ? undefined : writeStake(stake)
  const stakeLength =
    stakeBytes === undefined ? 0 : 1 + varintLength(BigInt(stakeBytes.byteLength)) + stakeBytes.byteLength
  const out = new Uint8Array(balanceBytes + nonceBytes + stakeLength)
  let off = 0
  if (balanceBytes > 0) {
    out[off++] = BALANCE_TAG
    off = writeVarint(out, off, balance)
  }
  if (nonceBytes > 0) {
    out[off++] = NONCE_TAG
    off = writeVarint(out, off, nonce)
  }
  if (stakeBytes !== undefined) {
    out[off++] = STAKE_TAG
    off = writeVarint(out, off, BigInt(stakeBytes.byteLength))
    out.set(stakeBytes, off)
  }
  return out
}

function varintLength(value: bigint): number {
  let length = 1
  for (let v = value; v >= 0x80n; v >>= 7n) length++
  return length
}

/** Tag and varint, or 0 for a zero field (omitted). */
function fieldLength(value: bigint, name: string): number {
  if (value < 0n || value > U64_MAX) throw new RangeError(`account ${name} ${value} is outside uint64`)
  if (value === 0n) return 0
  let length = 2
  if (value <= EXACT_MAX) {
    for (let n = Number(value); n >= 0x80; n = Math.floor(n / 0x80)) length++
  } else {
    for (let v = value; v >= 0x80n; v >>= 7n) length++
  }
  return length
}

function writeVarint(out: Uint8Array, start: number, value: bigint): number {
  let off = start
  if (value <= EXACT_MAX) {
    let n = Number(value)
    while (n >= 0x80) {
      out[off++] = (n % 0x80) | 0x80
      n = Math.floor(n / 0x80)
    }
    out[off++] = n
    return off
  }
  let v = value
  while (v >= 0x80n) {
    out[off++] = Number(v & 0x7fn) | 0x80
    v >>= 7n
  }
  out[off++] = Number(v)
  return off
}
