/**
 * Compact blocks on real node processes (loopback, OS-chosen ports). Two
 * nodes that both speak `/peerchain/<chainId>/cmpct/1`: txs submitted to one
 * reach both mempools by gossip, and each block the other mines arrives as a
 * compact block rebuilt from the mempool without a request; with no peer
 * that lacks the protocol, no block goes to the gossip topic at all. Then a
 * `--no-compact-blocks` node joins: it still gets the new blocks whole, by
 * gossip. Dandelion is off (`--no-dandelion`) so txs reach the mempools at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { Tx } from '../../src/ledger/tx.js'
import { toHex } from '../../src/util/bytes.js'
import { cookieOf, head, peers, rpc, TestNet, type TestNode, waitFor } from '../helpers/devnet.js'

let net: TestNet
let miner: TestNode
let follower: TestNode

/** A series' value in the node's /metrics (0 when absent); `series` includes its labels. */
async function metric(node: TestNode, series: string): Promise<number> {
  const token = await cookieOf(node.rpc)
  const res = await fetch(new URL('/metrics', node.rpc), { headers: { authorization: `Bearer ${token}` } })
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

const poolSize = async (node: TestNode): Promise<number> =>
  (await rpc<{ txs: unknown[] }>(node.rpc, 'mempool_list')).txs.length

function transfer(from: number, nonce: bigint): Tx {
  return Tx.create(
    {
      chainId: 'peerchain-test',
      recipient: addressFromPublicKey(devnetKey(9).publicKey),
      amount: 1000n,
      fee: 100n,
      nonce,
    },
    devnetKey(from),
  )
}

/** Submits `count` txs from distinct devnet keys to `node` and waits until both pools hold them. */
async function loadTxs(node: TestNode, count: number, nonce: bigint): Promise<void> {
  for (let i = 0; i < count; i++) await rpc(node.rpc, 'tx_submit', { tx: toHex(transfer(i, nonce).bytes) })
  await waitFor('both mempools to hold the txs', async () =>
    (await Promise.all([miner, follower].map(poolSize))).every((n) => n >= count),
  )
}

beforeAll(async () => {
  net = await TestNet.create()
  miner = await net.start('m', { extra: ['--no-dandelion'] })
  follower = await net.start('f', { bootstrap: [miner.addr], extra: ['--no-dandelion'] })
  await waitFor('the two nodes connected', async () => (await peers(follower)).some((p) => p.id === miner.peerId))
}, 60_000)

afterAll(async () => {
  await net?.close()
})

describe('compact blocks between real nodes', () => {
  it('rebuilds blocks from the mempool without a request, and sends no block by gossip', async () => {
    for (let round = 0; round < 2; round++) {
      await loadTxs(follower, 8, BigInt(round))
      const [mined] = await rpc<Array<{ hash: string; height: number }>>(miner.rpc, 'miner_generate', { blocks: 1 })
      await waitFor('the follower to take the block', async () => (await head(follower)).hash === mined?.hash)
    }
    expect(await metric(follower, 'peerchain_compact_blocks_received_total')).toBe(2)
    expect(await metric(follower, 'peerchain_compact_blocks_rebuilt_total{requested="no"}')).toBe(2)
    expect(await metric(follower, 'peerchain_compact_missing_tx_requests_total')).toBe(0)
    expect(await metric(follower, 'peerchain_blocks_imported_total{source="gossip"}')).toBe(2)
    // Nothing arrived on the block topic: every gossip verdict on it is absent.
    expect(await metric(follower, 'peerchain_gossip_messages_total{topic="block",verdict="accept"}')).toBe(0)
    expect(await metric(follower, 'peerchain_compact_bytes_total{direction="in"}')).toBeGreaterThan(0)
    // the status exchange's answer had the stream for the next status request opened ahead
    expect(await metric(follower, 'peerchain_request_streams_ahead_total{outcome="opened"}')).toBeGreaterThan(0)
  })

  it('still gives full blocks, by gossip, to a node that does not speak the protocol', async () => {
    const legacy = await net.start('l', {
      bootstrap: [follower.addr],
      extra: ['--no-dandelion', '--no-compact-blocks'],
    })
    await waitFor('the legacy node connected', async () => (await peers(legacy)).length > 0)
    await waitFor('the legacy node caught up', async () => (await head(legacy)).height === (await head(miner)).height)
    const [mined] = await rpc<Array<{ hash: string; height: number }>>(miner.rpc, 'miner_generate', { blocks: 1 })
    await waitFor('the legacy node to take the block', async () => (await head(legacy)).hash === mined?.hash)
    expect(await metric(legacy, 'peerchain_gossip_messages_total{topic="block",verdict="accept"}')).toBeGreaterThan(0)
    expect(await metric(legacy, 'peerchain_compact_blocks_received_total')).toBe(0)
  })
})
