/**
 * Dandelion++ on four real node processes (loopback, OS-chosen ports), all
 * honest, at the default embargo: a tx sent to one node travels its stem
 * over `/peerchain/<chainId>/stem/1` and is fluffed by a later hop, reaching
 * every mempool with no embargo firing; the wallet's next send takes the
 * next nonce although the first tx may still be in its stem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey, formatAddress } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { Tx } from '../../src/ledger/tx.js'
import { toHex } from '../../src/util/bytes.js'
import { cookieOf, peers, rpc, TestNet, type TestNode, waitFor } from '../helpers/devnet.js'

let net: TestNet
let nodes: TestNode[]

async function metricSum(node: TestNode, prefix: string): Promise<number> {
  const token = await cookieOf(node.rpc)
  const text = await (
    await fetch(new URL('/metrics', node.rpc), { headers: { authorization: `Bearer ${token}` } })
  ).text()
  return text
    .split('\n')
    .filter((l) => l.startsWith(prefix) && !l.startsWith('#'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)
}

const mempoolIds = async (node: TestNode): Promise<string[]> =>
  (await rpc<{ txs: { hash: string }[] }>(node.rpc, 'mempool_list')).txs.map((t) => t.hash)

beforeAll(async () => {
  net = await TestNet.create()
  const first = await net.start('n0', { dandelion: true })
  nodes = [first]
  // A line of bootstraps (n3 → n2 → n1 → n0), so each of n1-n3 holds an outbound peer to stem to.
  for (let i = 1; i < 4; i++) {
    const extra = i === 3 ? ['--dev-accounts', '5'] : []
    nodes.push(await net.start(`n${i}`, { bootstrap: [(nodes[i - 1] as TestNode).addr], extra, dandelion: true }))
  }
}, 60_000)

afterAll(async () => {
  await net?.close()
})

describe('Dandelion++ stem across honest real nodes', () => {
  it('stems a tx, fluffs it further on, and every mempool gets it with no embargo fired', async () => {
    await waitFor('n1-n3 to have a full-relay outbound peer', async () => {
      const all = await Promise.all(nodes.slice(1).map(peers))
      return all.every((ps) => ps.some((p) => p.connectionType === 'full-relay'))
    })
    const tx = Tx.create(
      {
        chainId: 'peerchain-test',
        recipient: addressFromPublicKey(devnetKey(9).publicKey),
        amount: 500n,
        fee: 100n,
        nonce: 0n,
      },
      devnetKey(2),
    )
    await rpc(nodes[3]!.rpc, 'tx_submit', { tx: toHex(tx.bytes) })
    await waitFor('the tx in every mempool', async () =>
      (await Promise.all(nodes.map(mempoolIds))).every((ids) => ids.includes(tx.id)),
    )
    const stemTxs = await Promise.all(nodes.map((n) => metricSum(n, 'peerchain_dandelion_stem_txs_total')))
    const fires = await Promise.all(nodes.map((n) => metricSum(n, 'peerchain_dandelion_embargo_fires_total')))
    const fluffs = await Promise.all(nodes.map((n) => metricSum(n, 'peerchain_dandelion_fluffs_total')))
    expect(stemTxs[3]).toBe(1) // the sender held it first
    expect(fires).toEqual([0, 0, 0, 0])
    expect(fluffs.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1)
  }, 30_000)

  it('gives wallet sends in a row consecutive nonces while the first is in its stem', async () => {
    const to = formatAddress(addressFromPublicKey(devnetKey(8).publicKey))
    const first = await rpc<{ hash: string }>(nodes[3]!.rpc, 'wallet_send', {
      from: 'devnet-5',
      to,
      amount: '100',
      fee: '10',
    })
    const second = await rpc<{ hash: string }>(nodes[3]!.rpc, 'wallet_send', {
      from: 'devnet-5',
      to,
      amount: '100',
      fee: '10',
    })
    expect(second.hash).not.toBe(first.hash)
    // Both were taken into the sender's stem (it has an outbound peer), not gossiped at once.
    expect(await metricSum(nodes[3]!, 'peerchain_dandelion_stem_txs_total{origin="own"}')).toBe(3)
    await waitFor('both txs in every mempool', async () =>
      (await Promise.all(nodes.map(mempoolIds))).every((ids) => ids.includes(first.hash) && ids.includes(second.hash)),
    )
  }, 30_000)
})
