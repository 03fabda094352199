/**
 * The files exchange over real libp2p networks (createNetwork: TCP, Noise,
 * Yamux on 127.0.0.1, OS-chosen ports), in one process: providers serve the
 * files protocol over a copy of a UnixFS file's blocks (256 KiB chunks, as
 * `files add` makes them) and a fetcher downloads it with fetchDag. Every
 * network is stopped in afterEach, whatever the test did.
 */
import { randomBytes } from 'node:crypto'
import { MemoryBlockstore } from 'blockstore-core'
import { importBytes } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import type { CID } from 'multiformats/cid'
import { afterEach, describe, expect, it } from 'vitest'
import { fetchDag } from '../../../src/files/exchange/fetch.js'
import { createFilesHandler } from '../../../src/files/exchange/handler.js'
import { HashWorkers } from '../../../src/files/exchange/hasher.js'
import { FILES_SERVE_LIMITS, FILES_SERVE_QUOTA, filesProtocol } from '../../../src/files/exchange/limits.js'
import { type ExchangeStore, exchangeStoreOf } from '../../../src/files/exchange/store.js'
import { createNetwork } from '../../../src/net/libp2p-network.js'
import type { Network } from '../../../src/net/network.js'
import { ServeQuota } from '../../../src/sync/serve-quota.js'
import { systemClock } from '../../../src/util/clock.js'
import { systemRng } from '../../../src/util/rng.js'
import { systemTimers } from '../../../src/util/timers.js'

const CHAIN_ID = 'files-exchange-test'
const CHUNK = 256 * 1024

const running: Network[] = []
const hashers: HashWorkers[] = []

afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((n) => n.stop()))
  await Promise.allSettled(hashers.splice(0).map((h) => h.close()))
})

async function startNetwork(): Promise<Network> {
  const network = await createNetwork({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    chainId: CHAIN_ID,
    localCluster: true,
    // these networks run no status protocol: never cut a peer for it
    statusDeadlineMs: 600_000,
  })
  running.push(network)
  await network.start()
  return network
}

interface File {
  root: CID
  blocks: MemoryBlockstore
  count: number
}

async function makeFile(bytes: number): Promise<File> {
  const blocks = new MemoryBlockstore()
  const { cid: root } = await importBytes(randomBytes(bytes), blocks, {
    cidVersion: 1,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize: CHUNK }),
    layout: balanced({ maxChildrenPerNode: 1024 }),
  })
  let count = 0
  for await (const _ of blocks.getAll()) count++
  return { root, blocks, count }
}

async function startProvider(store: ExchangeStore): Promise<Network> {
  const network = await startNetwork()
  const quota = new ServeQuota(
    { clock: systemClock, timers: systemTimers, reportPeer: (p, n, r) => network.reportPeer(p, n, r) },
    FILES_SERVE_QUOTA,
  )
  await network.handle(filesProtocol(CHAIN_ID), createFilesHandler(store, { quota }), FILES_SERVE_LIMITS)
  return network
}

/** A store whose raw leaves come back with their last byte flipped (a liar's). */
function lyingStore(blocks: MemoryBlockstore): ExchangeStore {
  const honest = exchangeStoreOf(blocks)
  return {
    ...honest,
    async get(cid) {
      const bytes = await honest.get(cid)
      if (!bytes || cid.code !== 0x55) return bytes
      // a copy: a Buffer's slice() is a view, and flipping it would corrupt the honest providers' blocks too
      const bad = Uint8Array.from(bytes)
      bad[bad.byteLength - 1] = (bad[bad.byteLength - 1] as number) ^ 0xff
      return bad
    },
  }
}

/** Every block of `file` is in `into`, byte for byte. */
async function expectComplete(file: File, into: MemoryBlockstore): Promise<void> {
  const missing: string[] = []
  const honest = exchangeStoreOf(file.blocks)
  const got = exchangeStoreOf(into)
  for await (const { cid } of file.blocks.getAll()) {
    const a = await honest.get(cid)
    const b = await got.get(cid)
    if (!a || !b || Buffer.compare(a, b) !== 0) missing.push(cid.toString())
  }
  expect(missing).toEqual([])
}

