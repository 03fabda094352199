/**
 * The file service over a real block store: add pins and indexes a root;
 * stat reports completeness; gc removes unpinned blocks and never a pinned
 * DAG's; export writes identical bytes; get runs a download through the
 * injected fetcher (joined when asked twice, resumed from the blocks an
 * interrupted one kept); uploads are capped.
 */
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CID } from 'multiformats/cid'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { blockLinks, parseCid } from '../../../src/files/block.js'
import { FileBlockstore } from '../../../src/files/blockstore.js'
import type { DagFetcher, FetchProgress } from '../../../src/files/fetcher.js'
import { FILE_CHUNK_BYTES, UPLOAD_BYTES_MAX } from '../../../src/files/limits.js'
import { RootsIndex } from '../../../src/files/roots-index.js'
import { FilesService } from '../../../src/files/service.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { ManualClock } from '../../../src/util/clock.js'
import { ampleDisk, patternBytes } from './fixtures.js'

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

let dir: string
const opened: Array<{ blockstore: FileBlockstore; index: RootsIndex; service: FilesService; held: string[] }> = []

async function openService(name: string, fetcher?: DagFetcher, diskFreeBytes = ampleDisk) {
  const blockstore = await FileBlockstore.open(join(dir, name, 'blocks'), { diskFreeBytes })
  const index = await RootsIndex.open(new MemoryStore())
  const held: string[] = []
  const onRootHeld = (cid: CID) => held.push(cid.toString())
  const service = new FilesService({ blockstore, index, clock: new ManualClock(1_000_000), fetcher, onRootHeld })
  const node = { blockstore, index, service, held }
  opened.push(node)
  return node
}

/** A fetcher that copies blocks from `source` depth first, failing (once) after `failAfter` blocks when set. */
function copyingFetcher(source: FileBlockstore, options: { failAfter?: number } = {}) {
  const fetched: string[] = []
  let failAfter = options.failAfter
  const fetcher: DagFetcher = {
    async fetch(root, { store, onProgress, signal }) {
      const progress: FetchProgress = { blocksDone: 0, blocksKnown: 1, bytesDone: 0, bytesFetched: 0, providers: 1 }
      const stack: CID[] = [root]
      while (stack.length > 0) {
        signal.throwIfAborted()
        const cid = stack.pop() as CID
        let bytes: Uint8Array | undefined = await store.get(cid)
        if (!bytes) {
          if (failAfter !== undefined && fetched.length >= failAfter) {
            failAfter = undefined
            throw new Error('the provider went away')
          }
          bytes = await source.getBytes(cid)
          await store.put(cid, bytes)
          fetched.push(cid.toString())
          progress.bytesFetched += bytes.byteLength
        }
        const links = blockLinks(cid, bytes)
        progress.blocksDone++
        progress.blocksKnown += links.length
        progress.bytesDone += bytes.byteLength
        onProgress({ ...progress })
        stack.push(...links)
      }
    },
  }
  return { fetcher, fetched }
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerchain-files-'))
})

afterEach(async () => {
  for (const { blockstore, index, service } of opened.splice(0)) {
    await service.stop()
    await blockstore.close()
    await index.close()
  }
  await rm(dir, { recursive: true, force: true })
})

