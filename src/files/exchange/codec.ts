/**
 * The files exchange's messages, by hand, strict and bounded (docs/PROTOCOL.md
 * "Files"): sizes are checked before anything is read, counts are capped,
 * varints must be minimal, bitfields' spare bits zero, indices strictly
 * increasing, and no byte may follow the message, so every message has one
 * encoding. Every fault is a FilesWireError; a CID that is well-formed but of
 * a codec or hash we do not handle is a FilesCidError.
 *
 *   request   = kind:u8 (1 HAVE, 2 WANT) · count:varint · count × (len:varint · cid)
 *   HAVE answer = 1 · count:varint · have:bitfield(count)
 *   WANT answer = 2 · count:varint · dontHave:bitfield(count) · n:varint · n × (index:varint · len:varint · block)
 *
 * A bitfield holds bit i in byte i>>3 at 1<<(i&7). A WANT answer leaves out
 * the blocks past its byte budget; they are neither sent nor marked missing.
 */
import type { CID } from 'multiformats/cid'
import { cidFromBytes } from './cid.js'
import { FilesWireError } from './errors.js'
import {
  BLOCK_BYTES_MAX,
  CID_BYTES_MAX,
  FILES_REQUEST_BYTES_MAX,
  FILES_RESPONSE_BYTES_MAX,
  HAVE_CIDS_MAX,
  WANT_CIDS_MAX,
} from './limits.js'

const KIND_HAVE = 1
const KIND_WANT = 2

export type FilesRequest = { kind: 'have'; cids: CID[] } | { kind: 'want'; cids: CID[] }

export interface WantAnswer {
  /** Requested blocks the server does not hold (by index into the request). */
  dontHave: boolean[]
  /** Blocks sent, by index into the request, in increasing order. */
  blocks: Array<{ index: number; bytes: Uint8Array }>
}

const varintBytes = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5)

class Writer {
  readonly bytes: Uint8Array
  at = 0
  constructor(size: number) {
    // not zero-filled (a WANT answer is megabytes): every byte is written before the message leaves
    this.bytes = Buffer.allocUnsafe(size)
  }
  byte(b: number): void {
    this.bytes[this.at++] = b
  }
  varint(n: number): void {
    let v = n
    while (v >= 0x80) {
      this.bytes[this.at++] = (v & 0x7f) | 0x80
      v = Math.floor(v / 128)
    }
    this.bytes[this.at++] = v
  }
  raw(b: Uint8Array): void {
    this.bytes.set(b, this.at)
    this.at += b.byteLength
  }
}

class Reader {
  at = 0
  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}
  fail(code: FilesWireError['code'], why: string): never {
    throw new FilesWireError(code, `${this.what}: ${why}`)
  }
  byte(): number {
    if (this.at >= this.bytes.byteLength) this.fail('WIRE_MALFORMED', 'truncated')
    return this.bytes[this.at++] as number
  }
  /** A minimal varint of at most `max`. */
  varint(max: number, field: string): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 5; i++) {
      const b = this.byte()
      value += (b & 0x7f) * scale
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) this.fail('WIRE_NON_CANONICAL', `${field}: a varint with a zero last byte`)
        if (value > max) this.fail('WIRE_TOO_MANY', `${field} ${value} > ${max}`)
        return value
      }
      scale *= 128
    }
    return this.fail('WIRE_MALFORMED', `${field}: a varint longer than 5 bytes`)
  }
  take(n: number): Uint8Array {
    if (this.at + n > this.bytes.byteLength) this.fail('WIRE_MALFORMED', 'truncated')
    const out = this.bytes.subarray(this.at, this.at + n)
    this.at += n
    return out
  }
  end(): void {
    if (this.at !== this.bytes.byteLength)
      this.fail('WIRE_NON_CANONICAL', `${this.bytes.byteLength - this.at} bytes past the end`)
  }
}

function checkSize(what: string, bytes: Uint8Array, max: number): void {
  if (bytes.byteLength > max) throw new FilesWireError('WIRE_TOO_LARGE', `${what}: ${bytes.byteLength} bytes > ${max}`)
}

function writeBitfield(w: Writer, bits: readonly boolean[]): void {
  const out = new Uint8Array(Math.ceil(bits.length / 8))
  bits.forEach((bit, i) => {
    if (bit) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7))
  })
  w.raw(out)
}

function readBitfield(r: Reader, count: number): boolean[] {
  const bytes = r.take(Math.ceil(count / 8))
  const bits: boolean[] = new Array(count)
  for (let i = 0; i < count; i++) bits[i] = ((bytes[i >> 3] as number) & (1 << (i & 7))) !== 0
  const spare = count & 7
  if (spare !== 0 && (bytes[bytes.byteLength - 1] as number) >> spare !== 0)
    r.fail('WIRE_NON_CANONICAL', 'spare bits set')
  return bits
}

const capOf = (kind: FilesRequest['kind']): number => (kind === 'have' ? HAVE_CIDS_MAX : WANT_CIDS_MAX)

