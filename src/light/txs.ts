/**
 * The txs a light node submitted: it has no mempool, so it remembers its own
 * until their inclusion is proven (or they expire), publishes each on the tx
 * topic (gossipsub publishes without subscribing: the light node takes no
 * other gossip), and publishes again while no full peer received one.
 */
import type { Tx } from '../ledger/tx.js'
import type { Clock } from '../util/clock.js'

export interface LightTx {
  tx: Tx
  submittedMs: number
  /** Peers the last publish reached (0: publish again). */
  sentTo: number
}

export interface LightTxsDeps {
  /** Publishes on the tx topic; resolves with the peers it reached. */
  publish(data: Uint8Array): Promise<number>
  clock: Clock
  log?(msg: string, fields?: Record<string, unknown>): void
}

export interface LightTxsLimits {
  /** Own txs remembered at most; the oldest is forgotten first. */
  countMax: number
  /** Forgotten this long after submission if never proven included. */
  expiryMs: number
}

export const DEFAULT_LIGHT_TXS_LIMITS: LightTxsLimits = { countMax: 1000, expiryMs: 60 * 60 * 1000 }

export class LightTxs {
  private readonly txs = new Map<string, LightTx>()
  private readonly listeners = new Set<(tx: LightTx) => void>()
  private readonly limits: LightTxsLimits

  constructor(
    private readonly deps: LightTxsDeps,
    limits: Partial<LightTxsLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIGHT_TXS_LIMITS, ...limits }
  }

  /** Remembers `tx` and publishes it; resolves with the peers reached (0: it is published again later). */
  async submit(tx: Tx): Promise<number> {
    let entry = this.txs.get(tx.id)
    if (!entry) {
      entry = { tx, submittedMs: this.deps.clock.nowMs(), sentTo: 0 }
      this.txs.set(tx.id, entry)
      while (this.txs.size > this.limits.countMax) this.txs.delete(this.txs.keys().next().value as string)
      for (const listener of this.listeners) listener(entry)
    }
    if (entry.sentTo === 0) await this.publish(entry)
    return entry.sentTo
  }

  get(id: string): LightTx | undefined {
    return this.txs.get(id)
  }

  /** Oldest first. */
  list(): LightTx[] {
    return [...this.txs.values()]
  }

  get size(): number {
    return this.txs.size
  }

  get bytes(): number {
    let bytes = 0
    for (const t of this.txs.values()) bytes += t.tx.bytes.byteLength
    return bytes
  }

  /** Its inclusion is proven: no longer ours to resend. */
  forget(id: string): void {
    this.txs.delete(id)
  }

  onSubmit(listener: (tx: LightTx) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Drops expired txs and publishes again those no peer received. */
  async tick(): Promise<void> {
    const now = this.deps.clock.nowMs()
    for (const [id, entry] of this.txs) {
      if (now - entry.submittedMs > this.limits.expiryMs) this.txs.delete(id)
      else if (entry.sentTo === 0) await this.publish(entry)
    }
  }

  private async publish(entry: LightTx): Promise<void> {
    try {
      entry.sentTo = await this.deps.publish(entry.tx.bytes)
    } catch (err) {
      // gossipsub refuses a message it already sent (seen): some peer has it.
      this.deps.log?.('light: tx publish failed', { tx: entry.tx.id, error: String(err) })
      entry.sentTo = Math.max(entry.sentTo, 1)
    }
  }
}