describe('files exchange over libp2p', () => {
  it('4 providers each serve a share; one is stopped mid-download and the download completes from the rest', async () => {
    const file = await makeFile(16 * 1024 * 1024)
    const providers = await Promise.all([0, 1, 2, 3].map(() => startProvider(exchangeStoreOf(file.blocks))))
    const fetcher = await startNetwork()
    for (const p of providers) await fetcher.dial(p.listenAddresses()[0] as string)
    const victim = providers[3] as Network
    const into = new MemoryBlockstore()
    const store = exchangeStoreOf(into)
    let stored = 0
    let stopped: Promise<void> | undefined
    let victimFailures = 0
    const progress = await fetchDag(file.root, {
      network: {
        reportPeer: fetcher.reportPeer.bind(fetcher),
        request: (peer, ...rest) =>
          fetcher.request(peer, ...rest).catch((err: unknown) => {
            if (peer === victim.peerId) victimFailures++
            throw err
          }),
      },
      chainId: CHAIN_ID,
      providers: () => providers.map((p) => p.peerId),
      store: {
        ...store,
        async put(cid, bytes) {
          await store.put(cid, bytes)
          // a quarter in, the victim's process "dies": its connection closes, its requests fail
          if (++stored === 16) stopped = victim.stop()
        },
      },
      clock: systemClock,
      timers: systemTimers,
      rng: systemRng,
      // shallow depths: many rounds, so the victim has requests in flight when it goes
      limits: { peerDepthInitial: 2, peerDepthMax: 4, wantBatchMax: 1 },
      // as a node downloads: blocks hashed on a worker thread
      hasher: hashers[hashers.push(new HashWorkers(1)) - 1],
    })
    await stopped
    await expectComplete(file, into)
    expect(progress.blocksFetched).toBe(file.count)
    for (const p of providers) expect(progress.perProvider[p.peerId] ?? 0).toBeGreaterThan(0)
    expect(progress.perProvider[victim.peerId]).toBeLessThan(progress.bytesFetched / 4)
    // it had requests in flight when it went (the scheduler keeps every provider busy while blocks are unasked):
    // they failed, and their blocks came from the others
    expect(victimFailures).toBeGreaterThan(0)
  }, 25_000)

  it("refuses a lying provider's blocks, charges it (it is cut off), and completes from the honest ones", async () => {
    const file = await makeFile(4 * 1024 * 1024)
    const liar = await startProvider(lyingStore(file.blocks))
    const honest = await Promise.all([0, 1].map(() => startProvider(exchangeStoreOf(file.blocks))))
    const fetcher = await startNetwork()
    for (const p of [liar, ...honest]) await fetcher.dial(p.listenAddresses()[0] as string)
    const reports: Array<{ peer: string; penalty: number }> = []
    const into = new MemoryBlockstore()
    const progress = await fetchDag(file.root, {
      network: {
        request: fetcher.request.bind(fetcher),
        reportPeer(peer, penalty, reason) {
          reports.push({ peer, penalty })
          fetcher.reportPeer(peer, penalty, reason)
        },
      },
      chainId: CHAIN_ID,
      providers: () => [liar.peerId, ...honest.map((h) => h.peerId)],
      store: exchangeStoreOf(into),
      clock: systemClock,
      timers: systemTimers,
      rng: systemRng,
    })
    await expectComplete(file, into)
    expect(reports).toEqual([{ peer: liar.peerId, penalty: 100 }])
    // the liar served the root at most (its root bytes are honest): every leaf came from the others
    const leafBytes = honest.reduce((n, h) => n + (progress.perProvider[h.peerId] ?? 0), 0)
    expect(leafBytes).toBeGreaterThanOrEqual(4 * 1024 * 1024)
    // charged 100, the liar is discouraged: disconnected from the fetcher
    const deadline = Date.now() + 5_000
    while (fetcher.peers().some((p) => p.id === liar.peerId) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25))
    }
    expect(fetcher.peers().some((p) => p.id === liar.peerId)).toBe(false)
  }, 25_000)
})
