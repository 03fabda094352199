/**
 * What a head change tells its listeners. A reorg of any depth is announced
 * once, when it is over, but its listeners (the mempool, the relay, metrics)
 * get a bounded window of its blocks, not all of them: a 10,000-block reorg
 * must not hold 10,000 blocks in memory. The blocks nearest the fork leave the
 * chain first in time order, so their txs (the lowest nonces) are the ones
 * worth returning to the mempool; of the connected blocks the newest are kept,
 * the head among them (the relay announces it).
 */
import type { Block } from '../ledger/block.js'
import type { HeaderEntry } from './header-index.js'

/**
 * Where a block came from: a peer's gossip, a sync download, our own miner,
 * an API call, or the store itself (a block saved just before a crash and
 * connected at open). Head changes carry it, so the relay can tell news to
 * announce from blocks the mesh already carries.
 */
export type BlockSource = 'gossip' | 'sync' | 'mined' | 'rpc' | 'store'

/** Blocks a head change carries on each side, at most. */
export const HEAD_CHANGE_BLOCKS_MAX = 256
/** Block bytes a head change carries on each side, at most (one block always). */
export const HEAD_CHANGE_BYTES_MAX = 32 * 1024 * 1024

export interface HeadChange {
  /** The source of the import that moved the head. */
  source: BlockSource
  head: HeaderEntry
  /**
   * Blocks that left the main chain, newest first. All of them, unless the
   * reorg is deeper than the window: then the ones nearest the fork.
   */
  disconnected: Block[]
  /** How many blocks left the main chain (at least `disconnected.length`). */
  disconnectedCount: number
  /**
   * Blocks that joined the main chain, oldest first. All of them, unless there
   * are more than the window holds: then the newest, ending with the head.
   */
  connected: Block[]
  /** How many blocks joined the main chain (at least `connected.length`). */
  connectedCount: number
}

/** Reads the blocks of the head change from `from` to `to`, within the window. */
export async function describeHeadChange(
  source: BlockSource,
  from: HeaderEntry,
  to: HeaderEntry,
  fork: HeaderEntry,
  readBlock: (entry: HeaderEntry) => Promise<Block>,
): Promise<HeadChange> {
  const left = branch(from, fork) // newest first
  const joined = branch(to, fork) // newest first
  // The oldest disconnected blocks: read from the fork upwards, then listed newest first.
  const disconnected = (await readWindow(left.reverse(), readBlock)).reverse()
  // The newest connected blocks: read from the head down, then listed oldest first.
  const connected = (await readWindow(joined, readBlock)).reverse()
  return {
    source,
    head: to,
    disconnected,
    disconnectedCount: from.height - fork.height,
    connected,
    connectedCount: to.height - fork.height,
  }
}

/** Entries from `tip` down to (not including) `fork`: references into the header index, no blocks. */
function branch(tip: HeaderEntry, fork: HeaderEntry): HeaderEntry[] {
  const out: HeaderEntry[] = []
  for (let e: HeaderEntry | undefined = tip; e && e !== fork; e = e.parent) out.push(e)
  return out
}

async function readWindow(entries: HeaderEntry[], readBlock: (entry: HeaderEntry) => Promise<Block>): Promise<Block[]> {
  const out: Block[] = []
  let bytes = 0
  for (const entry of entries) {
    if (out.length >= HEAD_CHANGE_BLOCKS_MAX) break
    let block: Block
    try {
      block = await readBlock(entry)
    } catch {
      // A block that cannot be read back (StoreCorruptError) ends the window: the head change is
      // still told, and the read fails loudly wherever the block is needed.
      break
    }
    if (out.length > 0 && bytes + block.bytes.byteLength > HEAD_CHANGE_BYTES_MAX) break
    out.push(block)
    bytes += block.bytes.byteLength
  }
  return out
}
