/**
 * The fuzzer's fixed world: its chain id, the block hashes proposers build
 * (valid, or marked invalid by their first byte) and the validators' key pool.
 */
import type { KeyObject } from 'node:crypto'
import { type KeyPair, keyPairFromSeed, privateKeyObject, sha256 } from '../../ledger/crypto.js'

export const FUZZ_CHAIN_ID = 'peerchain-bft-fuzz'

const encoder = new TextEncoder()

/** First byte of a block hash that names an invalid block. */
const INVALID_MARK = 0xff

/** The block `label` stands for: its hash, valid (first byte below INVALID_MARK) or not. */
function labelledHash(label: string, valid: boolean): Uint8Array {
  const hash = sha256(encoder.encode(label))
  hash[0] = valid ? (hash[0] as number) & 0x7f : INVALID_MARK
  return hash
}

/**
 * The block the proposer of (height, round) builds. A round has one proposer,
 * so the proposer need not be part of the label; leaving it out makes the
 * votes of one (height, round) the same in every seed whoever proposed, and
 * the signature memo answers most of them.
 */
export function blockHashFor(height: bigint, round: number): Uint8Array {
  return labelledHash(`peerchain bft fuzz block ${height}/${round}`, true)
}

/** The block every equivocator pushes at (height, round): invalid in odd rounds. */
export function evilHashFor(height: bigint, round: number): Uint8Array {
  return labelledHash(`peerchain bft fuzz evil ${height}/${round}`, round % 2 === 0)
}

/** The caller's verdict on a proposed block: any well-formed block is valid, unless marked invalid. */
export function blockValid(hash: Uint8Array): boolean {
  return hash.byteLength === 32 && hash[0] !== INVALID_MARK
}

const keyPool: { pair: KeyPair; secretKey: KeyObject }[] = []
export function pooledKey(index: number): { pair: KeyPair; secretKey: KeyObject } {
  let key = keyPool[index]
  if (!key) {
    const pair = keyPairFromSeed(sha256(encoder.encode(`peerchain bft fuzz validator ${index}`)))
    key = { pair, secretKey: privateKeyObject(pair.secretKey) }
    keyPool[index] = key
  }
  return key
}

/** Validator `index` of the fuzzer's fixed key pool. */
export function fuzzKey(index: number): KeyPair {
  return pooledKey(index).pair
}
