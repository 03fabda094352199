/**
 * Strict decoders for the consensus objects of peerchain.proto (Transaction,
 * BlockHeader, Block), written by hand for our fixed schema so that a block
 * is read once: canonical form is checked while parsing instead of by
 * re-encoding what was parsed and comparing (protons' parse and re-encode of
 * a max-size block cost ~150-250 ms; this reads it in ~3 ms).
 *
 * Accepted are exactly the bytes protons' encoder writes (codec.ts's
 * round-trip rule, which the property tests hold both decoders to):
 * fields in field-number order, each at most once, with its own wire type and
 * a one-byte tag; default values (0, empty bytes, empty string) left out;
 * varints minimal; a uint64 below 2^64 and a uint32 below 2^32; a string
 * whose bytes read and write back through protons' UTF-8 unchanged; a block is
 * its header (always written, even empty) then its txs (each always written).
 * Byte fields are views into the input, as protons' are.
 *
 * A refusal is a DecodeError naming the first fault met, reading from the
 * start: DECODE_MALFORMED for bytes that are not our schema at all (cut short,
 * a length past the end, a varint past ten bytes, a block that does not start
 * with its header), DECODE_NON_CANONICAL for any other encoding than the one,
 * DECODE_TOO_MANY for a tx past the block's cap (checked at its tag, before
 * it is read).
 */
import { reader as protonsReader, writer as protonsWriter } from 'protons-runtime'
import { DecodeError } from '../errors.js'
import type { HeaderFields, TxFields } from './codec.js'

/** The canonical (one-byte) tag of each field: field number << 3 | wire type (0 varint, 2 length-delimited). */
const TX_TAGS = [0, 0x0a, 0x12, 0x1a, 0x20, 0x28, 0x30, 0x3a, 0x42, 0x48, 0x52]
const HEADER_TAGS = [0, 0x08, 0x10, 0x1a, 0x20, 0x2a, 0x32, 0x3a, 0x42, 0x48, 0x50, 0x5a, 0x62]
const BLOCK_HEADER_TAG = 0x0a
const BLOCK_TX_TAG = 0x12

/** Shared by every absent bytes field: zero-length, so nothing can be written into it. */
const EMPTY: Uint8Array = new Uint8Array(0)
const latin1 = new TextDecoder('latin1')

/** Strings up to this many bytes are remembered: chain ids (ABS_LIMITS.chainIdLengthMax). */
const REMEMBERED_BYTES_MAX = 64
/** The last string accepted and a copy of its bytes: txs, in a block or one by one, nearly always share their chain id. */
let rememberedText = ''
let rememberedBytes: Uint8Array = EMPTY

/** A position in the bytes being decoded, and what to name in an error. */
class Cursor {
  pos = 0
  /** The index of the tx being read in a block, or -1. */
  txIndex = -1

  constructor(
    readonly buf: Uint8Array,
    readonly what: string,
  ) {}

  fail(code: 'DECODE_MALFORMED' | 'DECODE_NON_CANONICAL', why: string): never {
    const where = this.txIndex >= 0 ? `${this.what}: tx ${this.txIndex}` : this.what
    throw new DecodeError(code, `${where}: ${why} (byte ${this.pos})`)
  }

  /** The next field's number, after checking its tag is the canonical one and comes after field `last`. */
  field(tags: readonly number[], last: number): number {
    const tag = this.buf[this.pos] as number
    const field = tag >>> 3
    if (tag >= 0x80 || field >= tags.length || field === 0)
      this.fail('DECODE_NON_CANONICAL', `unknown field (tag ${tag})`)
    if (field <= last) this.fail('DECODE_NON_CANONICAL', `field ${field} after field ${last}`)
    if (tags[field] !== tag) this.fail('DECODE_NON_CANONICAL', `field ${field} with wire type ${tag & 7}`)
    this.pos++
    return field
  }

  /** A minimal varint below 2^32 (a length or a uint32); -1 when it is 2^32 or more. */
  uint32(end: number): number {
    const buf = this.buf
    let value = 0
    for (let i = 0, scale = 1; i < 5; i++, scale *= 128) {
      if (this.pos >= end) this.fail('DECODE_MALFORMED', 'cut short in a varint')
      const b = buf[this.pos++] as number
      value += (b & 0x7f) * scale
      if (b < 0x80) {
        if (b === 0 && i > 0) this.fail('DECODE_NON_CANONICAL', 'non-minimal varint')
        return value < 2 ** 32 ? value : -1
      }
    }
    this.skipVarintTail(end, 5)
    return -1
  }

