/**
 * The simulator's decoders: the real strict decoders, run once per message
 * and shared by every simulated node. A message's bytes are one object for
 * the whole network (the router hands every hop the publisher's copy), and a
 * decode is a pure function of those bytes with an immutable result, so the
 * first node's Tx or Block (or DecodeError) is every node's. The lazily
 * computed parts (tx ids, senders, a block's tx root) are then hashed once
 * per run instead of once per node, which is most of what 1,000 nodes would
 * otherwise repeat. Every node still runs every rule on the decoded object.
 *
 * Keyed by the bytes object (a WeakMap: a message nobody holds is
 * forgotten), so bytes that merely look alike are decoded again, never
 * mistaken for each other. One run has one genesis, so one set of limits:
 * a call under other limits is a bug and throws.
 */
import type { Block } from '../ledger/block.js'
import type { BlockDecodeLimits } from '../ledger/codec/codec.js'
import { type LedgerDecoders, strictDecoders } from '../ledger/decoders.js'
import type { Tx } from '../ledger/tx.js'

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown }

export class SharedDecodeMemo implements LedgerDecoders {
  private readonly txs = new WeakMap<Uint8Array, Outcome<Tx>>()
  private readonly blocks = new WeakMap<Uint8Array, Outcome<Block>>()
  private txBytesMax: number | undefined
  private blockLimits: BlockDecodeLimits | undefined
  /** Decodes actually run (the rest were shared). */
  decodes = 0

  tx(bytes: Uint8Array, bytesMax?: number): Tx {
    this.txBytesMax ??= bytesMax
    if (bytesMax !== this.txBytesMax) throw new Error(`decode memo: tx limit ${bytesMax} after ${this.txBytesMax}`)
    return this.shared(this.txs, bytes, () => strictDecoders.tx(bytes, bytesMax))
  }

  block(bytes: Uint8Array, limits: BlockDecodeLimits = {}): Block {
    this.blockLimits ??= limits
    const { blockBytesMax, blockTxsMax } = this.blockLimits
    if (limits.blockBytesMax !== blockBytesMax || limits.blockTxsMax !== blockTxsMax)
      throw new Error('decode memo: block limits differ from the first call')
    return this.shared(this.blocks, bytes, () => strictDecoders.block(bytes, limits))
  }

  private shared<T>(memo: WeakMap<Uint8Array, Outcome<T>>, bytes: Uint8Array, decode: () => T): T {
    let outcome = memo.get(bytes)
    if (outcome === undefined) {
      this.decodes++
      try {
        outcome = { ok: true, value: decode() }
      } catch (error) {
        outcome = { ok: false, error }
      }
      memo.set(bytes, outcome)
    }
    if (!outcome.ok) throw outcome.error
    return outcome.value
  }
}
