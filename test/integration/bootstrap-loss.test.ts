/**
 * Losing the bootstrap node with real node processes: after it is killed
 * (SIGKILL) the others still gossip txs and blocks among themselves, and a new
 * node that knows only one of them joins and catches up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { Tx } from '../../src/ledger/tx.js'
import { toHex } from '../../src/util/bytes.js'
import {
  blockAt,
  isConnected,
  TestNet as Net,
  peers,
  rpc,
  type TestNet,
  type TestNode,
  txStatus,
  waitFor,
  waitForHeight,
  waitForSameHead,
} from '../helpers/devnet.js'

let net: TestNet
let boot: TestNode
/** Everyone but the bootstrap node; rest[0] mines. */
let rest: TestNode[]

beforeAll(async () => {
  net = await Net.create()
  boot = await net.start('boot')
  rest = [await net.start('miner', { mine: true, bootstrap: [boot.addr] })]
  for (const name of ['n2', 'n3']) rest.push(await net.start(name, { bootstrap: [boot.addr] }))
}, 60_000)

afterAll(async () => {
  await net?.close()
})

describe('bootstrap loss', () => {
  it('the other nodes keep gossiping txs and blocks after the bootstrap node is killed', async () => {
    const [miner, n2, n3] = rest as [TestNode, TestNode, TestNode]
    // They found each other (DHT random walk), not only the bootstrap node.
    await waitFor(
      'the non-bootstrap nodes to connect to each other',
      async () => {
        const links = await Promise.all(rest.flatMap((x) => rest.filter((y) => y !== x).map((y) => isConnected(x, y))))
        return links.every(Boolean)
      },
      30_000,
    )
    await waitForHeight(miner, 5)
    await rpc(miner.rpc, 'miner_stop')
    await waitForSameHead([boot, ...rest])

    net.kill(boot)
    await waitFor('the bootstrap node to be gone from every peer list', async () => {
      const lists = await Promise.all(rest.map(peers))
      return lists.every((list) => !list.some((p) => p.id === boot.peerId))
    })

    const tx = Tx.create(
      {
        chainId: 'peerchain-test',
        recipient: addressFromPublicKey(devnetKey(6).publicKey),
        amount: 4242n,
        fee: 100n,
        nonce: 0n,
      },
      devnetKey(4),
    )
    await rpc(n3.rpc, 'tx_submit', { tx: toHex(tx.bytes) })
    await waitFor('the tx in every remaining mempool', async () => {
      const statuses = await Promise.all(rest.map((n) => txStatus(n, tx.id)))
      return statuses.every((s) => s.status === 'pending')
    })
    await rpc(miner.rpc, 'miner_start')
    const included = await waitFor('the tx mined and known to every remaining node', async () => {
      const statuses = await Promise.all(rest.map((n) => txStatus(n, tx.id)))
      const first = statuses[0]
      if (first?.status !== 'included') return undefined
      return statuses.every((s) => s.status === 'included' && s.blockHash === first.blockHash) ? first : undefined
    })
    await rpc(miner.rpc, 'miner_stop')
    const tip = await waitForSameHead(rest, included.height)
    const block = await blockAt(n2, included.height)
    expect(block?.hash).toBe(included.blockHash)
    const minerInfo = await rpc<{ peerId: string }>(miner.rpc, 'node_info')
    expect(minerInfo.peerId).not.toBe(boot.peerId)
    expect(tip.height).toBeGreaterThanOrEqual(included.height)
    expect(boot.process.signalCode).toBe('SIGKILL')
  }, 60_000)

  it('a new node that knows only one remaining node joins and catches up', async () => {
    const [miner, n2] = rest as [TestNode, TestNode, TestNode]
    await rpc(miner.rpc, 'miner_start')
    const before = await waitForHeight(miner, (await waitForSameHead(rest)).height + 10)
    const late = await net.start('late', { bootstrap: [n2.addr] })
    await waitForHeight(late, before.height, 30_000)
    await rpc(miner.rpc, 'miner_stop')
    const tip = await waitForSameHead([...rest, late], before.height)
    expect((await blockAt(late, 1))?.hash).toBe((await blockAt(miner, 1))?.hash)
    expect((await blockAt(late, tip.height))?.hash).toBe(tip.hash)
    // It learned more peers than the one it was given (the bootstrap node stays dead).
    const known = await waitFor('the new node to meet more than its one bootstrap peer', async () => {
      const list = await peers(late)
      return list.length >= 2 ? list : undefined
    })
    expect(known.some((p) => p.id === boot.peerId)).toBe(false)
  }, 60_000)
})
