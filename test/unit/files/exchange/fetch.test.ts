/**
 * fetchDag over a fake network of providers in virtual time (helpers.ts):
 * shares, faults (a liar, a provider that vanishes, one that stalls), resume,
 * endgame and its duplicates, and the memory bound.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { FilesCidError, type FilesDagError, FilesFetchError } from '../../../../src/files/exchange/errors.js'
import { combineProviders, type FetchDagOptions, fetchDag } from '../../../../src/files/exchange/fetch.js'
import type { FetchProgress } from '../../../../src/files/exchange/progress.js'
import { FakeFilesNet, fixedProviders, MapStore, makeFile, type TestFile } from './helpers.js'

const KiB = 1024

async function run(
  net: FakeFilesNet,
  file: TestFile,
  into: MapStore,
  extra: Partial<FetchDagOptions> = {},
): Promise<FetchProgress> {
  let outcome: { ok: FetchProgress } | { err: unknown } | undefined
  fetchDag(file.root, {
    network: net.network,
    chainId: 'testnet',
    providers: fixedProviders(...net.providers.keys()),
    store: into,
    clock: net.sim,
    timers: net.sim,
    rng: net.sim.rng,
    ...extra,
  }).then(
    (ok) => {
      outcome = { ok }
    },
    (err) => {
      outcome = { err }
    },
  )
  await net.sim.run({ until: () => outcome !== undefined })
  if (!outcome) throw new Error('the download never ended')
  if ('err' in outcome) throw outcome.err
  return outcome.ok
}

/** Every block of the file is in `store`, byte for byte. */
function expectComplete(file: TestFile, store: MapStore): void {
  expect(store.blocks.size).toBe(file.store.blocks.size)
  const differing = [...file.store.blocks].filter(([key, bytes]) => {
    const got = store.blocks.get(key)
    return got === undefined || Buffer.compare(got, bytes) !== 0
  })
  expect(differing.map(([key]) => key)).toEqual([])
}

