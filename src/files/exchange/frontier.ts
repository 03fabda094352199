/**
 * Which blocks of a UnixFS DAG a download still wants: the DAG walked from its
 * root, depth first. A block the store holds is not wanted (resume: a held
 * dag-pb node is read back and walked through); a dag-pb node that arrived is
 * expanded into its children only while the caller's window has room, so the
 * wanted set stays bounded whatever the DAG's size. Expansions waiting are
 * CIDs (at most DAG_DEPTH_MAX levels of the window); only the newest keeps
 * its decoded children, the others are decoded again from the store.
 */
import type { CID } from 'multiformats/cid'
import { cidKey, DAG_PB_CODE } from './cid.js'
import { type DagLink, decodeDagNode } from './dag.js'
import type { ExchangeStore } from './store.js'

/** What the walk tells the download. */
export interface FrontierEvents {
  /** A block the store lacks is wanted now. */
  wanted(key: string, depth: number): void
  /** A block was in the store already; `bytes` is its parent's size hint for a leaf, 0 for a node. */
  resumed(bytes: number): void
  /** The root is a UnixFS file of this many bytes. */
  fileBytes(bytes: number): void
}

/** A dag-pb node whose children are taken from when the window has room. */
interface Expansion {
  cid: CID
  depth: number
  /** Children taken so far. */
  next: number
  /** The decoded children, kept on the newest expansion only. */
  children?: DagLink[]
}

export class DagFrontier {
  /** Wanted blocks by key, with their depth below the root. */
  private readonly wanted = new Map<string, { cid: CID; depth: number }>()
  private readonly expansions: Expansion[] = []

  constructor(
    private readonly store: Pick<ExchangeStore, 'has' | 'get'>,
    private readonly events: FrontierEvents,
  ) {}

  /** Nodes with children not yet taken. */
  get expandable(): boolean {
    return this.expansions.length > 0
  }

  cidOf(key: string): CID {
    const w = this.wanted.get(key)
    if (!w) throw new Error(`no wanted block ${key}`)
    return w.cid
  }

  isWanted(key: string): boolean {
    return this.wanted.has(key)
  }

  /** The block arrived (verified): no longer wanted; its depth, for nodeArrived. */
  arrived(key: string): number {
    const depth = this.wanted.get(key)?.depth ?? 0
    this.wanted.delete(key)
    return depth
  }

  /** Wants the blocks the store lacks; walks through the dag-pb nodes it holds (resume). */
  async discover(links: ReadonlyArray<{ cid: CID; sizeHint: number }>, depth: number): Promise<void> {
    const fresh = links.filter((l) => !this.wanted.has(cidKey(l.cid)))
    const held = await Promise.all(fresh.map((l) => this.store.has(l.cid)))
    for (const [i, link] of fresh.entries()) {
      const key = cidKey(link.cid)
      if (this.wanted.has(key)) continue
      if (held[i]) {
        this.events.resumed(link.cid.code === DAG_PB_CODE ? 0 : link.sizeHint)
        if (link.cid.code === DAG_PB_CODE) await this.nodeArrived(link.cid, undefined, depth)
        continue
      }
      this.wanted.set(key, { cid: link.cid, depth })
      this.events.wanted(key, depth)
    }
  }

  /** A dag-pb node was verified and stored (or was held: `bytes` undefined); throws FilesDagError / FilesCidError. */
  async nodeArrived(cid: CID, bytes: Uint8Array | undefined, depth: number): Promise<void> {
    const block = bytes ?? (await this.store.get(cid))
    if (block === undefined) throw new Error(`the store lost ${cid}`)
    const node = decodeDagNode(cid, block, depth)
    if (depth === 0 && node.fileBytes !== undefined) this.events.fileBytes(node.fileBytes)
    if (node.children.length === 0) return
    const below = this.expansions[this.expansions.length - 1]
    if (below) below.children = undefined
    this.expansions.push({ cid, depth, next: 0, children: node.children })
  }

  /** Takes children of the newest expansions while `room()` is above 0 and the download goes on. */
  async expand(room: () => number, stopped: () => boolean): Promise<void> {
    while (this.expansions.length > 0 && room() > 0 && !stopped()) {
      const top = this.expansions[this.expansions.length - 1] as Expansion
      let children = top.children
      if (children === undefined) {
        const block = await this.store.get(top.cid)
        if (block === undefined) throw new Error(`the store lost ${top.cid}`)
        children = decodeDagNode(top.cid, block, top.depth).children
      }
      const take = children.slice(top.next, top.next + room())
      top.next += take.length
      if (top.next >= children.length) this.expansions.splice(this.expansions.indexOf(top), 1)
      await this.discover(take, top.depth + 1)
    }
  }
}
