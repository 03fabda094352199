/**
 * The encoding of an account's stake, written and read by hand: field 3 of
 * the protobuf `Account` (peerchain.proto), a nested `Stake` message
 *
 *   Stake     { bytes publicKey = 1; uint64 bonded = 2; repeated Unbonding unbonding = 3; uint64 jailedUntil = 4 }
 *   Unbonding { uint64 amount = 1; uint64 startHeight = 2; uint64 releaseHeight = 3 }
 *
 * with protobuf's canonical form: fields in number order, zero values left
 * out, minimal varints. The reader accepts exactly what the writer writes
 * (a property test holds the two together) and throws RangeError otherwise;
 * the store's readers name the key.
 */
import { ABS_UNBONDING_ENTRIES_MAX, type AccountStake, type UnbondingEntry } from '../stake.js'

/** Bytes that end inside a field: cut short, rather than another encoding. */
export class TruncatedError extends RangeError {}

const PUBLIC_KEY_BYTES = 32
const TAG_PUBKEY = 0x0a
const TAG_BONDED = 0x10
const TAG_UNBONDING = 0x1a
const TAG_JAILED = 0x20
const TAG_AMOUNT = 0x08
const TAG_START = 0x10
const TAG_RELEASE = 0x18
const U64_MAX = 2n ** 64n - 1n

/** The encoded `Stake` message (without Account's tag and length). */
export function writeStake(stake: AccountStake): Uint8Array {
  if (stake.publicKey.byteLength !== PUBLIC_KEY_BYTES) throw new RangeError('a stake public key is 32 bytes')
  if (stake.unbonding.length > ABS_UNBONDING_ENTRIES_MAX) {
    throw new RangeError(`more than ${ABS_UNBONDING_ENTRIES_MAX} unbonding entries`)
  }
  const out: number[] = [TAG_PUBKEY, PUBLIC_KEY_BYTES, ...stake.publicKey]
  pushU64(out, TAG_BONDED, stake.bonded)
  for (const entry of stake.unbonding) {
    const inner: number[] = []
    pushU64(inner, TAG_AMOUNT, entry.amount)
    pushU64(inner, TAG_START, BigInt(entry.startHeight))
    pushU64(inner, TAG_RELEASE, BigInt(entry.releaseHeight))
    out.push(TAG_UNBONDING)
    pushVarint(out, BigInt(inner.length))
    out.push(...inner)
  }
  if (stake.jailedUntil !== undefined) pushU64(out, TAG_JAILED, BigInt(stake.jailedUntil))
  return Uint8Array.from(out)
}

/** Reads a `Stake` message from `bytes[start, end)`; RangeError unless it is the canonical encoding. */
export function readStake(bytes: Uint8Array, start: number, end: number): AccountStake {
  const r = new Reader(bytes, start, end)
  if (!r.at(TAG_PUBKEY)) throw new RangeError('stake: public key missing')
  const keyLength = r.length()
  if (keyLength !== PUBLIC_KEY_BYTES) throw new RangeError(`stake: public key of ${keyLength} bytes`)
  const publicKey = bytes.slice(r.off, r.off + keyLength)
  r.off += keyLength
  const bonded = r.at(TAG_BONDED) ? r.u64() : 0n
  const unbonding: UnbondingEntry[] = []
  while (r.at(TAG_UNBONDING)) {
    if (unbonding.length === ABS_UNBONDING_ENTRIES_MAX) throw new RangeError('stake: too many unbonding entries')
    const length = r.length()
    const inner = new Reader(bytes, r.off, r.off + length)
    r.off += length
    const amount = inner.at(TAG_AMOUNT) ? inner.u64() : 0n
    const startHeight = inner.at(TAG_START) ? inner.height() : 0
    const releaseHeight = inner.at(TAG_RELEASE) ? inner.height() : 0
    inner.end()
    unbonding.push({ amount, startHeight, releaseHeight })
  }
  const jailedUntil = r.at(TAG_JAILED) ? r.height() : undefined
  r.end()
  return jailedUntil === undefined ? { publicKey, bonded, unbonding } : { publicKey, bonded, unbonding, jailedUntil }
}

function pushU64(out: number[], tag: number, value: bigint): void {
  if (value < 0n || value > U64_MAX) throw new RangeError(`stake field ${value} is outside uint64`)
  if (value === 0n) return
  out.push(tag)
  pushVarint(out, value)
}

function pushVarint(out: number[], value: bigint): void {
  let v = value
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80)
    v >>= 7n
  }
  out.push(Number(v))
}

/** A bounded cursor over one message's bytes. */
class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public off: number,
    readonly limit: number,
  ) {
    if (limit > bytes.byteLength || off > limit) throw new TruncatedError('stake: length runs past the end')
  }

  /** True (and past the tag) when the next byte is `tag`. */
  at(tag: number): boolean {
    if (this.off < this.limit && this.bytes[this.off] === tag) {
      this.off++
      return true
    }
    return false
  }

  /** A minimal varint of at most 64 bits. `nonzero`: a zero value is not canonical (it would be left out). */
  varint(nonzero: boolean): bigint {
    let value = 0n
    for (let i = 0; i < 10; i++) {
      if (this.off >= this.limit) throw new TruncatedError('stake: varint runs past the end')
      const byte = this.bytes[this.off++] as number
      value |= BigInt(byte & 0x7f) << BigInt(7 * i)
      if ((byte & 0x80) === 0) {
        if ((i > 0 && byte === 0) || (i === 9 && byte > 1)) throw new RangeError('stake: varint is not canonical')
        if (nonzero && value === 0n) throw new RangeError('stake: a zero field is written')
        return value
      }
    }
    throw new RangeError('stake: varint longer than 10 bytes')
  }

  u64(): bigint {
    return this.varint(true)
  }

  height(): number {
    const value = this.varint(true)
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('stake: height past 2^53')
    return Number(value)
  }

  length(): number {
    const length = this.varint(false)
    if (length > BigInt(this.limit - this.off)) throw new TruncatedError('stake: length runs past the end')
    return Number(length)
  }

  end(): void {
    if (this.off !== this.limit) throw new RangeError('stake: bytes are not the canonical encoding')
  }
}
