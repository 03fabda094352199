/**
 * A download's progress as the CLI, the API and the benchmark read it: bytes
 * and blocks fetched and found already stored (resume), the rate, the
 * providers in the session and what each served, and the duplicate blocks
 * that arrived (the endgame's cost).
 */
import type { PeerIdString } from '../../net/network.js'
import type { Clock } from '../../util/clock.js'

export interface FetchProgress {
  /** The root CID (string form). */
  root: string
  /** Blocks and bytes downloaded and verified in this session. */
  blocksFetched: number
  bytesFetched: number
  /** Blocks found in the store already (resume), and the bytes their parents say the leaves hold. */
  blocksResumed: number
  bytesResumed: number
  /** The file's size when the root is a UnixFS file (raw leaves: the leaves' bytes); else undefined. */
  bytesTotal?: number
  /** bytesFetched over the time since the download began. */
  bytesPerSec: number
  /** Providers in the session now. */
  providers: number
  /** Bytes of new (not duplicate) blocks each provider served. */
  perProvider: Record<PeerIdString, number>
  /** Blocks that arrived when another copy had already: their bytes were wasted. */
  duplicateBlocks: number
  duplicateBytes: number
  elapsedMs: number
}

export class ProgressCounter {
  private readonly startMs: number
  private readonly perProvider = new Map<PeerIdString, number>()
  private blocksFetched = 0
  private bytesFetched = 0
  private blocksResumed = 0
  private bytesResumed = 0
  private duplicateBlocks = 0
  private duplicateBytes = 0
  bytesTotal: number | undefined
  providers = 0

  constructor(
    private readonly root: string,
    private readonly clock: Clock,
  ) {
    this.startMs = clock.nowMs()
  }

  fetched(peer: PeerIdString, bytes: number): void {
    this.blocksFetched++
    this.bytesFetched += bytes
    this.perProvider.set(peer, (this.perProvider.get(peer) ?? 0) + bytes)
  }

  resumed(bytes: number): void {
    this.blocksResumed++
    this.bytesResumed += bytes
  }

  duplicate(bytes: number): void {
    this.duplicateBlocks++
    this.duplicateBytes += bytes
  }

  snapshot(): FetchProgress {
    const elapsedMs = this.clock.nowMs() - this.startMs
    return {
      root: this.root,
      blocksFetched: this.blocksFetched,
      bytesFetched: this.bytesFetched,
      blocksResumed: this.blocksResumed,
      bytesResumed: this.bytesResumed,
      ...(this.bytesTotal !== undefined ? { bytesTotal: this.bytesTotal } : {}),
      bytesPerSec: elapsedMs > 0 ? Math.round((this.bytesFetched * 1000) / elapsedMs) : 0,
      providers: this.providers,
      perProvider: Object.fromEntries(this.perProvider),
      duplicateBlocks: this.duplicateBlocks,
      duplicateBytes: this.duplicateBytes,
      elapsedMs,
    }
  }
}
