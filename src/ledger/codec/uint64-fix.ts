/**
 * protons-runtime (7.1.2, and 8.0.1 too) writes a uint64 in [2^31, 2^32)
 * wrongly: LongBits keeps the low word signed, so with a zero high word
 * `writeVarint64` sees a negative low word, emits one byte and leaves the rest
 * of the varint's slot zero. Those bytes decode as a different value or not at
 * all, so no valid object was ever encoded that way and fixing the writer
 * changes no existing encoding. Every uint64 below 2^53 is written here as a
 * number varint (exact there); larger ones keep the library's path, which is
 * correct once the high word is non-zero. Loaded by every module that encodes
 * with protons' generated code (codec.ts, which wire-codec.ts and the compact
 * and light codecs import; the BFT messages): the generated files themselves
 * are never edited (`npm run proto` rewrites them).
 */
import { writer } from 'protons-runtime'

interface Uint64Writer {
  uint64(value: bigint): unknown
  uint64Number(value: number): unknown
}

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER)
const proto = Object.getPrototypeOf(writer()) as Uint64Writer
const libraryUint64 = proto.uint64

proto.uint64 = function uint64(this: Uint64Writer, value: bigint) {
  if (value >= 0n && value <= SAFE_MAX) return this.uint64Number(Number(value))
  return libraryUint64.call(this, value)
}
