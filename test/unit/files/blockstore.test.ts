/**
 * The block store: a block is stored only when its bytes hash to its CID
 * and its kind and size are ones we handle; batches are written whole; a
 * disk below the free-space floor stops writes with DISK_FULL and leaves
 * every stored block intact; blocks written by our batches are the ones
 * blockstore-level reads.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LevelBlockstore } from 'blockstore-level'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { identity as identityHash } from 'multiformats/hashes/identity'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileBlockstore, writeFailure } from '../../../src/files/blockstore.js'
import { FilesError } from '../../../src/files/errors.js'
import { BLOCK_BYTES_MAX, DISK_CHECK_EVERY_BYTES } from '../../../src/files/limits.js'
import { ampleDisk, patternBytes } from './fixtures.js'

async function rawBlock(bytes: Uint8Array): Promise<{ cid: CID; bytes: Uint8Array }> {
  return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes }
}

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerchain-blocks-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('FileBlockstore', () => {
  it('stores a block whose bytes hash to its CID, given whole or in chunks, and reads it back', async () => {
    const store = await FileBlockstore.open(join(dir, 'b'), { diskFreeBytes: ampleDisk })
    const a = await rawBlock(patternBytes(1000, 'a'))
    const b = await rawBlock(patternBytes(3000, 'b'))
    await store.put(a.cid, a.bytes)
    await store.put(b.cid, chunks(b.bytes.subarray(0, 1000), b.bytes.subarray(1000)))
    expect(await store.has(a.cid)).toBe(true)
    expect(await store.getBytes(b.cid)).toEqual(b.bytes)
    expect(store.counters).toEqual({ blocksWritten: 2, bytesWritten: 4000 })
    await store.close()
  })

  it('refuses bytes that do not hash to the CID, and stores nothing', async () => {
    const store = await FileBlockstore.open(join(dir, 'b'), { diskFreeBytes: ampleDisk })
    const a = await rawBlock(patternBytes(1000, 'a'))
    const lie = patternBytes(1000, 'lie')
    await expect(store.put(a.cid, lie)).rejects.toMatchObject({ code: 'HASH_MISMATCH' })
    expect(await store.has(a.cid)).toBe(false)
    await expect(store.getBytes(a.cid)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await store.close()
  })

  it('refuses an unknown codec, a hash other than SHA-256 and a block over the cap, each with its code', async () => {
    const store = await FileBlockstore.open(join(dir, 'b'), { diskFreeBytes: ampleDisk })
    const bytes = patternBytes(100)
    const digest = await sha256.digest(bytes)
    const dagCbor = CID.createV1(0x71, digest)
    await expect(store.put(dagCbor, bytes)).rejects.toThrow(/UNKNOWN_CODEC: .*only raw \(0x55\) and dag-pb \(0x70\)/)
    const identity = CID.createV1(raw.code, identityHash.digest(bytes))
    await expect(store.put(identity, bytes)).rejects.toMatchObject({ code: 'UNSUPPORTED_HASH' })
    const big = patternBytes(BLOCK_BYTES_MAX + 1)
    const bigCid = CID.createV1(raw.code, await sha256.digest(big))
    await expect(store.put(bigCid, big)).rejects.toMatchObject({ code: 'BLOCK_TOO_LARGE' })
    await expect(
      store.put(bigCid, chunks(big.subarray(0, BLOCK_BYTES_MAX), big.subarray(BLOCK_BYTES_MAX))),
    ).rejects.toMatchObject({
      code: 'BLOCK_TOO_LARGE',
    })
    await store.close()
  })

  it('writes putMany in batches blockstore-level reads, and a batch with one bad block writes none of it', async () => {
    const path = join(dir, 'b')
    const store = await FileBlockstore.open(path, { diskFreeBytes: ampleDisk })
    const good = await Promise.all([1, 2, 3].map((i) => rawBlock(patternBytes(500, `g${i}`))))
    const written: CID[] = []
    for await (const cid of store.putMany(good)) written.push(cid)
    expect(written.map(String)).toEqual(good.map((g) => g.cid.toString()))
    const fresh = await rawBlock(patternBytes(500, 'fresh'))
    const bad = { cid: (await rawBlock(patternBytes(500, 'x'))).cid, bytes: patternBytes(500, 'not x') }
    const drain = async () => {
      for await (const _ of store.putMany([fresh, bad])) {
        // nothing: the batch is refused before it is written
      }
    }
    await expect(drain()).rejects.toMatchObject({ code: 'HASH_MISMATCH' })
    expect(await store.has(fresh.cid)).toBe(false)
    await store.close()
    // The same LevelDB through blockstore-level alone: our keys are its keys.
    const plain = new LevelBlockstore(path)
    await plain.open()
    for (const g of good) expect(await plain.has(g.cid)).toBe(true)
    await plain.close()
  })

  it('stops writing with DISK_FULL below the free-space floor, keeping every block it stored', async () => {
    let free = 200 * 1024 * 1024
    const path = join(dir, 'b')
    const store = await FileBlockstore.open(path, {
      diskFreeBytes: async () => free,
      diskFreeBytesMin: 100 * 1024 * 1024,
    })
    const before = await Promise.all([1, 2].map((i) => rawBlock(patternBytes(1000, `k${i}`))))
    for (const b of before) await store.put(b.cid, b.bytes)
    free = 50 * 1024 * 1024
    // The free space is asked again once DISK_CHECK_EVERY_BYTES were written since the last ask.
    let refused: unknown
    for (let i = 0; i <= DISK_CHECK_EVERY_BYTES / BLOCK_BYTES_MAX + 1 && refused === undefined; i++) {
      const block = await rawBlock(new Uint8Array(BLOCK_BYTES_MAX).fill(i + 1))
      await store.put(block.cid, block.bytes).catch((err: unknown) => {
        refused = err
      })
    }
    expect(refused).toBeInstanceOf(FilesError)
    expect(refused).toMatchObject({ code: 'DISK_FULL' })
    await store.close()
    const reopened = await FileBlockstore.open(path, { diskFreeBytes: ampleDisk })
    for (const b of before) expect(await reopened.getBytes(b.cid)).toEqual(b.bytes)
    await reopened.close()
  })

  it('names a LevelDB write error for a full disk DISK_FULL, any other WRITE_FAILED', () => {
    const enospc = Object.assign(new Error('IO error: /data/000012.log: No space left on device'), {
      code: 'LEVEL_IO_ERROR',
    })
    expect(writeFailure(enospc).code).toBe('DISK_FULL')
    expect(writeFailure(new Error('Corruption: checksum mismatch')).code).toBe('WRITE_FAILED')
  })
})