export function encodeFilesRequest(req: FilesRequest): Uint8Array {
  const cap = capOf(req.kind)
  if (req.cids.length === 0 || req.cids.length > cap)
    throw new RangeError(`${req.kind}: 1..${cap} CIDs, not ${req.cids.length}`)
  const cids = req.cids.map((c) => c.bytes)
  const size = 1 + varintBytes(cids.length) + cids.reduce((n, c) => n + varintBytes(c.byteLength) + c.byteLength, 0)
  const w = new Writer(size)
  w.byte(req.kind === 'have' ? KIND_HAVE : KIND_WANT)
  w.varint(cids.length)
  for (const c of cids) {
    w.varint(c.byteLength)
    w.raw(c)
  }
  return w.bytes
}

/** Decodes a request; throws FilesWireError (malformed) or FilesCidError (a CID we do not handle). */
export function decodeFilesRequest(bytes: Uint8Array): FilesRequest {
  const what = 'files request'
  checkSize(what, bytes, FILES_REQUEST_BYTES_MAX)
  const r = new Reader(bytes, what)
  const k = r.byte()
  if (k !== KIND_HAVE && k !== KIND_WANT) r.fail('WIRE_MALFORMED', `unknown kind ${k}`)
  const kind = k === KIND_HAVE ? 'have' : 'want'
  const count = r.varint(capOf(kind), 'CID count')
  if (count === 0) r.fail('WIRE_MALFORMED', 'asks for no CID')
  const cids: CID[] = []
  for (let i = 0; i < count; i++) {
    const len = r.varint(CID_BYTES_MAX, 'CID length')
    const cid = cidFromBytes(r.take(len))
    if (cid.bytes.byteLength !== len) r.fail('WIRE_NON_CANONICAL', 'a CID with trailing bytes')
    cids.push(cid)
  }
  r.end()
  return { kind, cids }
}

export function encodeHaveAnswer(have: readonly boolean[]): Uint8Array {
  const w = new Writer(1 + varintBytes(have.length) + Math.ceil(have.length / 8))
  w.byte(KIND_HAVE)
  w.varint(have.length)
  writeBitfield(w, have)
  return w.bytes
}

/** Decodes a HAVE answer to a request of `asked` CIDs. */
export function decodeHaveAnswer(bytes: Uint8Array, asked: number): boolean[] {
  const what = 'files HAVE answer'
  checkSize(what, bytes, FILES_RESPONSE_BYTES_MAX)
  const r = new Reader(bytes, what)
  if (r.byte() !== KIND_HAVE) r.fail('WIRE_MALFORMED', 'not a HAVE answer')
  const count = r.varint(HAVE_CIDS_MAX, 'count')
  if (count !== asked) r.fail('WIRE_MALFORMED', `answers ${count} CIDs, ${asked} asked`)
  const bits = readBitfield(r, count)
  r.end()
  return bits
}

export function encodeWantAnswer(asked: number, answer: WantAnswer): Uint8Array {
  const blocksSize = answer.blocks.reduce(
    (n, b) => n + varintBytes(b.index) + varintBytes(b.bytes.byteLength) + b.bytes.byteLength,
    0,
  )
  const w = new Writer(1 + varintBytes(asked) + Math.ceil(asked / 8) + varintBytes(answer.blocks.length) + blocksSize)
  w.byte(KIND_WANT)
  w.varint(asked)
  writeBitfield(w, answer.dontHave)
  w.varint(answer.blocks.length)
  for (const b of answer.blocks) {
    w.varint(b.index)
    w.varint(b.bytes.byteLength)
    w.raw(b.bytes)
  }
  return w.bytes
}

/** Decodes a WANT answer to a request of `asked` CIDs; blocks are views into `bytes`. */
export function decodeWantAnswer(bytes: Uint8Array, asked: number): WantAnswer {
  const what = 'files WANT answer'
  checkSize(what, bytes, FILES_RESPONSE_BYTES_MAX)
  const r = new Reader(bytes, what)
  if (r.byte() !== KIND_WANT) r.fail('WIRE_MALFORMED', 'not a WANT answer')
  const count = r.varint(WANT_CIDS_MAX, 'count')
  if (count !== asked) r.fail('WIRE_MALFORMED', `answers ${count} CIDs, ${asked} asked`)
  const dontHave = readBitfield(r, count)
  const n = r.varint(count, 'block count')
  const blocks: WantAnswer['blocks'] = []
  let previous = -1
  for (let i = 0; i < n; i++) {
    const index = r.varint(count - 1, 'block index')
    if (index <= previous) r.fail('WIRE_NON_CANONICAL', 'block indices not increasing')
    if (dontHave[index]) r.fail('WIRE_MALFORMED', `block ${index} sent and marked missing`)
    previous = index
    const len = r.varint(BLOCK_BYTES_MAX, 'block length')
    blocks.push({ index, bytes: r.take(len) })
  }
  r.end()
  return { dontHave, blocks }
}
