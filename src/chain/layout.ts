/**
 * Every key the chain store writes, by one-byte prefix. All writes that change
 * the head go into one atomic batch, so a crash leaves either the old head with
 * its state or the new head with its state.
 *
 *   'h' + blockHash(32)        → header entry: status(1) | totalWork(32) | header bytes
 *   'b' + blockHash(32)        → block bytes (header + txs)
 *   'n' + height(8, BE)        → hash of the main-chain block at that height
 *   't' + txHash(32)           → blockHash(32) | index(4, BE): where a main-chain tx sits
 *   'c' + blockHash(32)        → commit of a block (proof of stake: the ⅔+ precommits that finalized it)
 *   'u' + blockHash(32)        → undo record of a connected block (accounts before it)
 *   'a' + address(20)          → account at the head (flat index beside the trie)
 *   'v' + address(20)          → empty: the account holds a stake (proof of stake; enumerated at each epoch end)
 *   'e' + height(8, BE)        → the validator set the epoch-ending block at that height chose (proof of stake)
 *   's' + trieNodeKey          → Merkle-Patricia trie node (content-addressed, never deleted)
 *   'r' + blockHash(32)        → header version 2 only: the MMR state (peaks) after the block, encodeMmrPeaks
 *                                (ledger/mmr.ts: size(8, BE) | (hash(32) | work(32)) per peak; chain/mmr-store.ts)
 *   'm' + 'head'               → hash of the head block
 *   'm' + 'genesis'            → hash of the genesis block (guards against another chain's data)
 */
import { u64be } from '../util/bytes.js'

const enc = new TextEncoder()

/** A one-letter prefix, then the parts. */
function key(prefix: string, ...parts: Uint8Array[]): Uint8Array {
  let len = 1
  for (const part of parts) len += part.byteLength
  const out = new Uint8Array(len)
  out[0] = prefix.charCodeAt(0)
  let off = 1
  for (const part of parts) {
    out.set(part, off)
    off += part.byteLength
  }
  return out
}

export const layout = {
  headerPrefix: enc.encode('h'),
  header: (hash: Uint8Array) => key('h', hash),
  block: (hash: Uint8Array) => key('b', hash),
  height: (height: number) => key('n', u64be(height)),
  txLocation: (txHash: Uint8Array) => key('t', txHash),
  undo: (hash: Uint8Array) => key('u', hash),
  commit: (hash: Uint8Array) => key('c', hash),
  account: (address: Uint8Array) => key('a', address),
  stakerPrefix: enc.encode('v'),
  staker: (address: Uint8Array) => key('v', address),
  epochPrefix: enc.encode('e'),
  epoch: (height: number) => key('e', u64be(height)),
  trieNode: (nodeKey: Uint8Array) => key('s', nodeKey),
  mmrPrefix: enc.encode('r'),
  mmr: (hash: Uint8Array) => key('r', hash),
  head: new Uint8Array([...enc.encode('m'), ...enc.encode('head')]),
  genesis: new Uint8Array([...enc.encode('m'), ...enc.encode('genesis')]),
} as const
