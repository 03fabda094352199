/**
 * Import: our importer options give the CIDs Helia's @helia/unixfs computes
 * for the same bytes and options, for a file and a directory, and the
 * options themselves are the ones the issue names (CIDv1, raw leaves,
 * 256 KiB fixed-size chunks).
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { globSource, unixfs } from '@helia/unixfs'
import { MemoryBlockstore } from 'blockstore-core/memory'
import * as raw from 'multiformats/codecs/raw'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileBlockstore } from '../../../src/files/blockstore.js'
import { FilesError } from '../../../src/files/errors.js'
import { importBytes, importOptions, importPath } from '../../../src/files/import.js'
import { FILE_CHUNK_BYTES } from '../../../src/files/limits.js'
import { ampleDisk, patternBytes } from './fixtures.js'

/** Our options as @helia/unixfs takes them (its progress events are a wider type; we pass none). */
function heliaOptions() {
  const { onProgress: _none, ...options } = importOptions()
  return options
}

let dir: string
let store: FileBlockstore

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerchain-import-'))
  store = await FileBlockstore.open(join(dir, 'blocks'), { diskFreeBytes: ampleDisk })
})

afterEach(async () => {
  await store.close()
  await rm(dir, { recursive: true, force: true })
})

describe('import', () => {
  it('spells out the layout: CIDv1, raw leaves, 256 KiB fixed chunks', async () => {
    const options = importOptions()
    expect(options.cidVersion).toBe(1)
    expect(options.rawLeaves).toBe(true)
    expect(FILE_CHUNK_BYTES).toBe(262_144)
    // Two full chunks and a bit: the root links three raw leaves of 256 KiB, 256 KiB and 10 bytes.
    const imported = await importBytes(patternBytes(2 * FILE_CHUNK_BYTES + 10), store, 'x')
    expect(imported.cid.version).toBe(1)
    const leaves: number[] = []
    for await (const { cid, bytes } of store.getAll()) {
      let length = 0
      for await (const part of bytes) length += part.byteLength
      if (!cid.multihash.bytes.every((b, i) => b === imported.cid.multihash.bytes[i])) leaves.push(length)
    }
    expect(leaves.sort((a, b) => a - b)).toEqual([10, FILE_CHUNK_BYTES, FILE_CHUNK_BYTES])
  })

  it('gives a file the CID Helia computes for the same bytes and options', async () => {
    const bytes = patternBytes(3 * FILE_CHUNK_BYTES + 12_345)
    const path = join(dir, 'file.bin')
    await writeFile(path, bytes)
    const ours = await importPath(path, store)
    const helia = unixfs({ blockstore: new MemoryBlockstore() })
    const theirs = await helia.addBytes(bytes, heliaOptions())
    expect(ours.cid.toString()).toBe(theirs.toString())
    expect(ours).toMatchObject({ name: 'file.bin', sizeBytes: bytes.byteLength, kind: 'file' })
    // A file of one chunk is its raw leaf itself.
    const small = await importBytes(patternBytes(100), store, 'small')
    expect(small.cid.code).toBe(raw.code)
    expect(small.cid.toString()).toBe((await helia.addBytes(patternBytes(100), heliaOptions())).toString())
  })

  it('gives a directory the CID Helia computes from the same tree', async () => {
    const root = join(dir, 'tree')
    await mkdir(join(root, 'sub', 'deeper'), { recursive: true })
    await mkdir(join(root, 'empty'))
    await writeFile(join(root, 'b.txt'), 'bee\n')
    await writeFile(join(root, 'a.bin'), patternBytes(FILE_CHUNK_BYTES + 7, 'a'))
    await writeFile(join(root, 'sub', 'c.txt'), 'sea\n')
    await writeFile(join(root, 'sub', 'deeper', 'd.bin'), patternBytes(5000, 'd'))
    const ours = await importPath(root, store)
    const helia = unixfs({ blockstore: new MemoryBlockstore() })
    let theirs: string | undefined
    for await (const entry of helia.addAll(
      (async function* () {
        yield { path: 'tree' }
        yield* globSource(dir, 'tree/**/*')
      })(),
      heliaOptions(),
    )) {
      if (entry.path === 'tree') theirs = entry.cid.toString()
    }
    expect(theirs).toBeDefined()
    expect(ours.cid.toString()).toBe(theirs)
    expect(ours).toMatchObject({ name: 'tree', kind: 'directory', sizeBytes: 4 + FILE_CHUNK_BYTES + 7 + 4 + 5000 })
  })

  it('imports a symlink as a UnixFS symlink, and refuses a path that is not there', async () => {
    const root = join(dir, 'links')
    await mkdir(root)
    await writeFile(join(root, 'target.txt'), 'x')
    await symlink('target.txt', join(root, 'link'))
    const withLink = await importPath(root, store)
    await rm(join(root, 'link'))
    const without = await importPath(root, store)
    expect(withLink.cid.toString()).not.toBe(without.cid.toString())
    const missing = importPath(join(dir, 'nope'), store)
    await expect(missing).rejects.toBeInstanceOf(FilesError)
    await expect(missing).rejects.toMatchObject({ code: 'BAD_PATH' })
  })
})
