/**
 * The upload cap, like Bitcoin Core's `-maxuploadtarget`: at most
 * `bytesPerPeriod` of historical blocks served per `periodMs` (a token bucket
 * that refills the whole budget over one period, so the limit holds over
 * every window of that length). Headers and recent blocks (within
 * `recentBlocks` of our head) are always served, since a node cannot follow
 * the tip without them, but they count against the budget too. A historical
 * block is served only when the budget still holds its whole size, so the
 * bytes of historical blocks served never exceed it.
 */
import type { Clock } from '../util/clock.js'
import { TokenBucket } from '../util/token-bucket.js'

export const UPLOAD_CAP_PERIOD_MS = 24 * 60 * 60 * 1000
/** Blocks this close to our head are always served (Bitcoin's NODE_NETWORK_LIMITED keeps 288). */
export const UPLOAD_CAP_RECENT_BLOCKS = 288

export interface UploadCapOptions {
  /** 0 = unlimited. */
  bytesPerPeriod: number
  periodMs?: number
  recentBlocks?: number
}

export class UploadCap {
  private readonly bucket: TokenBucket | undefined
  readonly recentBlocks: number
  private historicalBytes = 0
  private historicalRefused = 0

  constructor(opts: UploadCapOptions, clock: Clock) {
    const { bytesPerPeriod } = opts
    if (!Number.isSafeInteger(bytesPerPeriod) || bytesPerPeriod < 0)
      throw new RangeError(`upload cap must be an integer >= 0 bytes: ${bytesPerPeriod}`)
    const periodMs = opts.periodMs ?? UPLOAD_CAP_PERIOD_MS
    this.recentBlocks = opts.recentBlocks ?? UPLOAD_CAP_RECENT_BLOCKS
    this.bucket =
      bytesPerPeriod === 0
        ? undefined
        : new TokenBucket({ capacity: bytesPerPeriod, ratePerSec: (bytesPerPeriod * 1000) / periodMs }, clock)
  }

  /** Bytes of historical blocks served since start. */
  get historicalBytesServed(): number {
    return this.historicalBytes
  }

  /** Historical blocks refused because the budget was spent. */
  get historicalBlocksRefused(): number {
    return this.historicalRefused
  }

  /**
   * Whether a block of `bytes` at `height` may be served now, our head being
   * at `headHeight`; if so its bytes are counted.
   */
  takeBlock(height: number, headHeight: number, bytes: number): boolean {
    if (!this.bucket) return true
    if (headHeight - height < this.recentBlocks) {
      this.bucket.charge(bytes)
      return true
    }
    if (!this.bucket.tryTake(bytes)) {
      this.historicalRefused++
      return false
    }
    this.historicalBytes += bytes
    return true
  }

  /** Counts bytes always served (headers). */
  record(bytes: number): void {
    this.bucket?.charge(bytes)
  }
}
