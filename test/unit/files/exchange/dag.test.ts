/** Walking a UnixFS DAG: children in link order, and the depth, width, codec and UnixFS checks with their codes. */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { decodeDagNode } from '../../../../src/files/exchange/dag.js'
import { FilesCidError, FilesDagError } from '../../../../src/files/exchange/errors.js'
import { DAG_DEPTH_MAX, DAG_LINKS_MAX } from '../../../../src/files/exchange/limits.js'

const leaf = (n: number): CID => CID.createV1(raw.code, sha256.digest(Uint8Array.of(n & 0xff, n >> 8)) as never)

/** A dag-pb node over `links` with `data` (a UnixFS file's by default; null: no Data field). */
function node(
  links: CID[],
  data: Uint8Array | null = new UnixFS({ type: 'file' }).marshal(),
): { cid: CID; bytes: Uint8Array } {
  const Links = links.map((Hash) => ({ Hash, Tsize: 10 }))
  const bytes = dagPb.encode(data === null ? { Links } : { Data: data, Links })
  return { cid: CID.createV1(dagPb.code, sha256.digest(bytes) as never), bytes }
}

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof FilesDagError || err instanceof FilesCidError) return err.code
    throw err
  }
  throw new Error('expected a refusal')
}

describe('decodeDagNode', () => {
  it('gives a file node its children in link order, with their size hints', () => {
    const links = [leaf(1), leaf(2), leaf(3)]
    const { cid, bytes } = node(links)
    const decoded = decodeDagNode(cid, bytes, 0)
    expect(decoded.children.map((c) => c.cid.toString())).toEqual(links.map(String))
    expect(decoded.children.map((c) => c.sizeHint)).toEqual([10, 10, 10])
    expect(decoded.type).toBe('file')
  })

  it('treats a raw block as a leaf', () => {
    const bytes = Uint8Array.of(1, 2, 3)
    expect(decodeDagNode(leaf(9), bytes, 5)).toEqual({ children: [], type: 'raw', fileBytes: 3 })
  })

  it(`refuses links below depth ${DAG_DEPTH_MAX}, and allows them just above`, () => {
    const { cid, bytes } = node([leaf(1)])
    expect(decodeDagNode(cid, bytes, DAG_DEPTH_MAX - 1).children).toHaveLength(1)
    expect(codeOf(() => decodeDagNode(cid, bytes, DAG_DEPTH_MAX))).toBe('DAG_TOO_DEEP')
  })

  it(`refuses a node of more than ${DAG_LINKS_MAX} links`, () => {
    const wide = node(Array.from({ length: DAG_LINKS_MAX + 1 }, (_, i) => leaf(i)))
    expect(codeOf(() => decodeDagNode(wide.cid, wide.bytes, 0))).toBe('DAG_TOO_WIDE')
    const full = node(Array.from({ length: DAG_LINKS_MAX }, (_, i) => leaf(i)))
    expect(decodeDagNode(full.cid, full.bytes, 0).children).toHaveLength(DAG_LINKS_MAX)
  })

  it('refuses a link to a CID of an unknown codec, a node without UnixFS data, and bytes that are not dag-pb', () => {
    const cbor = CID.createV1(0x71, sha256.digest(Uint8Array.of(1)) as never)
    const withCbor = node([cbor])
    expect(codeOf(() => decodeDagNode(withCbor.cid, withCbor.bytes, 0))).toBe('CID_UNSUPPORTED_CODEC')
    const bare = node([leaf(1)], null)
    expect(codeOf(() => decodeDagNode(bare.cid, bare.bytes, 0))).toBe('DAG_NOT_UNIXFS')
    const junkData = node([leaf(1)], Uint8Array.of(0xff, 0xff))
    expect(codeOf(() => decodeDagNode(junkData.cid, junkData.bytes, 0))).toBe('DAG_NOT_UNIXFS')
    expect(codeOf(() => decodeDagNode(withCbor.cid, Uint8Array.of(0xff, 0x01), 0))).toBe('DAG_MALFORMED')
  })
})
