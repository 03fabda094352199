/**
 * Walks a DAG from its root through the blocks the store holds, within the
 * limits (DAG_DEPTH_MAX, DAG_LINKS_PER_NODE_MAX, DAG_BLOCKS_MAX): what `stat`
 * reports (blocks, held, bytes, complete) and what gc keeps (the keys of the
 * held blocks). A block the store lacks is counted missing and its subtree
 * is unknown; a DAG past a limit is refused with a FilesError naming it.
 */
import type { CID } from 'multiformats/cid'
import { blockLinks } from './block.js'
import { blockKey } from './blockstore.js'
import { FilesError } from './errors.js'
import { DAG_BLOCKS_MAX, DAG_DEPTH_MAX } from './limits.js'

/** What the walk reads: a block's bytes, or undefined when the store lacks it. */
export type BlockReader = (cid: CID) => Promise<Uint8Array | undefined>

export interface DagWalk {
  /** Distinct blocks reached (held or not). */
  blocks: number
  /** Of them, those the store holds. */
  blocksHeld: number
  /** Bytes of the held blocks. */
  bytesHeld: number
  /** Bytes of the held raw blocks: a UnixFS file's content with raw leaves. */
  rawBytesHeld: number
  /** Every block is held (so the whole DAG is known and complete). */
  complete: boolean
  /** The store keys (blockKey) of the held blocks. */
  heldKeys: Set<string>
}

export async function walkDag(root: CID, read: BlockReader): Promise<DagWalk> {
  const seen = new Set<string>()
  const heldKeys = new Set<string>()
  const walk: DagWalk = { blocks: 0, blocksHeld: 0, bytesHeld: 0, rawBytesHeld: 0, complete: true, heldKeys }
  const stack: Array<{ cid: CID; depth: number }> = [{ cid: root, depth: 0 }]
  while (stack.length > 0) {
    const { cid, depth } = stack.pop() as { cid: CID; depth: number }
    // Keyed by multihash, as the store: the same bytes under raw and dag-pb are one block.
    const key = blockKey(cid)
    if (seen.has(key)) continue
    seen.add(key)
    if (seen.size > DAG_BLOCKS_MAX) {
      throw new FilesError(
        'DAG_TOO_LARGE',
        `${root} has more than ${DAG_BLOCKS_MAX} blocks: a DAG may have at most that`,
      )
    }
    walk.blocks++
    const bytes = await read(cid)
    if (bytes === undefined) {
      walk.complete = false
      continue
    }
    walk.blocksHeld++
    walk.bytesHeld += bytes.byteLength
    heldKeys.add(key)
    const links = blockLinks(cid, bytes)
    if (links.length === 0) {
      if (cid.code === 0x55) walk.rawBytesHeld += bytes.byteLength
      continue
    }
    if (depth + 1 > DAG_DEPTH_MAX) {
      throw new FilesError(
        'DAG_TOO_DEEP',
        `${root} is deeper than ${DAG_DEPTH_MAX} levels: a DAG may be at most that deep`,
      )
    }
    for (let i = links.length - 1; i >= 0; i--) stack.push({ cid: links[i] as CID, depth: depth + 1 })
  }
  return walk
}
