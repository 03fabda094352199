/**
 * A UnixFS DAG as the exchange walks it: a raw block is a leaf; a dag-pb
 * block must carry UnixFS data and its links are the blocks below it. Every
 * link is checked (codec, hash, DAG_LINKS_MAX links, DAG_DEPTH_MAX levels)
 * before anything is asked for it. A block reaching here already matched its
 * CID, so a fault is the DAG's own (its author's), never the sender's.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import type { CID } from 'multiformats/cid'
import { checkCid, DAG_PB_CODE } from './cid.js'
import { FilesCidError, FilesDagError } from './errors.js'
import { DAG_DEPTH_MAX, DAG_LINKS_MAX } from './limits.js'

export interface DagLink {
  cid: CID
  /** The link's Tsize: the bytes of the block and all below it, as its parent says (a hint, for progress only). */
  sizeHint: number
}

export interface DagNode {
  /** The blocks below, in link order. */
  children: DagLink[]
  /** The UnixFS type (`file`, `directory`, `hamt-sharded-directory`…); `raw` for a raw block. */
  type: string
  /** A file's size in bytes (data in this node and below), when the node is a file. */
  fileBytes?: number
}

/** Decodes a verified block at `depth` (the root is 0) into its children; throws FilesDagError. */
export function decodeDagNode(cid: CID, bytes: Uint8Array, depth: number): DagNode {
  if (cid.code !== DAG_PB_CODE) return { children: [], type: 'raw', fileBytes: bytes.byteLength }
  let node: dagPb.PBNode
  try {
    node = dagPb.decode(bytes)
  } catch (err) {
    throw new FilesDagError('DAG_MALFORMED', `${cid}: not dag-pb: ${(err as Error).message}`)
  }
  if (node.Data === undefined) throw new FilesDagError('DAG_NOT_UNIXFS', `${cid}: a dag-pb node without UnixFS data`)
  let unixfs: UnixFS
  try {
    unixfs = UnixFS.unmarshal(node.Data)
  } catch (err) {
    throw new FilesDagError('DAG_NOT_UNIXFS', `${cid}: ${(err as Error).message}`)
  }
  if (node.Links.length > 0 && depth >= DAG_DEPTH_MAX) {
    throw new FilesDagError('DAG_TOO_DEEP', `${cid}: links below depth ${depth}; at most ${DAG_DEPTH_MAX} levels`)
  }
  if (node.Links.length > DAG_LINKS_MAX) {
    throw new FilesDagError('DAG_TOO_WIDE', `${cid}: ${node.Links.length} links > ${DAG_LINKS_MAX}`)
  }
  const children = node.Links.map((link) => {
    try {
      return { cid: checkCid(link.Hash), sizeHint: link.Tsize ?? 0 }
    } catch (err) {
      if (err instanceof FilesCidError) throw new FilesCidError(err.code, `${cid} links to ${err.message}`)
      throw err
    }
  })
  const isFile = unixfs.type === 'file' || unixfs.type === 'raw'
  return { children, type: unixfs.type, ...(isFile ? { fileBytes: Number(unixfs.fileSize()) } : {}) }
}
