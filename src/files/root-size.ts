/**
 * A root's content size read from the root block alone: a raw block's
 * length, or a UnixFS file node's `fileSize`. Undefined for a directory, a
 * root the store lacks, or a node that is not a UnixFS file.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import type { CID } from 'multiformats/cid'
import { RAW_CODEC } from './block.js'
import type { BlockReader } from './dag-walk.js'

export async function rootSizeBytes(cid: CID, read: BlockReader): Promise<number | undefined> {
  const bytes = await read(cid)
  if (bytes === undefined) return undefined
  if (cid.code === RAW_CODEC) return bytes.byteLength
  try {
    const node = dagPb.decode(bytes)
    if (node.Data === undefined) return undefined
    const unixfs = UnixFS.unmarshal(node.Data)
    return unixfs.type === 'file' || unixfs.type === 'raw' ? Number(unixfs.fileSize()) : undefined
  } catch {
    return undefined
  }
}
