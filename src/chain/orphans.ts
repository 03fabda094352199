/**
 * Blocks whose parent is unknown, held until the parent arrives. Bounded by
 * count and bytes; the oldest goes first when full.
 */
import type { Block } from '../ledger/block.js'

export interface OrphanLimits {
  countMax: number
  bytesMax: number
}

export class OrphanPool {
  private readonly byId = new Map<string, Block>()
  private readonly byParent = new Map<string, Set<string>>()
  private bytes = 0

  constructor(private readonly limits: OrphanLimits = { countMax: 512, bytesMax: 64 * 1024 * 1024 }) {}

  get size(): number {
    return this.byId.size
  }

  has(id: string): boolean {
    return this.byId.has(id)
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

  /** Removes and returns the orphans whose parent is `parentId`. */
  takeChildren(parentId: string): Block[] {
    const ids = this.byParent.get(parentId)
    if (!ids) return []
    const blocks = [...ids].map((id) => this.byId.get(id)).filter((b): b is Block => b !== undefined)
    for (const b of blocks) this.remove(b.id)
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
  }
}
