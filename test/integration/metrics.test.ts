/**
 * Metrics on real nodes in one process: libp2p's metrics and the byte totals
 * of the network layer, then two PeerchainNodes (a miner and a follower)
 * whose registries must show what happened, each its own.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RpcClient } from '../../src/api/client.js'
import { addressFromPublicKey } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { createMetricsRegistry, type NodeMetrics } from '../../src/metrics/index.js'
import { createNetwork, type NetworkInit } from '../../src/net/libp2p-network.js'
import type { Network } from '../../src/net/network.js'
import type { NodeConfig } from '../../src/node/config.js'
import { type RunningNode, startNode } from '../../src/node/start.js'
import { toHex } from '../../src/util/bytes.js'
import { createLogger } from '../../src/util/log.js'
import { transfer } from '../helpers/chain.js'
import { fastGenesis } from '../helpers/devnet.js'
import { type Family, parseExposition } from '../unit/metrics/exposition.js'

const cleanups: Array<() => Promise<unknown>> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function scrape(metrics: NodeMetrics): Promise<Map<string, Family>> {
  return parseExposition(await metrics.registry.metrics())
}

function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const sample = families
    .get(name)
    ?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  return sample?.value ?? Number.NaN
}

/** Every family appears once, with HELP and TYPE: nothing was registered twice. */
function expectWellFormed(text: string): void {
  const types = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1])
  expect(new Set(types).size).toBe(types.length)
  for (const family of parseExposition(text).values()) {
    expect(family.help, family.name).toBeDefined()
    expect(family.type, family.name).toBeDefined()
  }
}

describe('network metrics', () => {
  async function startNetwork(init: Partial<NetworkInit>): Promise<Network> {
    const network = await createNetwork({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [],
      chainId: 'metrics-test',
      localCluster: true,
      ...init,
    })
    cleanups.push(() => network.stop())
    await network.start()
    return network
  }

  it("puts libp2p's metrics in each node's own registry and counts the bytes of every connection", async () => {
    const registryA = createMetricsRegistry()
    const registryB = createMetricsRegistry()
    const a = await startNetwork({ metricsRegistry: registryA })
    const b = await startNetwork({ metricsRegistry: registryB })
    const limits = { requestBytesMax: 1 << 20, responseBytesMax: 1 << 20, timeoutMs: 10_000 }
    const response = new Uint8Array(200_000).fill(7)
    await b.handle('/metrics-test/echo/1', async () => response, limits)
    await a.dial(b.listenAddresses()[0] as string)
    const got = await a.request(b.peerId, '/metrics-test/echo/1', new Uint8Array(100_000).fill(1), limits)
    expect(got.byteLength).toBe(200_000)

    await waitFor('the response bytes to be counted on both sides', () => b.traffic().bytesOut >= 200_000)
    expect(a.traffic().bytesOut).toBeGreaterThanOrEqual(100_000)
    expect(a.traffic().bytesIn).toBeGreaterThanOrEqual(200_000)
    expect(b.traffic().bytesIn).toBeGreaterThanOrEqual(100_000)
    // the answer had the stream for A's next request to B on that protocol opened ahead
    await waitFor('a stream opened ahead', () => (a.traffic().streamsAhead?.opened ?? 0) === 1)

    for (const registry of [registryA, registryB]) {
      const text = await registry.metrics()
      expectWellFormed(text)
      const families = parseExposition(text)
      expect(value(families, 'libp2p_data_transfer_bytes_total', { protocol: 'global sent' })).toBeGreaterThan(100_000)
      expect(families.get('process_cpu_user_seconds_total')).toBeDefined()
    }
  })

  it('counts nothing without a registry', async () => {
    const a = await startNetwork({})
    const b = await startNetwork({ metricsRegistry: createMetricsRegistry() })
    await a.dial(b.listenAddresses()[0] as string)
    await waitFor('b to count the connection', () => b.traffic().bytesIn > 0)
    const { bytesIn, bytesOut } = a.traffic()
    expect({ bytesIn, bytesOut }).toEqual({ bytesIn: 0, bytesOut: 0 })
  })
})

