/**
 * How long an address waits after failed dials before we try it again:
 * base * 2^(failures - 1), at most max, so a dead or refusing host costs a
 * dial every few minutes rather than one per tick. A completed status
 * exchange forgets the failures. Bounded: past BACKOFF_ADDRS_MAX addresses
 * the one that failed longest ago is forgotten first.
 */

/** After a failed dial an address waits base * 2^(failures - 1), at most max. */
export const DIAL_BACKOFF_BASE_MS = 5_000
export const DIAL_BACKOFF_MAX_MS = 5 * 60_000
/** Addresses backing off, remembered at most (the oldest are forgotten first). */
export const BACKOFF_ADDRS_MAX = 4_096

export class DialBackoff {
  /** By address, in order of their last failure (a Map keeps insertion order). */
  private readonly waits = new Map<string, { failures: number; retryAtMs: number }>()

  constructor(private readonly nowMs: () => number) {}

  /** A dial of `addr` failed (or its peer hung up before the status exchange). */
  failed(addr: string): void {
    const failures = (this.waits.get(addr)?.failures ?? 0) + 1
    const waitMs = Math.min(DIAL_BACKOFF_MAX_MS, DIAL_BACKOFF_BASE_MS * 2 ** (failures - 1))
    this.waits.delete(addr)
    this.waits.set(addr, { failures, retryAtMs: this.nowMs() + waitMs })
    if (this.waits.size > BACKOFF_ADDRS_MAX) this.waits.delete(this.waits.keys().next().value as string)
  }

  /** `addr` proved good: its failures are forgotten. */
  succeeded(addr: string): void {
    this.waits.delete(addr)
  }

  /** Whether `addr` may be dialed now. */
  ready(addr: string): boolean {
    const wait = this.waits.get(addr)
    return wait === undefined || wait.retryAtMs <= this.nowMs()
  }

  clear(): void {
    this.waits.clear()
  }
}