  /** A minimal varint below 2^64. */
  uint64(end: number): bigint {
    const buf = this.buf
    // up to 7 bytes (49 bits) stay exact in a number
    let small = 0
    for (let i = 0, scale = 1; i < 7; i++, scale *= 128) {
      if (this.pos >= end) this.fail('DECODE_MALFORMED', 'cut short in a varint')
      const b = buf[this.pos++] as number
      small += (b & 0x7f) * scale
      if (b < 0x80) {
        if (b === 0 && i > 0) this.fail('DECODE_NON_CANONICAL', 'non-minimal varint')
        return BigInt(small)
      }
    }
    let value = BigInt(small)
    for (let i = 7; i < 10; i++) {
      if (this.pos >= end) this.fail('DECODE_MALFORMED', 'cut short in a varint')
      const b = buf[this.pos++] as number
      value |= BigInt(b & 0x7f) << BigInt(7 * i)
      if (b < 0x80) {
        if (b === 0) this.fail('DECODE_NON_CANONICAL', 'non-minimal varint')
        if (i === 9 && b > 1) this.fail('DECODE_NON_CANONICAL', 'varint of 2^64 or more')
        return value
      }
    }
    this.fail('DECODE_MALFORMED', 'varint longer than ten bytes')
  }

  /** Reads on to the end of a varint already `read` bytes long: 2^32 or more, or malformed past ten bytes. */
  private skipVarintTail(end: number, read: number): void {
    for (let i = read; i < 10; i++) {
      if (this.pos >= end) this.fail('DECODE_MALFORMED', 'cut short in a varint')
      if ((this.buf[this.pos++] as number) < 0x80) return
    }
    this.fail('DECODE_MALFORMED', 'varint longer than ten bytes')
  }

  /** A length prefix, checked to fit before `end`; returns where the payload ends. */
  length(end: number): number {
    const length = this.uint32(end)
    if (length < 0 || length > end - this.pos) this.fail('DECODE_MALFORMED', 'length past the end')
    return this.pos + length
  }

  /** A non-empty bytes field, as a view into the input. */
  bytes(end: number): Uint8Array {
    const to = this.length(end)
    if (to === this.pos) this.fail('DECODE_NON_CANONICAL', 'empty bytes written')
    const out = this.buf.subarray(this.pos, to)
    this.pos = to
    return out
  }

  /** A non-zero uint64. */
  nonZero64(end: number): bigint {
    const value = this.uint64(end)
    if (value === 0n) this.fail('DECODE_NON_CANONICAL', 'zero written')
    return value
  }

  /** A non-zero uint32 (the varint minimal and below 2^32). */
  nonZero32(end: number): number {
    const value = this.uint32(end)
    if (value < 0) this.fail('DECODE_NON_CANONICAL', 'uint32 of 2^32 or more')
    if (value === 0) this.fail('DECODE_NON_CANONICAL', 'zero written')
    return value
  }

  /** Checks a non-empty bytes field as `bytes` does, without making a view of it. */
  skipBytes(end: number): void {
    const to = this.length(end)
    if (to === this.pos) this.fail('DECODE_NON_CANONICAL', 'empty bytes written')
    this.pos = to
  }

  /** Checks a non-zero uint64 as `nonZero64` does, without making its value. */
  skipNonZero64(end: number): void {
    const buf = this.buf
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) this.fail('DECODE_MALFORMED', 'cut short in a varint')
      const b = buf[this.pos++] as number
      if (b < 0x80) {
        if (b === 0) this.fail('DECODE_NON_CANONICAL', i > 0 ? 'non-minimal varint' : 'zero written')
        if (i === 9 && b > 1) this.fail('DECODE_NON_CANONICAL', 'varint of 2^64 or more')
        return
      }
    }
    this.fail('DECODE_MALFORMED', 'varint longer than ten bytes')
  }

  /** A non-empty string whose bytes are the ones protons writes for it. */
  string(end: number): string {
    const from = this.pos
    const to = this.length(end)
    const at = this.pos
    const n = to - at
    if (n === 0) this.fail('DECODE_NON_CANONICAL', 'empty string written')
    const buf = this.buf
    if (n === rememberedBytes.byteLength) {
      let same = true
      for (let i = 0; i < n && same; i++) same = buf[at + i] === rememberedBytes[i]
      if (same) {
        this.pos = to
        return rememberedText
      }
    }
    let ascii = true
    for (let i = at; i < to && ascii; i++) ascii = (buf[i] as number) < 0x80
    let text: string
    if (ascii) text = latin1.decode(buf.subarray(at, to))
    else {
      // Anything else goes through protons' own UTF-8 reader and writer, so the accepted bytes are exactly its.
      const prefixed = buf.subarray(from, to)
      text = protonsReader(prefixed).string()
      const again = protonsWriter().string(text).finish()
      let same = again.byteLength === prefixed.byteLength
      for (let i = 0; i < prefixed.byteLength && same; i++) same = again[i] === prefixed[i]
      if (!same) this.fail('DECODE_NON_CANONICAL', 'a string that is not its UTF-8 encoding')
    }
    if (n <= REMEMBERED_BYTES_MAX) {
      rememberedText = text
      rememberedBytes = buf.slice(at, to)
    }
    this.pos = to
    return text
  }
}

