/**
 * Dandelion++ on real node processes (loopback, OS-chosen ports): a sender's
 * stem hop takes its tx and is killed before passing it on; the sender's
 * embargo fires and the tx still reaches every node that is up. Every other
 * node runs the test fault PEERCHAIN_TEST_STEM_FAULT=drop (takes stem txs and
 * drops them: docs/CONFIG.md), so whichever relay the sender picks is a hop
 * that loses the stem. The embargo is shortened with
 * PEERCHAIN_DANDELION_EMBARGO_MEAN_MS. Then a `--no-dandelion` node's tx goes
 * straight to gossip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { Tx } from '../../src/ledger/tx.js'
import { toHex } from '../../src/util/bytes.js'
import { cookieOf, peers, rpc, TestNet, type TestNode, type TxStatusJson, waitFor } from '../helpers/devnet.js'

const EMBARGO_MEAN_MS = '1500'

let net: TestNet
let sender: TestNode
let hops: TestNode[]

/** A counter's value in the node's /metrics (0 when absent). */
async function metric(node: TestNode, series: string): Promise<number> {
  const token = await cookieOf(node.rpc)
  const res = await fetch(new URL('/metrics', node.rpc), { headers: { authorization: `Bearer ${token}` } })
  const text = await res.text()
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

const inMempool = async (node: TestNode, id: string): Promise<boolean> =>
  (await rpc<{ txs: { hash: string }[] }>(node.rpc, 'mempool_list')).txs.some((t) => t.hash === id)

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

beforeAll(async () => {
  net = await TestNet.create()
  const env = { PEERCHAIN_DANDELION_EMBARGO_MEAN_MS: EMBARGO_MEAN_MS }
  const dropping = { ...env, PEERCHAIN_TEST_STEM_FAULT: 'drop' }
  const first = await net.start('b', { env: dropping, dandelion: true })
  hops = [first]
  for (const name of ['c', 'd'])
    hops.push(await net.start(name, { bootstrap: [first.addr], env: dropping, dandelion: true }))
  sender = await net.start('a', { bootstrap: hops.map((h) => h.addr), env, dandelion: true })
}, 60_000)

afterAll(async () => {
  await net?.close()
})

describe('Dandelion++ across real nodes', () => {
  it('fires the embargo when the next stem hop is killed holding the tx, and the tx reaches every node up', async () => {
    await waitFor('the sender to hold a full-relay outbound peer, and every node a peer', async () => {
      const ours = await peers(sender)
      const others = await Promise.all(hops.map(peers))
      return ours.some((p) => p.connectionType === 'full-relay') && others.every((p) => p.length >= 1)
    })
    const tx = transfer(3, 0n)
    const submitted = await rpc<{ hash: string }>(sender.rpc, 'tx_submit', { tx: toHex(tx.bytes) })
    expect(submitted.hash).toBe(tx.id)

    // A stem tx is never listed or served before it is fluffed: if the sender lists it, its embargo has fired.
    const listed = await inMempool(sender, tx.id)
    const served = await rpc<TxStatusJson>(sender.rpc, 'tx_get', { hash: tx.id })
    const firedByThen = await metric(sender, 'peerchain_dandelion_embargo_fires_total')
    if (listed || served.status !== 'unknown') expect(firedByThen).toBe(1)

    // The hop that took the stem (and dropped it) is killed.
    const holder = await waitFor('a hop to take the stem tx', async () => {
      const counts = await Promise.all(
        hops.map((h) => metric(h, 'peerchain_dandelion_stem_txs_total{origin="relayed"}')),
      )
      const at = counts.indexOf(1)
      return at >= 0 ? (hops[at] as TestNode) : undefined
    })
    net.kill(holder)
    const alive = [sender, ...hops.filter((h) => h !== holder)]

    await waitFor(
      'the tx in every live mempool',
      async () => (await Promise.all(alive.map((n) => inMempool(n, tx.id)))).every(Boolean),
      20_000,
    )
    expect(await metric(sender, 'peerchain_dandelion_embargo_fires_total')).toBe(1)
    expect(await metric(sender, 'peerchain_dandelion_fluffs_total{reason="embargo"}')).toBe(1)
    expect(await metric(sender, 'peerchain_dandelion_stem_txs_total{origin="own"}')).toBe(1)
  }, 40_000)

  it('sends a --no-dandelion node’s tx straight to gossip', async () => {
    const alive = [sender, ...hops.filter((h) => h.process.exitCode === null && h.process.signalCode === null)]
    const plain = await net.start('e', { bootstrap: alive.map((n) => n.addr), dandelion: false })
    await waitFor('the plain node to have peers', async () => (await peers(plain)).length >= 1)
    const tx = transfer(4, 0n)
    await rpc(plain.rpc, 'tx_submit', { tx: toHex(tx.bytes) })
    expect(await inMempool(plain, tx.id)).toBe(true)
    await waitFor('the tx in every mempool', async () =>
      (await Promise.all([...alive, plain].map((n) => inMempool(n, tx.id)))).every(Boolean),
    )
    expect(await metric(plain, 'peerchain_dandelion_stem_txs_total{origin="own"}')).toBe(0)
  }, 30_000)
})
