/**
 * The private stem pool: txs in their stem phase, validated but out of the
 * mempool's public view (not listed, gossiped, served, or mined) until they
 * are fluffed or seen in gossip. Bounded by count and bytes; a full pool
 * refuses (the caller fluffs the tx instead, so nothing is lost and nothing
 * grows). The node's wallet asks it which nonces its own stem txs hold, so
 * two sends in a row take consecutive nonces.
 */
import type { Tx } from '../../ledger/tx.js'
import { StemError } from './errors.js'

/** Stem txs held at once. */
export const STEM_POOL_TXS_MAX = 1024
/** Encoded bytes of the stem txs held at once. */
export const STEM_POOL_BYTES_MAX = 4 * 1024 * 1024

export interface StemEntry {
  readonly tx: Tx
  /** The tx originates here (a local submission), not from a peer's stem. */
  readonly own: boolean
  readonly addedMs: number
}

export interface StemPoolLimits {
  txsMax: number
  bytesMax: number
}

export class StemPool {
  private readonly entries = new Map<string, StemEntry>()
  /** sender hex → nonces held, for the wallet's next nonce. */
  private readonly nonces = new Map<string, Set<bigint>>()
  private bytesHeld = 0

  constructor(private readonly limits: StemPoolLimits = { txsMax: STEM_POOL_TXS_MAX, bytesMax: STEM_POOL_BYTES_MAX }) {}

  get size(): number {
    return this.entries.size
  }

  get bytes(): number {
    return this.bytesHeld
  }

  has(id: string): boolean {
    return this.entries.has(id)
  }

  get(id: string): StemEntry | undefined {
    return this.entries.get(id)
  }

  /** Whether a stem tx of `senderHex` holds `nonce`. */
  holdsNonce(senderHex: string, nonce: bigint): boolean {
    return this.nonces.get(senderHex)?.has(nonce) ?? false
  }

  /** Adds a validated stem tx; throws StemError STEM_POOL_FULL past a cap. A tx held already is left as is. */
  add(tx: Tx, own: boolean, nowMs: number): void {
    if (this.entries.has(tx.id)) return
    const size = tx.bytes.byteLength
    if (this.entries.size >= this.limits.txsMax || this.bytesHeld + size > this.limits.bytesMax) {
      throw new StemError(
        'STEM_POOL_FULL',
        `stem pool holds ${this.entries.size} txs, ${this.bytesHeld} bytes (caps ${this.limits.txsMax}, ${this.limits.bytesMax})`,
      )
    }
    this.entries.set(tx.id, { tx, own, addedMs: nowMs })
    this.bytesHeld += size
    let held = this.nonces.get(tx.senderHex)
    if (held === undefined) {
      held = new Set()
      this.nonces.set(tx.senderHex, held)
    }
    held.add(tx.fields.nonce)
  }

  /** Removes and returns a stem tx (fluffed, or seen in gossip). */
  take(id: string): StemEntry | undefined {
    const entry = this.entries.get(id)
    if (entry === undefined) return undefined
    this.entries.delete(id)
    this.bytesHeld -= entry.tx.bytes.byteLength
    const held = this.nonces.get(entry.tx.senderHex)
    if (held) {
      // Another held tx may share the nonce (a replacement): keep it counted.
      const shared = [...this.entries.values()].some(
        (e) => e.tx.senderHex === entry.tx.senderHex && e.tx.fields.nonce === entry.tx.fields.nonce,
      )
      if (!shared) held.delete(entry.tx.fields.nonce)
      if (held.size === 0) this.nonces.delete(entry.tx.senderHex)
    }
    return entry
  }

  ids(): string[] {
    return [...this.entries.keys()]
  }
}
