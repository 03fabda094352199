/**
 * A partition and its healing with real node processes: two groups separated
 * with net_ban mine apart; after net_unban + net_connect every node follows
 * the branch with the most work, and a tx that only the losing branch
 * included goes back to the mempool and is mined again on the winning chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey, formatAddress } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { Tx } from '../../src/ledger/tx.js'
import { toHex } from '../../src/util/bytes.js'
import {
  blockAt,
  head,
  isConnected,
  TestNet as Net,
  rpc,
  type TestNet,
  type TestNode,
  txStatus,
  waitFor,
  waitForHeight,
  waitForSameHead,
} from '../helpers/devnet.js'

let net: TestNet
/** The group that will win: a1 mines longest. */
let groupA: TestNode[]
/** The group that will lose: b1 mines for a shorter time. */
let groupB: TestNode[]

beforeAll(async () => {
  net = await Net.create()
  const a1 = await net.start('a1', { mine: true })
  const a2 = await net.start('a2', { bootstrap: [a1.addr] })
  const b1 = await net.start('b1', { mine: true, bootstrap: [a1.addr] })
  const b2 = await net.start('b2', { bootstrap: [a1.addr] })
  groupA = [a1, a2]
  groupB = [b1, b2]
}, 60_000)

afterAll(async () => {
  await net?.close()
})

const all = (): TestNode[] => [...groupA, ...groupB]

async function eachAcross(fn: (node: TestNode, other: TestNode) => Promise<unknown>): Promise<void> {
  for (const a of groupA) for (const b of groupB) await Promise.all([fn(a, b), fn(b, a)])
}

async function expectConnectedWithin(group: readonly TestNode[]): Promise<void> {
  for (const x of group) for (const y of group) if (x !== y) expect(await isConnected(x, y)).toBe(true)
}

describe('partition and heal', () => {
  it('every node ends on the most-work head and the losing branch tx is mined again on it', async () => {
    const [a1, a2] = groupA as [TestNode, TestNode]
    const [b1, b2] = groupB as [TestNode, TestNode]
    // Each group must hold together on its own once the other is banned.
    await rpc(a2.rpc, 'net_connect', { multiaddr: a1.addr })
    await rpc(b2.rpc, 'net_connect', { multiaddr: b1.addr })
    await waitForHeight(a1, 5)
    // Two miners may leave tips of equal work, and equal work keeps the tip seen first: stop one
    // miner, then let the other extend the chain everyone follows before it stops too.
    await rpc(b1.rpc, 'miner_stop')
    await waitForHeight(a1, (await head(b1)).height + 3)
    await rpc(a1.rpc, 'miner_stop')
    const common = await waitForSameHead(all())

    // Partition: every node bans every node of the other group.
    await eachAcross((node, other) => rpc(node.rpc, 'net_ban', { peerId: other.peerId, reason: 'partition test' }))
    await waitFor('the groups to be apart', async () => {
      const links = await Promise.all(
        groupA.flatMap((a) => groupB.flatMap((b) => [isConnected(a, b), isConnected(b, a)])),
      )
      return links.every((l) => !l)
    })
    await expectConnectedWithin(groupA)
    await expectConnectedWithin(groupB)

    // Both groups mine; the tx goes only to group B.
    await Promise.all([rpc(a1.rpc, 'miner_start'), rpc(b1.rpc, 'miner_start')])
    const sender = devnetKey(5)
    const account = await rpc<{ nonce: string }>(b2.rpc, 'chain_getAccount', {
      address: formatAddress(addressFromPublicKey(sender.publicKey)),
    })
    const tx = Tx.create(
      {
        chainId: 'peerchain-test',
        recipient: addressFromPublicKey(devnetKey(8).publicKey),
        amount: 777n,
        fee: 100n,
        nonce: BigInt(account.nonce),
      },
      sender,
    )
    await rpc(b2.rpc, 'tx_submit', { tx: toHex(tx.bytes) })
    const onB = await waitFor('the tx mined in group B', async () => {
      const statuses = await Promise.all(groupB.map((n) => txStatus(n, tx.id)))
      const first = statuses[0]
      return first?.status === 'included' && statuses.every((s) => s.status === 'included') ? first : undefined
    })
    expect(onB.height).toBeGreaterThan(common.height)
    await waitForHeight(b1, onB.height + 3)
    await rpc(b1.rpc, 'miner_stop')
    const losing = await waitForSameHead(groupB)

    // Group A mines on until it has clearly more work.
    await waitForHeight(a1, losing.height + 20, 45_000)
    await rpc(a1.rpc, 'miner_stop')
    const winning = await waitForSameHead(groupA)
    expect(BigInt(winning.totalWork)).toBeGreaterThan(BigInt(losing.totalWork))
    for (const a of groupA) expect((await txStatus(a, tx.id)).status).toBe('unknown')
    await expectConnectedWithin(groupA)
    await expectConnectedWithin(groupB)

    // Heal: lift every ban, then dial across.
    await eachAcross((node, other) => rpc(node.rpc, 'net_unban', { peerId: other.peerId }))
    await rpc(b1.rpc, 'net_connect', { multiaddr: a1.addr })
    await rpc(b2.rpc, 'net_connect', { multiaddr: a2.addr })
    const healed = await waitForSameHead(all(), winning.height, 30_000)
    expect(healed.hash).toBe(winning.hash)
    for (const n of all()) expect((await blockAt(n, onB.height))?.hash).not.toBe(onB.blockHash)

    // The reorg put the tx back into group B's mempools.
    await waitFor('the tx back in group B mempools', async () => {
      const statuses = await Promise.all(groupB.map((n) => txStatus(n, tx.id)))
      return statuses.every((s) => s.status === 'pending')
    })

    // A miner now on the winning chain mines it again.
    await rpc(b1.rpc, 'miner_start')
    const again = await waitFor('the tx included again on every node', async () => {
      const statuses = await Promise.all(all().map((n) => txStatus(n, tx.id)))
      const first = statuses[0]
      if (first?.status !== 'included') return undefined
      return statuses.every((s) => s.status === 'included' && s.blockHash === first.blockHash) ? first : undefined
    })
    await rpc(b1.rpc, 'miner_stop')
    expect(again.blockHash).not.toBe(onB.blockHash)
    expect(again.height).toBeGreaterThan(winning.height)
    const final = await waitForSameHead(all(), again.height)
    for (const n of all()) {
      // In the main chain of every node, on top of the winning branch.
      expect((await blockAt(n, again.height))?.hash).toBe(again.blockHash)
      expect((await blockAt(n, winning.height))?.hash).toBe(winning.hash)
      expect((await head(n)).hash).toBe(final.hash)
    }
    const recipient = await rpc<{ balance: string }>(a2.rpc, 'chain_getAccount', {
      address: formatAddress(addressFromPublicKey(devnetKey(8).publicKey)),
    })
    // Paid once, not twice.
    expect(BigInt(recipient.balance)).toBe(1_000_000n * 100_000_000n + 777n)
  }, 90_000)
})
