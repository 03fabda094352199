/**
 * Content routing and Bitswap between peerchain networks over TCP on
 * 127.0.0.1, in one process: a node provides a CID in the DHT and another
 * finds it; a node fetches a block over Bitswap from a peer's blockstore.
 * Every network is stopped in afterEach.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { MemoryBlockstore } from 'blockstore-core'
import { createLibp2p, type Libp2p } from 'libp2p'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterEach, describe, expect, it } from 'vitest'
import { BitswapError, BitswapExchange } from '../../../src/net/bitswap.js'
import { ContentRoutingError, PROVIDERS_FOUND_MAX } from '../../../src/net/content-routing.js'
import { createNetwork, type NetworkInit } from '../../../src/net/libp2p-network.js'
import type { Network } from '../../../src/net/network.js'
import { ManualTimers } from '../../unit/net/helpers.js'

const running: Array<{ stop(): Promise<void> }> = []

afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((n) => n.stop()))
})

async function startNode(init: Partial<NetworkInit> = {}): Promise<Network> {
  const network = await createNetwork({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    chainId: 'files-test',
    localCluster: true,
    dhtServer: true,
    ...init,
  })
  running.push(network)
  await network.start()
  return network
}

async function rawBlock(text: string | Uint8Array): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text
  return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes }
}

/** A bare libp2p node (TCP, Noise, Yamux, identify) on 127.0.0.1, for a BitswapExchange built by hand. */
async function bareHost(): Promise<Libp2p> {
  const host = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  })
  running.push({ stop: async () => host.stop() })
  return host
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = []
  for await (const item of iterable) out.push(item)
  return out
}

/** Provides until the other node finds us: the DHT learns its peers a moment after they connect. */
async function provideUntilFound(provider: Network, seeker: Network, cid: CID): Promise<string[]> {
  const deadline = Date.now() + 15_000
  for (;;) {
    await provider.contentRouting?.provide(cid).catch(() => {})
    const found = await collect(
      seeker.contentRouting!.findProviders(cid, { max: 5, signal: AbortSignal.timeout(3_000) }),
    )
    if (found.length > 0 || Date.now() > deadline) return found
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe('content routing over the DHT', () => {
  it('a node that provides a CID is found by another, and never finds itself', async () => {
    const a = await startNode()
    const b = await startNode()
    const c = await startNode({ dhtServer: false })
    await b.dial(a.listenAddresses()[0]!)
    await c.dial(b.listenAddresses()[0]!)
    const { cid } = await rawBlock('provided by a')
    expect(await provideUntilFound(a, b, cid)).toEqual([a.peerId])
    // a light node (DHT client) finds it through the full nodes
    const deadline = Date.now() + 15_000
    let found: string[] = []
    while (found.length === 0 && Date.now() < deadline) {
      found = await collect(c.contentRouting!.findProviders(cid, { signal: AbortSignal.timeout(3_000) }))
    }
    expect(found).toEqual([a.peerId])
    expect(await collect(a.contentRouting!.findProviders(cid, { signal: AbortSignal.timeout(3_000) }))).toEqual([])
  })

  it('refuses a max outside 1..PROVIDERS_FOUND_MAX with a typed error', async () => {
    const a = await startNode()
    const { cid } = await rawBlock('x')
    for (const max of [0, PROVIDERS_FOUND_MAX + 1, 1.5]) {
      const err = await collect(a.contentRouting!.findProviders(cid, { max })).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ContentRoutingError)
      expect((err as ContentRoutingError).code).toBe('BAD_MAX')
    }
  })
})

describe('bitswap between peerchain nodes', () => {
  it('fetches a block a connected peer holds, and serves the one it then stores', async () => {
    const a = await startNode()
    const b = await startNode()
    const c = await startNode()
    const storeA = new MemoryBlockstore()
    const storeB = new MemoryBlockstore()
    const storeC = new MemoryBlockstore()
    const exA = a.enableBitswap!(storeA)
    const exB = b.enableBitswap!(storeB)
    const exC = c.enableBitswap!(storeC)
    const { cid, bytes } = await rawBlock('a block only a holds')
    await storeA.put(cid, bytes)
    await b.dial(a.listenAddresses()[0]!)
    const got = await exB.want(cid, { signal: AbortSignal.timeout(15_000) })
    expect(Buffer.from(got).equals(Buffer.from(bytes))).toBe(true)
    expect(exA).toBeDefined()

    // c asks before b holds it; b stores it, notifies, and c gets it from b (c never connects to a)
    await c.dial(b.listenAddresses()[0]!)
    const second = await rawBlock('stored later by b')
    const wanted = exC.want(second.cid, { signal: AbortSignal.timeout(15_000) })
    await new Promise((resolve) => setTimeout(resolve, 300))
    await storeB.put(second.cid, second.bytes)
    await exB.notify(second.cid)
    expect(Buffer.from(await wanted).equals(Buffer.from(second.bytes))).toBe(true)
  })

  it('a want nobody can answer ends with the caller signal; bitswap is enabled once', async () => {
    const a = await startNode()
    const ex = a.enableBitswap!(new MemoryBlockstore())
    expect(() => a.enableBitswap!(new MemoryBlockstore())).toThrow(BitswapError)
    const { cid } = await rawBlock('nobody has this')
    await expect(ex.want(cid, { signal: AbortSignal.timeout(500) })).rejects.toThrow()
  })
})

describe('bitswap upload pacing', () => {
  it("a peer in debt gets its next block only once the debt is repaid on the server's clock", async () => {
    const KiB = 1024
    const timers = new ManualTimers(1_000_000)
    const host = await bareHost()
    const store = new MemoryBlockstore()
    const server = new BitswapExchange({
      host,
      blockstore: store,
      log: () => {},
      clock: timers,
      timers,
      uploadPerPeer: { capacity: 64 * KiB, ratePerSec: 64 * KiB },
    })
    running.push(server)
    await server.start()
    const first = await rawBlock(new Uint8Array(512 * KiB).fill(1))
    const second = await rawBlock(new Uint8Array(16 * KiB).fill(2))
    await store.put(first.cid, first.bytes)
    await store.put(second.cid, second.bytes)

    const client = await startNode()
    const exchange = client.enableBitswap!(new MemoryBlockstore())
    await client.dial(host.getMultiaddrs()[0]!.toString())
    // the first answer goes out at once and leaves the client 448 KiB (and the framing) in debt: 7 s at 64 KiB/s
    expect((await exchange.want(first.cid, { signal: AbortSignal.timeout(15_000) })).byteLength).toBe(512 * KiB)
    let got: Uint8Array | undefined
    const wanted = exchange.want(second.cid, { signal: AbortSignal.timeout(15_000) }).then((bytes) => {
      got = bytes
    })
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    expect(got).toBeUndefined()
    timers.advance(8_000)
    await wanted
    expect(got?.byteLength).toBe(16 * KiB)
  })
})
