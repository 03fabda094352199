/** Real node processes on 127.0.0.1: propagation, mining, convergence. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey, formatAddress } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { Tx } from '../../src/ledger/tx.js'
import { toHex } from '../../src/util/bytes.js'
import { head, TestNet as Net, rpc, type TestNet, type TestNode, waitFor } from '../helpers/devnet.js'

let net: TestNet
let nodes: TestNode[]

beforeAll(async () => {
  net = await Net.create()
  const boot = await net.start('n0', { mine: true })
  nodes = [boot]
  for (let i = 1; i < 5; i++) nodes.push(await net.start(`n${i}`, { bootstrap: [boot.addr] }))
}, 120_000)

afterAll(async () => {
  await net?.close()
})

describe('five nodes', () => {
  it('a tx submitted to one node reaches every mempool, is mined, and all report the same head', async () => {
    await waitFor('every node to have peers', async () => {
      const counts = await Promise.all(nodes.map((n) => rpc<unknown[]>(n.rpc, 'net_peers')))
      return counts.every((p) => p.length >= 1)
    })
    // Stop mining so the tx waits in every mempool where we can see it.
    await rpc(nodes[0]!.rpc, 'miner_stop')
    const tx = Tx.create(
      {
        chainId: 'peerchain-test',
        recipient: addressFromPublicKey(devnetKey(7).publicKey),
        amount: 12345n,
        fee: 100n,
        nonce: 0n,
      },
      devnetKey(3),
    )
    const submitted = await rpc<{ hash: string }>(nodes[4]!.rpc, 'tx_submit', { tx: toHex(tx.bytes) })
    expect(submitted.hash).toBe(tx.id)
    await waitFor('the tx in every mempool', async () => {
      const pools = await Promise.all(nodes.map((n) => rpc<{ txs: { hash: string }[] }>(n.rpc, 'mempool_list')))
      return pools.every((p) => p.txs.some((t) => t.hash === tx.id))
    })
    await rpc(nodes[0]!.rpc, 'miner_start')
    const included = await waitFor('the tx mined', async () => {
      const r = await rpc<{ status: string; height?: number }>(nodes[2]!.rpc, 'tx_get', { hash: tx.id })
      return r.status === 'included' ? r : undefined
    })
    expect(included.height).toBeGreaterThan(0)
    await rpc(nodes[0]!.rpc, 'miner_stop')
    await waitFor('every node on one head', async () => {
      const heads = await Promise.all(nodes.map(head))
      return heads.every((h) => h.hash === heads[0]!.hash) && heads[0]!.height >= (included.height ?? 0)
    })
    const account = await rpc<{ balance: string }>(nodes[1]!.rpc, 'chain_getAccount', {
      address: formatAddress(addressFromPublicKey(devnetKey(7).publicKey)),
    })
    expect(BigInt(account.balance)).toBe(1_000_000n * 100_000_000n + 12345n)
  }, 120_000)
})
