/**
 * One sender's pending txs in nonce order. The ready txs are the run of
 * nonces contiguous from the account nonce; the rest are future txs waiting
 * for a gap to fill. Sizes are small (perSenderMax), so plain sorted arrays.
 */
import type { Account } from '../ledger/state.js'
import type { PoolEntry } from './entry.js'

export class SenderQueue {
  /** Ascending nonce, one entry per nonce. */
  private entries: PoolEntry[] = []
  private readyCount = 0

  constructor(
    readonly address: Uint8Array,
    readonly addressHex: string,
    /** The sender's committed account, as last read. */
    public account: Account,
  ) {}

  get size(): number {
    return this.entries.length
  }

  /** The nonce the next ready tx must have. */
  get nextNonce(): bigint {
    return this.account.nonce + BigInt(this.readyCount)
  }

  all(): readonly PoolEntry[] {
    return this.entries
  }

  ready(): PoolEntry[] {
    return this.entries.slice(0, this.readyCount)
  }

  get(nonce: bigint): PoolEntry | undefined {
    const i = this.search(nonce)
    const entry = this.entries[i]
    return entry?.nonce === nonce ? entry : undefined
  }

  /** Total cost of the pending txs with a nonce below `nonce`. */
  costBefore(nonce: bigint): bigint {
    let total = 0n
    for (const entry of this.entries) {
      if (entry.nonce >= nonce) break
      total += entry.cost
    }
    return total
  }

  /** The entries with a nonce at or above `nonce`, ascending. */
  tailFrom(nonce: bigint): PoolEntry[] {
    return this.entries.slice(this.search(nonce))
  }

  /** Inserts as future; `normalize` decides the status. Throws on a taken nonce (a bug in the caller). */
  insert(entry: PoolEntry): void {
    const i = this.search(entry.nonce)
    if (this.entries[i]?.nonce === entry.nonce) throw new Error(`nonce ${entry.nonce} is already taken`)
    entry.status = 'future'
    this.entries.splice(i, 0, entry)
    // A tx inserted inside or right after the ready run may extend it; only normalize() promotes.
    if (i < this.readyCount) this.readyCount = i
  }

  /** Removes `entry`; returns the entries it demoted from ready to future (those after it). */
  remove(entry: PoolEntry): PoolEntry[] {
    const i = this.search(entry.nonce)
    if (this.entries[i] !== entry) return []
    this.entries.splice(i, 1)
    if (i >= this.readyCount) return []
    const demoted = this.entries.slice(i, this.readyCount - 1)
    for (const e of demoted) e.status = 'future'
    this.readyCount = i
    return demoted
  }

  /**
   * Re-checks every entry against `account`: drops stale nonces (below the
   * account nonce), then walks up the nonces adding costs and drops the first
   * entry the balance no longer covers, or past `perSenderMax`, with every
   * later one; marks the contiguous run ready and the rest future. Returns
   * the dropped entries and the kept ones whose status changed.
   */
  normalize(perSenderMax: number): { dropped: PoolEntry[]; changed: PoolEntry[] } {
    const { nonce: accountNonce, balance } = this.account
    const kept: PoolEntry[] = []
    const dropped: PoolEntry[] = []
    const changed: PoolEntry[] = []
    let spent = 0n
    let cut = false
    let expected = accountNonce
    for (const entry of this.entries) {
      if (entry.nonce < accountNonce) {
        dropped.push(entry)
        continue
      }
      if (!cut) {
        spent += entry.cost
        cut = spent > balance || kept.length >= perSenderMax
      }
      if (cut) {
        dropped.push(entry)
        continue
      }
      const ready = entry.nonce === expected
      const status = ready ? 'ready' : 'future'
      if (entry.status !== status) {
        entry.status = status
        changed.push(entry)
      }
      if (ready) expected++
      kept.push(entry)
    }
    // Once one nonce is missing, `expected` stops advancing, so no later entry is ready.
    this.entries = kept
    this.readyCount = Number(expected - accountNonce)
    return { dropped, changed }
  }

  /** First index whose nonce is >= `nonce`. */
  private search(nonce: bigint): number {
    let lo = 0
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.entries[mid] as PoolEntry).nonce < nonce) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
