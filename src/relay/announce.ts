/**
 * Which new heads we announce. Gossipsub relays a block it received by itself
 * once our validator accepts it, so a head that came by gossip is never
 * published again. A head we mined, or one submitted through the API, is
 * news only we have: it is published. A head that sync brought is published
 * only while it is fresh: a catch-up replaying history must not flood the
 * mesh, but a block whose parent we had to fetch first (it came by gossip as
 * an orphan, so the mesh did not relay it) must still go out.
 */
import type { HeadChange } from '../chain/chain.js'
import type { Block } from '../ledger/block.js'
import type { Clock } from '../util/clock.js'

/** Heads older than this are history being replayed by sync, not news. */
export const ANNOUNCE_AGE_MAX_MS = 60_000

export interface AnnounceDeps {
  onHeadChange(listener: (change: HeadChange) => void): unknown
  publishBlock(block: Block): Promise<unknown>
  clock: Clock
  log?(msg: string, fields?: Record<string, unknown>): void
}

/** The announcement rule on its own: the block to publish for a head change, if any. */
export function blockToAnnounce(change: HeadChange, nowMs: number): Block | undefined {
  const tip = change.connected.at(-1)
  if (!tip) return undefined
  switch (change.source) {
    case 'gossip':
    case 'store':
      return undefined
    case 'mined':
    case 'rpc':
      return tip
    case 'sync':
      return nowMs - tip.header.timestampMs < ANNOUNCE_AGE_MAX_MS ? tip : undefined
  }
}

/** Publishes every head change's block that `blockToAnnounce` picks. */
export function announceHeads(deps: AnnounceDeps): void {
  deps.onHeadChange((change) => {
    const block = blockToAnnounce(change, deps.clock.nowMs())
    if (!block) return
    deps.publishBlock(block).catch((err: unknown) => deps.log?.('publishing a block failed', { error: String(err) }))
  })
}