function readTx(c: Cursor, end: number): TxFields {
  let chainId = ''
  let senderPubKey = EMPTY
  let recipient = EMPTY
  let amount = 0n
  let fee = 0n
  let nonce = 0n
  let memo = EMPTY
  let signature = EMPTY
  let kind = 0
  let payload = EMPTY
  let last = 0
  while (c.pos < end) {
    last = c.field(TX_TAGS, last)
    switch (last) {
      case 1:
        chainId = c.string(end)
        break
      case 2:
        senderPubKey = c.bytes(end)
        break
      case 3:
        recipient = c.bytes(end)
        break
      case 4:
        amount = c.nonZero64(end)
        break
      case 5:
        fee = c.nonZero64(end)
        break
      case 6:
        nonce = c.nonZero64(end)
        break
      case 7:
        memo = c.bytes(end)
        break
      case 8:
        signature = c.bytes(end)
        break
      case 9:
        kind = c.nonZero32(end)
        break
      default:
        payload = c.bytes(end)
    }
  }
  return { chainId, senderPubKey, recipient, amount, fee, nonce, memo, signature, kind, payload }
}

/**
 * Checks a Transaction's encoding exactly as readTx does, building nothing but
 * a new chain id: a block's txs are checked here, and each Tx reads its fields
 * from its own bytes when first asked (Tx.fields), so decoding a block of
 * 20,000 txs does not leave 100,000 short-lived views and bigints behind for
 * the garbage collector.
 */
function scanTx(c: Cursor, end: number): void {
  let last = 0
  while (c.pos < end) {
    last = c.field(TX_TAGS, last)
    if (last === 1) c.string(end)
    else if (last >= 4 && last <= 6) c.skipNonZero64(end)
    else if (last === 9) c.nonZero32(end)
    else c.skipBytes(end)
  }
}

function readHeader(c: Cursor, end: number): HeaderFields {
  const h: HeaderFields = {
    version: 0,
    height: 0n,
    parentHash: EMPTY,
    timestamp: 0n,
    txRoot: EMPTY,
    stateRoot: EMPTY,
    target: EMPTY,
    miner: EMPTY,
    reward: 0n,
    nonce: 0n,
    mmrRoot: EMPTY,
    validatorsHash: EMPTY,
  }
  let last = 0
  while (c.pos < end) {
    last = c.field(HEADER_TAGS, last)
    switch (last) {
      case 1:
        h.version = c.nonZero32(end)
        break
      case 2:
        h.height = c.nonZero64(end)
        break
      case 3:
        h.parentHash = c.bytes(end)
        break
      case 4:
        h.timestamp = c.nonZero64(end)
        break
      case 5:
        h.txRoot = c.bytes(end)
        break
      case 6:
        h.stateRoot = c.bytes(end)
        break
      case 7:
        h.target = c.bytes(end)
        break
      case 8:
        h.miner = c.bytes(end)
        break
      case 9:
        h.reward = c.nonZero64(end)
        break
      case 10:
        h.nonce = c.nonZero64(end)
        break
      case 11:
        h.mmrRoot = c.bytes(end)
        break
      default:
        h.validatorsHash = c.bytes(end)
    }
  }
  return h
}

/** The fields of a Transaction's canonical encoding (the caller has checked its size, if it must). */
export function strictDecodeTx(bytes: Uint8Array): TxFields {
  return readTx(new Cursor(bytes, 'transaction'), bytes.byteLength)
}

/** The fields of a BlockHeader's canonical encoding (the caller has checked its size). */
export function strictDecodeHeader(bytes: Uint8Array): HeaderFields {
  return readHeader(new Cursor(bytes, 'header'), bytes.byteLength)
}

export interface DecodedBlock {
  header: HeaderFields
  /** The header's canonical encoding: a view into the block's bytes. */
  headerBytes: Uint8Array
  /** Each tx's canonical encoding, checked (strictDecodeTx reads its fields): views into the block's bytes. */
  txs: Uint8Array[]
}

/**
 * The parts of a Block's canonical encoding (the caller has checked its size).
 * More than `txsMax` txs is DECODE_TOO_MANY. The whole block is checked before
 * anything is built from it, so refusing one costs a scan of its bytes only.
 */
export function strictDecodeBlock(bytes: Uint8Array, txsMax: number): DecodedBlock {
  const c = new Cursor(bytes, 'block')
  const end = bytes.byteLength
  if (end === 0 || bytes[0] !== BLOCK_HEADER_TAG) c.fail('DECODE_MALFORMED', 'missing header (a block starts with it)')
  c.pos = 1
  const headerEnd = c.length(end)
  const headerAt = c.pos
  const header = readHeader(c, headerEnd)
  const headerBytes = bytes.subarray(headerAt, headerEnd)
  const txs: Uint8Array[] = []
  while (c.pos < end) {
    const tag = bytes[c.pos]
    if (tag !== BLOCK_TX_TAG) {
      c.fail('DECODE_NON_CANONICAL', tag === BLOCK_HEADER_TAG ? 'a second header' : `unknown field (tag ${tag})`)
    }
    if (txs.length === txsMax) {
      throw new DecodeError('DECODE_TOO_MANY', `block: more than ${txsMax} txs`)
    }
    c.pos++
    const txEnd = c.length(end)
    const txAt = c.pos
    c.txIndex = txs.length
    scanTx(c, txEnd)
    txs.push(bytes.subarray(txAt, txEnd))
  }
  return { header, headerBytes, txs }
}