describe('node metrics', () => {
  async function startTestNode(name: string, opts: { mine: boolean; bootstrap: string[] }): Promise<RunningNode> {
    const dataDir = await mkdtemp(join(tmpdir(), `peerchain-metrics-${name}-`))
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const config: NodeConfig = {
      dataDir,
      genesis,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: opts.bootstrap,
      rpcHost: '127.0.0.1',
      rpcPort: 0,
      role: opts.mine ? 'miner' : 'full',
      mine: opts.mine,
      mineThreads: 1,
      minerAddress: addressFromPublicKey(devnetKey(100).publicKey),
      mdns: false,
      localCluster: true,
    }
    const node = await startNode(config, createLogger('error'))
    cleanups.push(() => node.stop())
    return node
  }
  const genesis = fastGenesis()

  it("shows each node's peers, blocks, head, sync and traffic in its own registry", async () => {
    const miner = await startTestNode('miner', { mine: true, bootstrap: [] })
    await waitFor('a few mined blocks', () => miner.node.ledger.chain.head.height >= 3)
    const follower = await startTestNode('follower', { mine: false, bootstrap: [miner.listenAddresses()[0] as string] })
    await waitFor('the follower to catch up and hear of new blocks', async () => {
      const f = await scrape(follower.metrics)
      return (
        follower.node.ledger.chain.head.height >= 5 &&
        value(f, 'peerchain_blocks_imported_total', { source: 'gossip' }) +
          value(f, 'peerchain_blocks_imported_total', { source: 'sync' }) >=
          5
      )
    })
    await miner.node.miner.stop()
    await waitFor(
      'the follower to settle on the last mined block',
      () =>
        follower.node.ledger.chain.head.id === miner.node.ledger.chain.head.id &&
        follower.node.sync.progress().state === 'idle',
    )

    const m = await scrape(miner.metrics)
    const f = await scrape(follower.metrics)
    expectWellFormed(await miner.metrics.registry.metrics())
    expect(value(m, 'peerchain_blocks_imported_total', { source: 'mined' })).toBeGreaterThanOrEqual(5)
    // the follower mined nothing: the registries do not mix
    expect(value(f, 'peerchain_blocks_imported_total', { source: 'mined' })).toBe(0)
    expect(value(m, 'peerchain_head_height')).toBe(miner.node.ledger.chain.head.height)
    expect(value(f, 'peerchain_head_height')).toBe(follower.node.ledger.chain.head.height)
    // one peer each (the follower dialed; the miner may also dial back, which makes it outbound for the miner)
    const peers = (fam: typeof m) =>
      value(fam, 'peerchain_peers', { direction: 'inbound' }) + value(fam, 'peerchain_peers', { direction: 'outbound' })
    expect(peers(m)).toBe(1)
    expect(peers(f)).toBe(1)
    expect(value(f, 'peerchain_peers', { direction: 'outbound' })).toBe(1)
    // Relayed blocks came on the gossip topic or by compact block: both count as imported from gossip.
    expect(
      value(f, 'peerchain_gossip_messages_total', { topic: 'block', verdict: 'accept' }) +
        value(f, 'peerchain_compact_blocks_imported_total'),
    ).toBe(value(f, 'peerchain_blocks_imported_total', { source: 'gossip' }))
    expect(value(f, 'peerchain_network_bytes_total', { direction: 'in' })).toBeGreaterThan(0)
    expect(value(m, 'peerchain_network_bytes_total', { direction: 'out' })).toBeGreaterThan(0)
    expect(value(f, 'peerchain_mempool_txs')).toBe(0)
    expect(f.get('libp2p_data_transfer_bytes_total')).toBeDefined()
    expect(value(f, 'peerchain_sync_state')).toBe(0)
    expect(value(f, 'peerchain_sync_target_height')).toBe(value(f, 'peerchain_head_height'))

    // Over HTTP, as Prometheus scrapes it: GET /metrics on the RPC port, counting a tx sent over RPC.
    const client = new RpcClient(follower.rpcUrl)
    await client.call('tx_submit', { tx: toHex(transfer(3, 4, 0n, 1000n, 1000n, genesis.chainId).bytes) })
    await expect(
      client.call('tx_submit', { tx: toHex(transfer(3, 4, 0n, 1000n, 1000n, 'other-chain').bytes) }),
    ).rejects.toThrow()
    const res = await fetch(new URL('/metrics', follower.rpcUrl))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(follower.metrics.registry.contentType)
    const text = await res.text()
    expectWellFormed(text)
    const http = parseExposition(text)
    expect(value(http, 'peerchain_txs_accepted_total', { source: 'rpc' })).toBe(1)
    expect(value(http, 'peerchain_txs_rejected_total', { source: 'rpc', reason: 'TX_WRONG_CHAIN' })).toBe(1)
    expect(value(http, 'peerchain_mempool_txs')).toBe(1)
  })
})
