/**
 * The strict decoders as a table the node is handed, so a host can share
 * their work: a decode is a pure function of the bytes and its result is
 * immutable, so the simulator gives every node the same decoded object for
 * the same message (src/sim/decode-memo.ts) and keeps one decode per message
 * instead of one per node. Production uses `strictDecoders` as they are.
 */
import { Block } from './block.js'
import type { BlockDecodeLimits } from './codec/codec.js'
import { Tx } from './tx.js'

export interface LedgerDecoders {
  /** Tx.fromBytes: throws DecodeError. */
  tx(bytes: Uint8Array, bytesMax?: number): Tx
  /** Block.fromBytes: throws DecodeError. */
  block(bytes: Uint8Array, limits?: BlockDecodeLimits): Block
}

export const strictDecoders: LedgerDecoders = Object.freeze({
  tx: (bytes: Uint8Array, bytesMax?: number) => Tx.fromBytes(bytes, bytesMax),
  block: (bytes: Uint8Array, limits?: BlockDecodeLimits) => Block.fromBytes(bytes, limits),
})
