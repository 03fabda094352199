/**
 * One block's checks: its CID is one we handle (raw or dag-pb, SHA-256), its
 * bytes are within the size cap and hash to the CID, and a dag-pb block's
 * links are within the width cap. Every block is checked here before it is
 * stored, whoever it came from (an import, a peer).
 */
import { createHash } from 'node:crypto'
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { FilesError } from './errors.js'
import { BLOCK_BYTES_MAX, DAG_LINKS_PER_NODE_MAX } from './limits.js'

export const RAW_CODEC = raw.code
export const DAG_PB_CODEC = dagPb.code
const SHA2_256 = 0x12
const CID_TEXT_CHARS_MAX = 512

/** A CID from its text (CIDv1 base32 "bafy…", or CIDv0 "Qm…"); FilesError BAD_CID otherwise. */
export function parseCid(text: string): CID {
  if (typeof text !== 'string' || text.length === 0 || text.length > CID_TEXT_CHARS_MAX) {
    throw new FilesError('BAD_CID', `a CID is a non-empty string of at most ${CID_TEXT_CHARS_MAX} characters`)
  }
  let cid: CID
  try {
    cid = CID.parse(text)
  } catch (err) {
    throw new FilesError('BAD_CID', `"${text.slice(0, 64)}" is not a CID (${(err as Error).message})`)
  }
  checkCidKind(cid)
  return cid
}

/** Refuses a CID whose codec or hash we do not handle, with what we do handle. */
export function checkCidKind(cid: CID): void {
  if (cid.code !== RAW_CODEC && cid.code !== DAG_PB_CODEC) {
    throw new FilesError(
      'UNKNOWN_CODEC',
      `${cid} has codec 0x${cid.code.toString(16)}: only raw (0x55) and dag-pb (0x70) blocks are handled`,
    )
  }
  if (cid.multihash.code !== SHA2_256) {
    throw new FilesError(
      'UNSUPPORTED_HASH',
      `${cid} is hashed with multihash 0x${cid.multihash.code.toString(16)}: only sha2-256 (0x12) is handled`,
    )
  }
}

/** Throws unless `bytes` is a block we accept under `cid` (kind, size, hash). */
export function verifyBlock(cid: CID, bytes: Uint8Array): void {
  checkCidKind(cid)
  if (bytes.byteLength > BLOCK_BYTES_MAX) {
    throw new FilesError(
      'BLOCK_TOO_LARGE',
      `${cid} is ${bytes.byteLength} bytes: blocks are at most ${BLOCK_BYTES_MAX}`,
    )
  }
  const digest = createHash('sha256').update(bytes).digest()
  if (!equalBytes(digest, cid.multihash.digest)) {
    throw new FilesError('HASH_MISMATCH', `the bytes given for ${cid} do not hash to it`)
  }
}

/** The CIDs a block links to (none for a raw block), each of a kind we handle; at most DAG_LINKS_PER_NODE_MAX. */
export function blockLinks(cid: CID, bytes: Uint8Array): CID[] {
  if (cid.code === RAW_CODEC) return []
  checkCidKind(cid)
  let node: dagPb.PBNode
  try {
    node = dagPb.decode(bytes)
  } catch (err) {
    throw new FilesError('BAD_BLOCK', `${cid} is not a dag-pb node (${(err as Error).message})`)
  }
  if (node.Links.length > DAG_LINKS_PER_NODE_MAX) {
    throw new FilesError(
      'DAG_TOO_WIDE',
      `${cid} has ${node.Links.length} links: a node may have at most ${DAG_LINKS_PER_NODE_MAX}`,
    )
  }
  return node.Links.map((link) => {
    checkCidKind(link.Hash)
    return link.Hash
  })
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
