/** Types of the `siphash` package (SipHash-2-4, pure JavaScript; it ships none). */
declare module 'siphash' {
  /** A 128-bit key as four 32-bit words, least significant first: k0 = key[1]:key[0], k1 = key[3]:key[2]. */
  type SipHashKey = readonly [number, number, number, number] | number[]
  /** The 64-bit hash as its high and low 32-bit halves. */
  export function hash(key: SipHashKey, message: Uint8Array | string): { h: number; l: number }
  const SipHash: { hash: typeof hash }
  export default SipHash
}
