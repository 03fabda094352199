/**
 * A provider's measured throughput and the request depth it earns. Each
 * answer is a sample: its bytes over the time since the previous answer (or
 * since it was asked, whichever is later), so answers arriving back to back
 * from a pipelined peer measure its rate, not its queue. Samples are smoothed
 * (EWMA). The depth is the blocks that cover `depthTargetMs` of that rate,
 * between the floor and the cap: a fast peer is kept busy, a slow one holds
 * few blocks, so the end of a download waits on no one for long.
 */

/** Weight of a new sample in the smoothed rate. */
const RATE_EWMA_WEIGHT = 0.3

export interface DepthBounds {
  peerDepthInitial: number
  peerDepthMin: number
  peerDepthMax: number
  depthTargetMs: number
}

export class PeerMeter {
  /** Smoothed bytes per second; undefined until the first answer. */
  rateBytesPerSec: number | undefined
  private lastAnswerMs: number | undefined

  /** Records an answer of `bytes`, asked at `askedAtMs`, that arrived at `nowMs`. */
  answer(bytes: number, askedAtMs: number, nowMs: number): void {
    const since = Math.max(askedAtMs, this.lastAnswerMs ?? askedAtMs)
    this.lastAnswerMs = nowMs
    if (bytes <= 0) return
    const sample = (bytes * 1000) / Math.max(nowMs - since, 1)
    this.rateBytesPerSec =
      this.rateBytesPerSec === undefined
        ? sample
        : this.rateBytesPerSec + RATE_EWMA_WEIGHT * (sample - this.rateBytesPerSec)
  }

  /** Blocks this peer may hold in flight, for blocks of `blockBytes` on average. */
  depth(bounds: DepthBounds, blockBytes: number): number {
    if (this.rateBytesPerSec === undefined) return bounds.peerDepthInitial
    const blocks = Math.ceil((this.rateBytesPerSec * bounds.depthTargetMs) / 1000 / Math.max(blockBytes, 1))
    return Math.min(bounds.peerDepthMax, Math.max(bounds.peerDepthMin, blocks))
  }
}
