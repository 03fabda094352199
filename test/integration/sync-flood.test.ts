/**
 * Sync flood against real node processes. A server mines a chain longer than
 * the upload cap's recent window; a flooder (test/helpers/sync-flooder.ts, in
 * this process on the real libp2p network) passes the status handshake and
 * asks for the largest block batches on every stream it may open.
 *
 * - The server serves each flooder one request at a time within its quota;
 *   the one that opens every stream is refused past its queue, charged and
 *   dropped, the one that keeps within the queue is only slowed; a fresh
 *   honest node syncing from the same server meanwhile completes, uncharged.
 * - A capped server (--max-upload-mib 1) serves a flooder that stays within
 *   its per-peer quota (so it is never refused) at most the cap of historical
 *   blocks, then leaves them out of its answers, while recent blocks and
 *   headers are still served.
 *
 * The rate figure (honest sync rate flooded / unflooded, goal >= 0.8) is
 * measured by bench/flood-sync.ts, not here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeSyncResponse, encodeSyncRequest } from '../../src/ledger/codec/wire-codec.js'
import { syncProtocol } from '../../src/relay/topics.js'
import { BLOCKS_MAX, DEFAULT_SERVE_QUOTA, SYNC_REQUEST_LIMITS, UPLOAD_CAP_RECENT_BLOCKS } from '../../src/sync/index.js'
import { fromHex } from '../../src/util/bytes.js'
import {
  fastGenesis,
  head,
  TestNet as Net,
  peers,
  rpc,
  type TestNet,
  type TestNode,
  waitFor,
  waitForHeight,
  waitForSameHead,
} from '../helpers/devnet.js'
import { SyncFlooder } from '../helpers/sync-flooder.js'

/** Every other hash meets the target: the chain is mined in a few seconds. */
const GENESIS = fastGenesis({ initialTarget: 1n << 255n, blockTimeMs: 100 })
const CHAIN_ID = GENESIS.chainId
/** Long enough that its first BLOCKS_MAX blocks are historical (older than the recent window). */
const CHAIN_BLOCKS = UPLOAD_CAP_RECENT_BLOCKS + BLOCKS_MAX + 40
const MIB = 1024 * 1024

let net: TestNet
let server: TestNode
let genesisHash: Uint8Array
const flooders: SyncFlooder[] = []

beforeAll(async () => {
  net = await Net.create(GENESIS)
  server = await net.start('server', { mine: true })
  await waitForHeight(server, CHAIN_BLOCKS, 30_000)
  await rpc(server.rpc, 'miner_stop')
  const info = await rpc<{ genesisHash: string }>(server.rpc, 'node_info')
  genesisHash = fromHex(info.genesisHash)
}, 60_000)

afterAll(async () => {
  await Promise.allSettled(flooders.map((f) => f.stop()))
  await net?.close()
})

async function flooder(target: TestNode, streams?: number): Promise<SyncFlooder> {
  const f = await SyncFlooder.connect({ chainId: CHAIN_ID, genesisHash, server: target.addr, streams })
  flooders.push(f)
  return f
}

describe('sync flood', () => {
  it('flooders are served within their quota, the one past its queue charged and dropped; an honest node syncs meanwhile', async () => {
    const tip = await head(server)
    // One floods every stream it may open; the other keeps within the queue bound (never refused, only slowed).
    const aggressive = await flooder(server)
    const polite = await flooder(server, 1 + DEFAULT_SERVE_QUOTA.queueMax)
    const hashes = (await aggressive.blockHashes()).slice(0, BLOCKS_MAX)
    const floodStart = Date.now()
    polite.start(hashes)
    aggressive.start(hashes)
    const honest = await net.start('honest', { bootstrap: [server.addr] })
    await waitForSameHead([server, honest], tip.height, 30_000)
    expect(polite.connected(), 'the polite flooder flooded all through the honest sync').toBe(true)
    await waitFor('the server to drop the aggressive flooder', async () => !aggressive.connected(), 15_000)
    await polite.stop()
    const seconds = (Date.now() - floodStart) / 1000

    expect(aggressive.counts.failed, 'requests refused').toBeGreaterThan(0)
    expect((await peers(server)).some((p) => p.id === aggressive.network.peerId)).toBe(false)
    // Each got at most its quota: the burst, the rate over the flood, and one answer of debt.
    const { blocks } = DEFAULT_SERVE_QUOTA
    for (const f of [aggressive, polite]) {
      expect(f.counts.blocks).toBeLessThanOrEqual(blocks.capacity + blocks.ratePerSec * seconds + BLOCKS_MAX)
    }
    expect(polite.counts.failed, 'the polite flooder was never refused').toBe(0)
    expect(polite.counts.blocks).toBeGreaterThan(blocks.capacity)
    // The honest node is still the server's peer, uncharged.
    const honestSeen = (await peers(server)).find((p) => p.id === honest.peerId)
    expect(honestSeen?.score).toBe(0)
  }, 45_000)

  it('the upload cap holds: historical blocks stop at the cap, recent blocks and headers are still served', async () => {
    const capped = await net.start('capped', { bootstrap: [server.addr], extra: ['--max-upload-mib', '1'] })
    const tip = await waitForSameHead([server, capped], CHAIN_BLOCKS, 30_000)
    await net.stop(server) // only the capped node serves from here
    // Within the queue bound the flooder is never refused, only slowed: it drains the budget as fast as it may.
    const attacker = await flooder(capped, 1 + DEFAULT_SERVE_QUOTA.queueMax)
    const all = await attacker.blockHashes()
    expect(all.length).toBe(tip.height)
    attacker.start(all.slice(0, BLOCKS_MAX))
    await waitFor('the capped node to stop serving historical blocks', async () => attacker.counts.empty > 3, 25_000)
    await attacker.stop()
    expect(attacker.counts.failed).toBe(0)
    expect(attacker.counts.blockBytes).toBeLessThanOrEqual(1 * MIB)
    // It was the cap that stopped them (headers served count against it too, and each block's framing).
    expect(attacker.counts.blockBytes).toBeGreaterThan(0.8 * MIB)

    // Past the cap, a fresh peer still gets recent blocks and headers.
    const checker = await flooder(capped, 1)
    const hashes = await checker.blockHashes()
    expect(hashes.length).toBe(tip.height)
    const ask = (heights: number[]) =>
      checker.network.request(
        capped.peerId,
        syncProtocol(CHAIN_ID),
        encodeSyncRequest({ locator: [], max: 0, blockHashes: heights.map((h) => hashes[h - 1] as Uint8Array) }),
        SYNC_REQUEST_LIMITS,
      )
    const count = async (heights: number[]) =>
      decodeSyncResponse(await ask(heights), 16 * MIB, BLOCKS_MAX).blocks.length
    expect(await count([tip.height, tip.height - 1, tip.height - 10])).toBe(3)
    expect(await count([1, 2, 3])).toBe(0)
  }, 45_000)
})
