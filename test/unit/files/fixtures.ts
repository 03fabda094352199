/** Shared by the file store's tests: deterministic bytes and a block store in a temporary directory. */
import { createHash } from 'node:crypto'

/** Deterministic bytes: SHA-256 in counter mode. */
export function patternBytes(length: number, seed = 'peerchain'): Uint8Array {
  const out = new Uint8Array(length)
  let offset = 0
  for (let i = 0; offset < length; i++) {
    const block = createHash('sha256').update(`${seed}:${i}`).digest()
    out.set(block.subarray(0, Math.min(block.length, length - offset)), offset)
    offset += block.length
  }
  return out
}

/** Plenty of free space, for stores whose disk check is not under test. */
export const ampleDisk = async (): Promise<number> => Number.MAX_SAFE_INTEGER
