/** Real node processes started with `--gossip floodsub`: a tx submitted to one reaches every mempool. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import { Tx } from '../../../src/ledger/tx.js'
import { toHex } from '../../../src/util/bytes.js'
import { TestNet as Net, rpc, type TestNet, type TestNode, waitFor } from '../../helpers/devnet.js'

let net: TestNet
let nodes: TestNode[]

beforeAll(async () => {
  net = await Net.create()
  const extra = ['--gossip', 'floodsub']
  const first = await net.start('f0', { extra })
  nodes = [first]
  nodes.push(await net.start('f1', { bootstrap: [first.addr], extra }))
  nodes.push(await net.start('f2', { bootstrap: [nodes[1]!.addr], extra }))
}, 120_000)

afterAll(async () => {
  await net?.close()
})

describe('three floodsub nodes', () => {
  it('propagate a submitted tx to every mempool', async () => {
    await waitFor('every node to have a peer', async () => {
      const peers = await Promise.all(nodes.map((n) => rpc<unknown[]>(n.rpc, 'net_peers')))
      return peers.every((p) => p.length >= 1)
    })
    const tx = Tx.create(
      {
        chainId: 'peerchain-test',
        recipient: addressFromPublicKey(devnetKey(7).publicKey),
        amount: 777n,
        fee: 100n,
        nonce: 0n,
      },
      devnetKey(2),
    )
    // floodsub learns its peers' subscriptions just after connecting: submit until the tx leaves its node
    await waitFor('the tx in every mempool', async () => {
      await rpc(nodes[2]!.rpc, 'tx_submit', { tx: toHex(tx.bytes) }).catch(() => undefined)
      const pools = await Promise.all(nodes.map((n) => rpc<{ txs: { hash: string }[] }>(n.rpc, 'mempool_list')))
      return pools.every((p) => p.txs.some((t) => t.hash === tx.id))
    })
    const pools = await Promise.all(nodes.map((n) => rpc<{ txs: { hash: string }[] }>(n.rpc, 'mempool_list')))
    expect(pools.every((p) => p.txs.some((t) => t.hash === tx.id))).toBe(true)
  })
})