describe('FilesService', () => {
  it('adds a file pinned and indexed; stat, list and pins show it complete', async () => {
    const { service } = await openService('a')
    const bytes = patternBytes(2 * FILE_CHUNK_BYTES + 99)
    const path = join(dir, 'movie.bin')
    await writeFile(path, bytes)
    const added = await service.add(path)
    expect(added).toMatchObject({
      name: 'movie.bin',
      sizeBytes: bytes.byteLength,
      pinned: true,
      source: 'added',
      kind: 'file',
    })
    expect(added.addedAtMs).toBe(1_000_000)
    const stat = await service.stat(added.cid)
    expect(stat).toMatchObject({ blocks: 4, blocksHeld: 4, complete: true, pinned: true, indexed: true })
    expect(stat.sizeBytes).toBe(bytes.byteLength)
    expect(service.list().map((r) => r.cid)).toEqual([added.cid])
    expect(service.pins().map((r) => r.cid)).toEqual([added.cid])
    const held: string[] = []
    for await (const cid of service.heldRoots()) held.push(cid.toString())
    expect(held).toEqual([added.cid])
  })

  it('refuses a bad CID, an unknown codec and an upload over the cap with typed errors', async () => {
    const { service } = await openService('a')
    await expect(service.stat('not-a-cid')).rejects.toMatchObject({ code: 'BAD_CID' })
    // bafyrei… is dag-cbor (0x71)
    await expect(service.stat('bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')).rejects.toMatchObject({
      code: 'UNKNOWN_CODEC',
    })
    await expect(service.addBytes(new Uint8Array(UPLOAD_BYTES_MAX + 1), 'big')).rejects.toMatchObject({
      code: 'TOO_LARGE',
    })
    const small = await service.addBytes(new TextEncoder().encode('hello'), 'hello.txt')
    expect(small).toMatchObject({ name: 'hello.txt', sizeBytes: 5 })
  })

  it('gc removes the blocks of unpinned roots and never a pinned DAG’s', async () => {
    const { service, blockstore } = await openService('a')
    const keep = await service.addBytes(patternBytes(UPLOAD_BYTES_MAX, 'keep'), 'keep')
    const drop = await service.addBytes(patternBytes(UPLOAD_BYTES_MAX, 'drop'), 'drop')
    // A block shared by both DAGs stays while one pinned root reaches it.
    const shared = await service.addBytes(patternBytes(FILE_CHUNK_BYTES, 'keep'), 'shared-chunk')
    await service.unpin(shared.cid)
    await service.unpin(drop.cid)
    await expect(service.unpin(drop.cid)).rejects.toMatchObject({ code: 'NOT_PINNED' })
    const gc = await service.gc()
    // keep: two chunks and its root; drop: the same, all removed; shared: keep's first chunk, kept.
    expect(gc).toMatchObject({ blocksRemoved: 3, rootsRemoved: 2, blocksKept: 3 })
    expect(gc.bytesRemoved).toBeGreaterThan(2 * FILE_CHUNK_BYTES)
    expect(gc.bytesRemoved).toBeLessThan(2 * FILE_CHUNK_BYTES + 1024)
    expect((await service.stat(keep.cid)).complete).toBe(true)
    expect((await service.stat(drop.cid)).complete).toBe(false)
    expect((await service.stat(shared.cid)).complete).toBe(true)
    expect(service.list().map((r) => r.name)).toEqual(['keep'])
    expect(blockstore.counters.blocksWritten).toBe(6)
  })

  it('exports a file and a directory with identical bytes, and refuses an existing target or an incomplete DAG', async () => {
    const { service } = await openService('a')
    const tree = join(dir, 'tree')
    await mkdir(join(tree, 'sub'), { recursive: true })
    const big = patternBytes(3 * FILE_CHUNK_BYTES + 5)
    await writeFile(join(tree, 'big.bin'), big)
    await writeFile(join(tree, 'sub', 'note.txt'), 'note\n')
    const added = await service.add(tree)
    const out = join(dir, 'out')
    const exported = await service.export(added.cid, out)
    expect(exported).toMatchObject({ files: 2, bytes: big.byteLength + 5 })
    expect(sha(await readFile(join(out, 'big.bin')))).toBe(sha(big))
    expect(await readFile(join(out, 'sub', 'note.txt'), 'utf8')).toBe('note\n')
    await expect(service.export(added.cid, out)).rejects.toMatchObject({ code: 'BAD_PATH' })
    const other = await openService('b')
    await expect(other.service.export(added.cid, join(dir, 'out2'))).rejects.toMatchObject({ code: 'INCOMPLETE' })
  })

  it('gets a DAG through the fetcher: joined when asked twice, then done, complete and pinned', async () => {
    const seed = await openService('seed')
    const bytes = patternBytes(5 * FILE_CHUNK_BYTES)
    await writeFile(join(dir, 'f.bin'), bytes)
    const added = await seed.service.add(join(dir, 'f.bin'))
    const { fetcher, fetched } = copyingFetcher(seed.blockstore)
    const leech = await openService('leech', fetcher)
    const first = await leech.service.get(added.cid)
    const second = await leech.service.get(added.cid)
    expect(first.state).toBe('running')
    expect(second.state).toBe('running')
    await waitDone(leech.service, added.cid)
    expect(fetched.length).toBe(6)
    const done = leech.service.download(added.cid)
    expect(done).toMatchObject({ state: 'done', blocksDone: 6, etaSeconds: 0 })
    expect(await leech.service.stat(added.cid)).toMatchObject({
      complete: true,
      pinned: true,
      sizeBytes: bytes.byteLength,
    })
    expect(leech.service.list()[0]).toMatchObject({ source: 'downloaded', sizeBytes: bytes.byteLength })
    // Held whole: announced once, when it completed (the seed announced it when added).
    expect(leech.held).toEqual([added.cid])
    expect(seed.held).toEqual([added.cid])
    await leech.service.export(added.cid, join(dir, 'got.bin'))
    expect(sha(await readFile(join(dir, 'got.bin')))).toBe(sha(bytes))
  })

  it('keeps the verified blocks of an interrupted download, so the next get fetches only the rest', async () => {
    const seed = await openService('seed')
    await writeFile(join(dir, 'f.bin'), patternBytes(9 * FILE_CHUNK_BYTES))
    const added = await seed.service.add(join(dir, 'f.bin'))
    const { fetcher, fetched } = copyingFetcher(seed.blockstore, { failAfter: 5 })
    const leech = await openService('leech', fetcher)
    await leech.service.get(added.cid)
    await waitDone(leech.service, added.cid)
    expect(leech.service.download(added.cid)).toMatchObject({ state: 'failed', error: { code: 'DOWNLOAD_FAILED' } })
    expect(fetched.length).toBe(5)
    // gc keeps them: the root was pinned when the download started.
    await leech.service.gc()
    expect((await leech.service.stat(added.cid)).blocksHeld).toBe(5)
    await leech.service.get(added.cid)
    await waitDone(leech.service, added.cid)
    expect(leech.service.download(added.cid)?.state).toBe('done')
    expect(fetched.length).toBe(10)
    expect(new Set(fetched).size).toBe(10)
  })

  it('stops a download cleanly on a full disk: failed with DISK_FULL, every stored block whole', async () => {
    const seed = await openService('seed')
    await writeFile(join(dir, 'f.bin'), patternBytes(80 * FILE_CHUNK_BYTES))
    const added = await seed.service.add(join(dir, 'f.bin'))
    const { fetcher, fetched } = copyingFetcher(seed.blockstore)
    // 20 MiB of room above the floor: the check after the first 16 MiB finds it gone.
    let free = 64 * 1024 * 1024 + 20 * 1024 * 1024
    const leech = await openService('leech', fetcher, async () => free)
    const original = leech.blockstore.put.bind(leech.blockstore)
    leech.blockstore.put = async (cid, bytes, options) => {
      const stored = await original(cid, bytes, options)
      free -= 1024 * 1024
      return stored
    }
    await leech.service.get(added.cid)
    const ended = await leech.service.downloadSettled(added.cid)
    expect(ended).toMatchObject({ state: 'failed', error: { code: 'DISK_FULL' } })
    expect(fetched.length).toBeGreaterThan(0)
    expect(fetched.length).toBeLessThan(81)
    const stat = await leech.service.stat(added.cid)
    expect(stat.complete).toBe(false)
    expect(stat.blocksHeld).toBe(fetched.length)
    for (const text of fetched) {
      const cid = parseCid(text)
      expect(sha(await leech.blockstore.getBytes(cid))).toBe(sha(await seed.blockstore.getBytes(cid)))
    }
  })

  it('fails get without a downloader, and refuses gc while a download runs', async () => {
    const { service } = await openService('a')
    const cid = (await service.addBytes(patternBytes(10), 'x')).cid
    await expect(service.get(cid)).rejects.toMatchObject({ code: 'DOWNLOAD_FAILED' })
    let release: () => void = () => undefined
    const stalled: DagFetcher = {
      fetch: (_root, { signal }) =>
        new Promise<void>((resolve, reject) => {
          release = resolve
          signal.addEventListener('abort', () => reject(signal.reason))
        }),
    }
    const waiting = await openService('b', stalled)
    await waiting.service.get(cid)
    await expect(waiting.service.gc()).rejects.toMatchObject({ code: 'BUSY' })
    release()
  })
})

async function waitDone(service: FilesService, cid: string): Promise<void> {
  expect(await service.downloadSettled(cid)).toBeDefined()
}
