/**
 * The DAG walk: counts held and missing blocks (stat's completeness), and
 * refuses a DAG past the documented limits — too deep, too wide, an unknown
 * codec, a block that is not dag-pb — with a FilesError naming the limit.
 */
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { walkDag } from '../../../src/files/dag-walk.js'
import { FilesError } from '../../../src/files/errors.js'
import { DAG_DEPTH_MAX, DAG_LINKS_PER_NODE_MAX } from '../../../src/files/limits.js'
import { patternBytes } from './fixtures.js'

class Blocks {
  readonly map = new Map<string, Uint8Array>()
  read = async (cid: CID): Promise<Uint8Array | undefined> => this.map.get(cid.toString())

  async raw(bytes: Uint8Array): Promise<CID> {
    const cid = CID.createV1(raw.code, await sha256.digest(bytes))
    this.map.set(cid.toString(), bytes)
    return cid
  }

  async node(links: CID[], data = new Uint8Array([8, 2])): Promise<CID> {
    const bytes = dagPb.encode(dagPb.prepare({ Data: data, Links: links.map((Hash, i) => ({ Hash, Name: `l${i}` })) }))
    const cid = CID.createV1(dagPb.code, await sha256.digest(bytes))
    this.map.set(cid.toString(), bytes)
    return cid
  }
}

describe('walkDag', () => {
  it('counts every block, the held ones and their bytes, and says whether the DAG is complete', async () => {
    const blocks = new Blocks()
    const leaves = await Promise.all([1, 2, 3].map((i) => blocks.raw(patternBytes(100 * i, `leaf${i}`))))
    const root = await blocks.node(leaves)
    const full = await walkDag(root, blocks.read)
    expect(full).toMatchObject({ blocks: 4, blocksHeld: 4, rawBytesHeld: 600, complete: true })
    blocks.map.delete((leaves[1] as CID).toString())
    const partial = await walkDag(root, blocks.read)
    expect(partial).toMatchObject({ blocks: 4, blocksHeld: 3, rawBytesHeld: 400, complete: false })
    expect(partial.heldKeys.size).toBe(3)
    const absent = CID.createV1(raw.code, await sha256.digest(new Uint8Array([1])))
    const missingRoot = await walkDag(absent, blocks.read)
    expect(missingRoot).toMatchObject({ blocks: 1, blocksHeld: 0, complete: false })
  })

  it('counts a block linked twice once', async () => {
    const blocks = new Blocks()
    const leaf = await blocks.raw(patternBytes(64))
    const root = await blocks.node([leaf, leaf, leaf])
    expect(await walkDag(root, blocks.read)).toMatchObject({ blocks: 2, rawBytesHeld: 64 })
  })

  it(`refuses a DAG deeper than DAG_DEPTH_MAX (${DAG_DEPTH_MAX}) levels, and walks one exactly that deep`, async () => {
    const blocks = new Blocks()
    let cid = await blocks.raw(patternBytes(10))
    for (let level = 0; level < DAG_DEPTH_MAX; level++) cid = await blocks.node([cid])
    expect((await walkDag(cid, blocks.read)).blocks).toBe(DAG_DEPTH_MAX + 1)
    const deeper = await blocks.node([cid])
    const walk = walkDag(deeper, blocks.read)
    await expect(walk).rejects.toBeInstanceOf(FilesError)
    await expect(walk).rejects.toThrow(`DAG_TOO_DEEP: ${deeper} is deeper than ${DAG_DEPTH_MAX} levels`)
  })

  it(`refuses a node with more than DAG_LINKS_PER_NODE_MAX (${DAG_LINKS_PER_NODE_MAX}) links`, async () => {
    const blocks = new Blocks()
    const leaf = await blocks.raw(patternBytes(10))
    const wide = await blocks.node(new Array(DAG_LINKS_PER_NODE_MAX + 1).fill(leaf))
    await expect(walkDag(wide, blocks.read)).rejects.toMatchObject({ code: 'DAG_TOO_WIDE' })
    const widest = await blocks.node(new Array(DAG_LINKS_PER_NODE_MAX).fill(leaf))
    expect((await walkDag(widest, blocks.read)).complete).toBe(true)
  })

  it('refuses a link of an unknown codec, and a dag-pb CID whose block does not decode', async () => {
    const blocks = new Blocks()
    const cbor = CID.createV1(0x71, await sha256.digest(new Uint8Array([0xa0])))
    const root = await blocks.node([cbor])
    await expect(walkDag(root, blocks.read)).rejects.toThrow(/UNKNOWN_CODEC: .* has codec 0x71/)
    const junk = new Uint8Array([0xff, 0xff, 0xff])
    const junkCid = CID.createV1(dagPb.code, await sha256.digest(junk))
    blocks.map.set(junkCid.toString(), junk)
    await expect(walkDag(junkCid, blocks.read)).rejects.toMatchObject({ code: 'BAD_BLOCK' })
  })
})
