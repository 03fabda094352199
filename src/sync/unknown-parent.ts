/**
 * What a gossiped block with an unknown parent sets off. Such a block is
 * cheap to make, so its sender gets a bounded response: the orphan is
 * attributed to it (the pool caps each sender's share), every
 * `unconnectedMax`-th block in a row that does not connect costs it
 * `penalty` (Bitcoin Core's rule for unconnecting headers), and a sync from it
 * starts at most `syncBurst` times, then once per `syncIntervalMs`.
 *
 * While we sync, orphans are what honest peers send (the tip moves on while
 * we catch up), so they are not counted, and the sync is always asked for
 * another run (a run in progress takes it as a hint for its next one, which
 * costs nothing more).
 */
import type { PeerIdString } from '../net/network.js'
import type { Clock } from '../util/clock.js'
import { KeyedBuckets } from '../util/token-bucket.js'

export interface UnknownParentLimits {
  /** Blocks in a row that do not connect before the sender is charged. */
  unconnectedMax: number
  penalty: number
  /** Syncs one peer's orphans may start back to back. */
  syncBurst: number
  /** Then one per this long. */
  syncIntervalMs: number
}

export const UNKNOWN_PARENT_LIMITS: UnknownParentLimits = {
  unconnectedMax: 10,
  penalty: 20,
  syncBurst: 2,
  syncIntervalMs: 2_000,
}

export interface UnknownParentDeps {
  /** The orphan pool: records the sender, returns its run of blocks that did not connect (counting this one if `counted`). */
  attribute(blockId: string, peer: PeerIdString, counted: boolean): number
  /** Ends the sender's run (the pool's `connected`). */
  resetRun(peer: PeerIdString): void
  reportPeer(peer: PeerIdString, penalty: number, reason: string): void
  startSync(peer: PeerIdString): void
  /** True while a sync run is going. */
  syncing(): boolean
  clock: Clock
}

export class UnknownParentPolicy {
  private readonly syncStarts: KeyedBuckets<PeerIdString>

  constructor(
    private readonly deps: UnknownParentDeps,
    private readonly limits: UnknownParentLimits = UNKNOWN_PARENT_LIMITS,
  ) {
    this.syncStarts = new KeyedBuckets(
      { capacity: limits.syncBurst, ratePerSec: 1000 / limits.syncIntervalMs },
      deps.clock,
    )
  }

  /** `peer` gossiped `blockId`, whose parent we lack (the block is in the orphan pool, or was refused by it). */
  onUnknownParent(peer: PeerIdString, blockId: string): void {
    const syncing = this.deps.syncing()
    const run = this.deps.attribute(blockId, peer, !syncing)
    if (run >= this.limits.unconnectedMax) {
      this.deps.reportPeer(peer, this.limits.penalty, `${run} blocks in a row that do not connect`)
      this.deps.resetRun(peer)
    }
    if (syncing || this.syncStarts.tryTake(peer)) this.deps.startSync(peer)
  }
}
