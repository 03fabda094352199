/**
 * Blocks whose parent is unknown, held until the parent arrives. Bounded by
 * count and bytes; the oldest goes first when full.
 *
 * An orphan is cheap to make (proof of work at the chain's easiest target),
 * so the pool also keeps each orphan's sender (`attribute`, once the relay
 * knows who sent it): no sender holds more than `perPeerMax` (its own oldest
 * go first), and the pool counts the blocks each sender sent that did not
 * connect, until one of them does. What to do about a count is the caller's
 * call (sync/unknown-parent.ts charges it).
 */
import type { Block } from '../ledger/block.js'

export interface OrphanLimits {
  countMax: number
  bytesMax: number
  /** Orphans one sender may hold. */
  perPeerMax?: number
}

export const ORPHAN_LIMITS_DEFAULT = { countMax: 512, bytesMax: 64 * 1024 * 1024, perPeerMax: 16 } as const
/** Senders whose unconnected count is kept; the least recent goes first. */
export const ORPHAN_SENDERS_MAX = 4096

export class OrphanPool {
  private readonly byId = new Map<string, Block>()
  private readonly byParent = new Map<string, Set<string>>()
  private readonly senderOf = new Map<string, string>()
  /** Each sender's orphans in the pool, oldest first. */
  private readonly bySender = new Map<string, Set<string>>()
  /** Blocks each sender sent that did not connect, since the last one of its that did. */
  private readonly unconnected = new Map<string, number>()
  private readonly perPeerMax: number
  private bytes = 0

  constructor(private readonly limits: OrphanLimits = ORPHAN_LIMITS_DEFAULT) {
    this.perPeerMax = limits.perPeerMax ?? ORPHAN_LIMITS_DEFAULT.perPeerMax
  }

  get size(): number {
    return this.byId.size
  }

  has(id: string): boolean {
    return this.byId.has(id)
  }

  /** Orphans held from `peer`. */
  heldFrom(peer: string): number {
    return this.bySender.get(peer)?.size ?? 0
  }

  add(block: Block): void {
    if (this.byId.has(block.id)) return
    if (block.bytes.byteLength > this.limits.bytesMax) return
    while (this.byId.size >= this.limits.countMax || this.bytes + block.bytes.byteLength > this.limits.bytesMax) {
      this.remove(this.byId.keys().next().value as string)
    }
    this.byId.set(block.id, block)
    this.bytes += block.bytes.byteLength
    const parent = block.header.parentId
    const children = this.byParent.get(parent) ?? new Set<string>()
    children.add(block.id)
    this.byParent.set(parent, children)
  }

  /**
   * Records that `peer` sent the orphan `id` (held or not: a block that does
   * not connect counts either way, unless `counted` is false). Past the
   * per-peer cap its oldest orphan goes. Returns how many blocks that did not
   * connect the peer has sent in a row.
   */
  attribute(id: string, peer: string, counted = true): number {
    if (this.byId.has(id) && !this.senderOf.has(id)) {
      this.senderOf.set(id, peer)
      const held = this.bySender.get(peer) ?? new Set<string>()
      held.add(id)
      this.bySender.set(peer, held)
      while (held.size > this.perPeerMax) this.remove(held.values().next().value as string)
    }
    const count = (this.unconnected.get(peer) ?? 0) + (counted ? 1 : 0)
    if (count === 0) return 0
    this.unconnected.delete(peer)
    this.unconnected.set(peer, count)
    if (this.unconnected.size > ORPHAN_SENDERS_MAX)
      this.unconnected.delete(this.unconnected.keys().next().value as string)
    return count
  }

  /** A block from `peer` connected (it gossiped one we accepted): its run of unconnected blocks ends. */
  connected(peer: string): void {
    this.unconnected.delete(peer)
  }

  /** Removes and returns the orphans whose parent is `parentId`; their senders' blocks connect after all. */
  takeChildren(parentId: string): Block[] {
    const ids = this.byParent.get(parentId)
    if (!ids) return []
    const blocks = [...ids].map((id) => this.byId.get(id)).filter((b): b is Block => b !== undefined)
    for (const b of blocks) {
      const sender = this.senderOf.get(b.id)
      if (sender !== undefined) this.connected(sender)
      this.remove(b.id)
    }
    return blocks
  }

  private remove(id: string): void {
    const block = this.byId.get(id)
    if (!block) return
    this.byId.delete(id)
    this.bytes -= block.bytes.byteLength
    const siblings = this.byParent.get(block.header.parentId)
    siblings?.delete(id)
    if (siblings?.size === 0) this.byParent.delete(block.header.parentId)
    const sender = this.senderOf.get(id)
    if (sender === undefined) return
    this.senderOf.delete(id)
    const held = this.bySender.get(sender)
    held?.delete(id)
    if (held?.size === 0) this.bySender.delete(sender)
  }
}