describe('fetchDag', () => {
  it('downloads a file from 4 equal providers, each serving a share, with no duplicates', async () => {
    const file = await makeFile(512 * KiB, 4 * KiB)
    const net = new FakeFilesNet()
    for (const id of ['a', 'b', 'c', 'd']) net.addProvider(id, file.store.copy())
    const into = new MapStore()
    const p = await run(net, file, into)
    expectComplete(file, into)
    expect(p.blocksFetched).toBe(file.store.blocks.size)
    expect(p.duplicateBytes).toBe(0)
    expect(p.bytesTotal).toBe(512 * KiB)
    const shares = Object.values(p.perProvider).map((b) => b / p.bytesFetched)
    expect(shares).toHaveLength(4)
    for (const share of shares) expect(share).toBeGreaterThan(0.15)
    for (const share of shares) expect(share).toBeLessThan(0.35)
  })

  it('descends a deeper DAG level by level (many internal nodes)', async () => {
    const file = await makeFile(300 * KiB, 1 * KiB, 8)
    const net = new FakeFilesNet()
    net.addProvider('a', file.store.copy())
    net.addProvider('b', file.store.copy())
    const into = new MapStore()
    await run(net, file, into, { limits: { pendingWindow: 16 } })
    expectComplete(file, into)
  })

  it('refuses the wrong bytes of a lying provider, charges it, and gets the block elsewhere', async () => {
    const file = await makeFile(256 * KiB, 4 * KiB)
    const net = new FakeFilesNet()
    net.addProvider('liar', file.store.lyingCopy(file.leaves), { rateBytesPerSec: 100 * 1024 * 1024 })
    net.addProvider('honest1', file.store.copy())
    net.addProvider('honest2', file.store.copy())
    const into = new MapStore()
    const p = await run(net, file, into)
    expectComplete(file, into)
    expect(net.reports.filter((r) => r.peer === 'liar').map((r) => r.penalty)).toEqual([100])
    expect(net.reports.every((r) => r.peer === 'liar')).toBe(true)
    // every leaf came from the honest ones (the liar served only the root, whose bytes it did not change)
    expect((p.perProvider.honest1 ?? 0) + (p.perProvider.honest2 ?? 0)).toBeGreaterThanOrEqual(256 * KiB)
    expect(into.puts).toBe(file.store.blocks.size)
  })

  it('moves the requests of a provider that vanishes mid-download to the others', async () => {
    const file = await makeFile(512 * KiB, 4 * KiB)
    const net = new FakeFilesNet()
    net.addProvider('a', file.store.copy())
    net.addProvider('b', file.store.copy())
    // the root comes at ~5 ms, the leaves from ~11 ms to ~35 ms (512 KiB from 3 providers at 10 MiB/s, 5 ms away)
    const gone = net.addProvider('gone', file.store.copy(), { behaviour: { kind: 'vanish', afterMs: 15 } })
    const into = new MapStore()
    const p = await run(net, file, into, { limits: { wantBatchMax: 2 } })
    expectComplete(file, into)
    expect(gone.wantRequests).toBeGreaterThan(0)
    expect(p.perProvider.gone ?? 0).toBeGreaterThan(0)
    expect(p.providers).toBe(2)
  })

  it('moves the requests of a provider that stops answering, after the stall timeout', async () => {
    const file = await makeFile(256 * KiB, 4 * KiB)
    const net = new FakeFilesNet()
    net.addProvider('a', file.store.copy())
    net.addProvider('stuck', file.store.copy(), { behaviour: { kind: 'stall', afterRequests: 3 } })
    const into = new MapStore()
    const started = net.sim.nowMs()
    // no endgame copies: only the stall timer can move the stuck requests
    const p = await run(net, file, into, { limits: { stallTimeoutMs: 2_000, endgameCopiesMax: 1, wantBatchMax: 2 } })
    expectComplete(file, into)
    expect(net.sim.nowMs() - started).toBeGreaterThanOrEqual(2_000)
    expect(net.reports.some((r) => r.peer === 'stuck' && r.penalty === 2)).toBe(true)
    expect(p.perProvider.a).toBeGreaterThan(0)
  })

  it('resumes: blocks already stored are not fetched again', async () => {
    const file = await makeFile(512 * KiB, 4 * KiB)
    const net = new FakeFilesNet()
    net.addProvider('a', file.store.copy())
    const half = new Set(file.leaves.slice(0, file.leaves.length / 2))
    const into = file.store.copy((k) => half.has(k) || k === file.root.toString())
    const p = await run(net, file, into)
    expectComplete(file, into)
    expect(p.blocksFetched).toBe(file.leaves.length / 2)
    expect(p.blocksResumed).toBe(file.leaves.length / 2 + 1)
    expect(p.bytesResumed).toBe(256 * KiB)
  })

  it('fails with UNAVAILABLE when no provider holds a block', async () => {
    const file = await makeFile(64 * KiB, 4 * KiB)
    const net = new FakeFilesNet()
    const missing = file.leaves[3] as string
    net.addProvider(
      'a',
      file.store.copy((k) => k !== missing),
    )
    const err = await run(net, file, new MapStore()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FilesFetchError)
    expect((err as FilesFetchError).code).toBe('UNAVAILABLE')
  })

  it('gives a slow provider a shallow depth and a fast one a deep one, within the bounds', async () => {
    const file = await makeFile(2048 * KiB, 16 * KiB)
    const net = new FakeFilesNet()
    net.addProvider('fast', file.store.copy(), { rateBytesPerSec: 20 * 1024 * 1024 })
    net.addProvider('slow', file.store.copy(), { rateBytesPerSec: 256 * 1024 })
    const into = new MapStore()
    const p = await run(net, file, into, { limits: { inFlightBlocksMax: 24, peerDepthMax: 16 } })
    expectComplete(file, into)
    expect(p.perProvider.fast).toBeGreaterThan(10 * (p.perProvider.slow ?? 0))
    expect(net.wantsInFlightMax).toBeLessThanOrEqual(24)
  })

  it('endgame: the last blocks are asked of a second provider and the slow copy is cancelled or counted', async () => {
    const file = await makeFile(256 * KiB, 16 * KiB)
    const net = new FakeFilesNet()
    net.addProvider('fast', file.store.copy(), { rateBytesPerSec: 8 * 1024 * 1024 })
    // holds many blocks in flight but delivers slowly: without the endgame the download waits on it
    const slow = net.addProvider('slow', file.store.copy(), { rateBytesPerSec: 32 * 1024, latencyMs: 5 })
    const into = new MapStore()
    const started = net.sim.nowMs()
    const p = await run(net, file, into, { limits: { peerDepthMin: 4, wantBatchMax: 1 } })
    expectComplete(file, into)
    // the slow one alone would need 16 KiB / 32 KiB/s = 500 ms per block it holds
    expect(net.sim.nowMs() - started).toBeLessThan(1_000)
    expect(slow.wantRequests).toBeGreaterThan(0)
    expect(p.duplicateBytes).toBeLessThanOrEqual(2 * 16 * KiB)
  })

  it('holds at most inFlightBlocksMax blocks in flight', async () => {
    const file = await makeFile(1024 * KiB, 4 * KiB)
    const net = new FakeFilesNet()
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) net.addProvider(id, file.store.copy(), { latencyMs: 50 })
    const into = new MapStore()
    await run(net, file, into, { limits: { inFlightBlocksMax: 10, wantBatchMax: 1 } })
    expectComplete(file, into)
    expect(net.wantsInFlightMax).toBeLessThanOrEqual(10)
    expect(net.wantsInFlightMax).toBeGreaterThan(4)
  })

  it('reports progress on its clock while it runs, and once at the end', async () => {
    const file = await makeFile(512 * KiB, 4 * KiB)
    const net = new FakeFilesNet()
    net.addProvider('a', file.store.copy(), { rateBytesPerSec: 512 * 1024 })
    const seen: FetchProgress[] = []
    const p = await run(net, file, new MapStore(), {
      onProgress: (x) => seen.push(x),
      limits: { progressIntervalMs: 100 },
    })
    expect(seen.length).toBeGreaterThan(5)
    expect(seen.at(-1)).toEqual(p)
    const fetched = seen.map((s) => s.bytesFetched)
    expect(fetched).toEqual([...fetched].sort((a, b) => a - b))
    expect(p.bytesPerSec).toBeGreaterThan(0)
  })

  it('stops at once with ABORTED when its signal aborts, and asks nothing more', async () => {
    const file = await makeFile(512 * KiB, 4 * KiB)
    const net = new FakeFilesNet()
    const a = net.addProvider('a', file.store.copy(), { rateBytesPerSec: 256 * 1024 })
    const abort = new AbortController()
    net.sim.setTimeout(() => abort.abort(), 200)
    const into = new MapStore()
    const err = await run(net, file, into, { signal: abort.signal }).catch((e: unknown) => e)
    expect((err as FilesFetchError).code).toBe('ABORTED')
    const asked = a.requests
    await net.sim.run({ untilMs: net.sim.nowMs() + 60_000 })
    expect(a.requests).toBe(asked)
    expect(into.blocks.size).toBeLessThan(file.store.blocks.size)
  })

  it("stops with the store's error when a write fails (a full disk), writing nothing after it", async () => {
    const file = await makeFile(256 * KiB, 4 * KiB)
    const net = new FakeFilesNet()
    net.addProvider('a', file.store.copy())
    const into = new MapStore()
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
    const put = into.put.bind(into)
    into.put = async (cid, bytes) => {
      if (into.puts >= 10) throw full
      await put(cid, bytes)
    }
    const err = await run(net, file, into).catch((e: unknown) => e)
    expect(err).toBe(full)
    expect(into.blocks.size).toBe(10)
  })

  it('ends with a typed error for a DAG past the limits or linking to an unknown codec, and for a root it cannot fetch', async () => {
    const store = new MapStore()
    const cbor = CID.createV1(0x71, sha256.digest(Uint8Array.of(1)) as never)
    const bytes = dagPb.encode({ Data: new UnixFS({ type: 'file' }).marshal(), Links: [{ Hash: cbor, Tsize: 1 }] })
    const root = CID.createV1(dagPb.code, sha256.digest(bytes) as never)
    await store.put(root, bytes)
    const net = new FakeFilesNet()
    net.addProvider('a', store)
    const file = { root, data: new Uint8Array(0), store, leaves: [] }
    const err = await run(net, file, new MapStore()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FilesCidError)
    expect((err as FilesCidError).code).toBe('CID_UNSUPPORTED_CODEC')
    const noUnixfs = dagPb.encode({ Links: [] })
    const bare = CID.createV1(dagPb.code, sha256.digest(noUnixfs) as never)
    await store.put(bare, noUnixfs)
    const dagErr = await run(net, { ...file, root: bare }, new MapStore()).catch((e: unknown) => e)
    expect((dagErr as FilesDagError).code).toBe('DAG_NOT_UNIXFS')
    const cborRoot = await run(net, { ...file, root: cbor }, new MapStore()).catch((e: unknown) => e)
    expect((cborRoot as FilesCidError).code).toBe('CID_UNSUPPORTED_CODEC')
  })

  it('takes providers as the source yields them, each once (combineProviders: connected peers, then the DHT)', async () => {
    const file = await makeFile(256 * KiB, 4 * KiB)
    const net = new FakeFilesNet()
    net.addProvider('a', file.store.copy())
    net.addProvider('b', file.store.copy())
    const connected = () => ['a']
    const dht = async function* () {
      yield 'a'
      yield 'b'
    }
    const source = combineProviders(connected, dht)
    const seen: string[] = []
    for await (const peer of source(file.root, new AbortController().signal)) seen.push(peer)
    expect(seen).toEqual(['a', 'b'])
    const p = await run(net, file, new MapStore(), { providers: source })
    expect(Object.keys(p.perProvider).sort()).toEqual(['a', 'b'])
  })

  it('asks a provider of the root for it at once, and for the blocks below without waiting for its HAVE answer', async () => {
    const file = await makeFile(128 * KiB, 4 * KiB)
    const net = new FakeFilesNet()
    net.addProvider('a', file.store.copy(), { latencyMs: 50 })
    await run(net, file, new MapStore())
    const [first, ...rest] = net.log
    expect(first).toMatchObject({ kind: 'want', count: 1 })
    // the root arrives at ~50 ms; then the HAVE and the first leaves go out together
    const have = rest.find((r) => r.kind === 'have')
    const leaves = rest.find((r) => r.kind === 'want')
    expect(have?.count).toBe(32)
    expect(leaves?.atMs).toBe(have?.atMs)
  })

  it('drops a provider it cannot dial at once, and completes from the others', async () => {
    const file = await makeFile(256 * KiB, 4 * KiB)
    const net = new FakeFilesNet()
    net.addProvider('a', file.store.copy())
    const p = await run(net, file, new MapStore(), { providers: fixedProviders('ghost', 'a') })
    expect(net.log.filter((r) => r.peer === 'ghost')).toHaveLength(1)
    expect(p.providers).toBe(1)
  })
})
