/**
 * Bitswap interoperability with the real IPFS stack, both directions in one
 * test: a stock Helia node (`createHelia`, TCP on 127.0.0.1 only, no
 * bootstrap, no DHT, no delegated routing or gateways) fetches a file a
 * peerchain network imported (CIDv1, raw leaves, 256 KiB chunks), and the
 * peerchain network fetches a file the Helia node added. Bytes are compared
 * by SHA-256. Then the same against a real `peerchain start` process: a
 * Helia node fetches a file the node added over RPC, and stays connected past
 * the node's status deadline (an IPFS node never sends our status: it is not
 * taken for a peer of another chain). Everything is stopped in afterEach.
 */
import { createHash, randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { type UnixFS, unixfs } from '@helia/unixfs'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { MemoryBlockstore } from 'blockstore-core'
import { createHelia } from 'helia'
import type { Blockstore } from 'interface-blockstore'
import { exporter } from 'ipfs-unixfs-exporter'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import type { CID } from 'multiformats/cid'
import { afterEach, describe, expect, it } from 'vitest'
import { importBytes } from '../../src/files/import.js'
import { createNetwork } from '../../src/net/libp2p-network.js'
import type { BlockExchange, Network } from '../../src/net/network.js'
import { rpc, TestNet } from '../helpers/devnet.js'

const FILE_BYTES = 3 * 256 * 1024 + 12_345
const CHUNK_BYTES = 256 * 1024

const stops: Array<() => Promise<unknown>> = []

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {})
})

async function startPeerchain(blockstore: Blockstore): Promise<{ network: Network; bitswap: BlockExchange }> {
  const network = await createNetwork({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    chainId: 'files-interop',
    localCluster: true,
    dhtServer: true,
  })
  stops.push(() => network.stop())
  const bitswap = network.enableBitswap!(blockstore)
  await network.start()
  return { network, bitswap }
}

type StockHelia = ReturnType<typeof createHelia>

async function startHelia(): Promise<StockHelia> {
  const helia = await createHelia({
    libp2p: {
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery: [],
      services: { identify: identify() },
    },
    // no delegated routers and no HTTP gateways: nothing leaves the machine
    http: { delegatedRouters: [], recursiveGateways: [] },
  })
  stops.push(() => helia.stop())
  await helia.start()
  return helia
}

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

async function concat(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}

/** Reads a UnixFS file on the peerchain side, fetching each missing block over Bitswap into `store`. */
async function fetchOverBitswap(root: CID, store: Blockstore, bitswap: BlockExchange): Promise<Uint8Array> {
  const fetching = {
    async *get(cid: CID, options?: { signal?: AbortSignal }) {
      if (!(await store.has(cid))) {
        const bytes = await bitswap.want(cid, { signal: options?.signal ?? AbortSignal.timeout(20_000) })
        await store.put(cid, bytes)
        await bitswap.notify(cid)
      }
      yield* store.get(cid)
    },
  }
  const entry = await exporter(root, fetching)
  if (entry.type !== 'file' && entry.type !== 'raw') throw new Error(`expected a file, got ${entry.type}`)
  return concat(entry.content())
}

describe('bitswap interoperability with Helia', () => {
  it('Helia fetches a file peerchain added, and peerchain fetches a file Helia added; the bytes are equal', async () => {
    const peerchainStore = new MemoryBlockstore()
    const { network, bitswap } = await startPeerchain(peerchainStore)
    const helia = await startHelia()
    const heliaFs: UnixFS = unixfs(helia)
    await helia.libp2p.dial(multiaddr(network.listenAddresses()[0]!))

    // peerchain → Helia
    const ours = randomBytes(FILE_BYTES)
    const imported = await importBytes(ours, peerchainStore, 'ours.bin')
    const heliaGot = await concat(heliaFs.cat(imported.cid, { signal: AbortSignal.timeout(20_000) }))
    expect(sha256Hex(heliaGot)).toBe(sha256Hex(ours))

    // Helia → peerchain
    const theirs = randomBytes(FILE_BYTES)
    const heliaCid = await heliaFs.addBytes(theirs, {
      cidVersion: 1,
      rawLeaves: true,
      chunker: fixedSize({ chunkSize: CHUNK_BYTES }),
    })
    const before = await peerchainStore.has(heliaCid)
    const weGot = await fetchOverBitswap(heliaCid, peerchainStore, bitswap)
    expect(before).toBe(false)
    expect(sha256Hex(weGot)).toBe(sha256Hex(theirs))
  })

  it('a stock Helia node fetches a file from a real peerchain node and is not cut by its status deadline', async () => {
    const net = await TestNet.create()
    stops.push(() => net.close())
    const STATUS_DEADLINE_MS = 1_500
    const node = await net.start('files', { extra: ['--status-deadline-ms', String(STATUS_DEADLINE_MS)] })
    const bytes = randomBytes(300 * 1024)
    const added = await rpc<{ cid: string }>(node.rpc, 'files_add', {
      data: bytes.toString('base64'),
      name: 'upload.bin',
    })
    const helia = await startHelia()
    const heliaFs: UnixFS = unixfs(helia)
    const conn = await helia.libp2p.dial(multiaddr(node.addr))
    const { CID } = await import('multiformats/cid')
    const got = await concat(heliaFs.cat(CID.parse(added.cid), { signal: AbortSignal.timeout(20_000) }))
    expect(sha256Hex(got)).toBe(sha256Hex(bytes))
    // past the deadline (and the failed status exchange), the node has neither cut nor refused it
    await new Promise((resolve) => setTimeout(resolve, STATUS_DEADLINE_MS * 2))
    expect(helia.libp2p.getConnections(conn.remotePeer).length).toBeGreaterThan(0)
  })
})
