/**
 * Misbehaving peers against real node processes. Each attacker runs in this
 * process on the real libp2p network (createNetwork): it passes the status
 * handshake with the honest genesis, then gossips invalid txs (bad
 * signature) or invalid blocks (bad proof of work; good proof of work but a
 * bad state root). The honest nodes charge it, drop it and ban it for a while;
 * the invalid items go nowhere; the honest nodes never drop each other.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey } from '../../src/ledger/address.js'
import { BLOCK_VERSION, Block, Header, type HeaderFields, txRootOf } from '../../src/ledger/block.js'
import { encodeStatus } from '../../src/ledger/codec/wire-codec.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { Tx } from '../../src/ledger/tx.js'
import { createNetwork } from '../../src/net/libp2p-network.js'
import type { Network } from '../../src/net/network.js'
import { STATUS_LIMITS } from '../../src/relay/status.js'
import { blockTopic, statusProtocol, txTopic } from '../../src/relay/topics.js'
import { bigintToBytes, bytesToBigint, fromHex } from '../../src/util/bytes.js'
import {
  type BlockJson,
  blockAt,
  fastGenesis,
  head,
  TestNet as Net,
  type PeerJson,
  peers,
  rpc,
  type TestNet,
  type TestNode,
  txStatus,
  waitFor,
  waitForHeight,
  waitForSameHead,
} from '../helpers/devnet.js'

const GENESIS = fastGenesis()
const CHAIN_ID = GENESIS.chainId
/** How long an honest node may take to drop a peer that sends invalid data. */
const DROP_DEADLINE_MS = 15_000

let net: TestNet
let honest: TestNode[]
let monitor: HonestMonitor
const attackers: Network[] = []

/** Polls the honest nodes in the background and records any moment two of them were not connected or charged each other. */
class HonestMonitor {
  readonly faults: string[] = []
  private running = true
  private readonly done: Promise<void>

  constructor(private readonly nodes: readonly TestNode[]) {
    this.done = this.loop()
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const lists = await Promise.all(this.nodes.map((n) => peers(n).catch(() => undefined)))
      this.nodes.forEach((node, i) => {
        const list = lists[i]
        if (list === undefined) return // a slow RPC answer is not a disconnection
        for (const other of this.nodes) {
          if (other === node) continue
          const entry = list.find((p) => p.id === other.peerId)
          if (entry === undefined) this.faults.push(`${node.peerId} lost ${other.peerId}`)
          else if (entry.score !== 0) this.faults.push(`${node.peerId} scored ${other.peerId} at ${entry.score}`)
        }
      })
      await new Promise((r) => setTimeout(r, 250))
    }
  }

  async stop(): Promise<void> {
    this.running = false
    await this.done
  }
}

beforeAll(async () => {
  net = await Net.create(GENESIS)
  const miner = await net.start('h0', { mine: true })
  honest = [miner]
  for (const name of ['h1', 'h2']) honest.push(await net.start(name, { bootstrap: [miner.addr] }))
  await waitFor('the honest nodes fully connected', async () => {
    const lists = await Promise.all(honest.map(peers))
    return lists.every((list, i) => honest.every((o, j) => i === j || list.some((p) => p.id === o.peerId)))
  })
  monitor = new HonestMonitor(honest)
}, 60_000)

afterAll(async () => {
  await monitor?.stop()
  await Promise.allSettled(attackers.map((a) => a.stop()))
  await net?.close()
})

/** An attacker on the honest chain: it answers the status handshake with the honest genesis so it is not refused as another chain. */
async function startAttacker(bootstrap: TestNode): Promise<Network> {
  const info = await rpc<{ genesisHash: string }>(bootstrap.rpc, 'node_info')
  const genesisHash = fromHex(info.genesisHash)
  const attacker = await createNetwork({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [bootstrap.addr],
    chainId: CHAIN_ID,
    localCluster: true,
  })
  attackers.push(attacker)
  const status = encodeStatus({
    chainId: CHAIN_ID,
    genesisHash,
    headHash: genesisHash,
    headHeight: 0n,
    totalWork: bigintToBytes(1n),
    role: 'full',
  })
  let asked = 0
  await attacker.handle(
    statusProtocol(CHAIN_ID),
    async () => {
      asked++
      return status
    },
    STATUS_LIMITS,
  )
  attacker.subscribe(
    txTopic(CHAIN_ID),
    async () => 'ignore',
    () => {},
  )
  attacker.subscribe(
    blockTopic(CHAIN_ID),
    async () => 'ignore',
    () => {},
  )
  await attacker.start()
  // The honest node asked for its status and kept the connection: it passed as a peer of this chain.
  await waitFor('the honest node to handshake with the attacker', async () => {
    return asked > 0 && (await listed(bootstrap, attacker.peerId)) !== undefined
  })
  await new Promise((r) => setTimeout(r, 500))
  expect(await listed(bootstrap, attacker.peerId), 'the attacker survived the status handshake').toBeDefined()
  return attacker
}

async function listed(node: TestNode, peerId: string): Promise<PeerJson | undefined> {
  return (await peers(node)).find((p) => p.id === peerId)
}

/**
 * Gossips a fresh invalid item every 200 ms until no honest node lists the
 * attacker (every node it reached charged and dropped it). Resolves with what
 * was published to at least one peer.
 */
async function gossipUntilDropped(
  attacker: Network,
  topic: string,
  next: (i: number) => Promise<{ id: string; bytes: Uint8Array }>,
): Promise<string[]> {
  const published: string[] = []
  const deadline = Date.now() + DROP_DEADLINE_MS
  for (let i = 0; ; i++) {
    const lists = await Promise.all(honest.map(peers))
    if (lists.every((list) => !list.some((p) => p.id === attacker.peerId))) return published
    if (Date.now() > deadline) {
      const holders = honest.filter((_, j) => lists[j]?.some((p) => p.id === attacker.peerId))
      throw new Error(`after ${published.length} invalid messages, still listed by ${holders.map((h) => h.peerId)}`)
    }
    const item = await next(i)
    const recipients = await attacker.publish(topic, item.bytes).catch(() => 0)
    if (recipients > 0) published.push(item.id)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** The attacker cannot come back while its ban lasts: a new dial is refused. */
async function expectStillRefused(node: TestNode, attacker: Network): Promise<void> {
  await attacker.dial(node.addr).catch(() => undefined)
  await new Promise((r) => setTimeout(r, 1_500))
  expect(await listed(node, attacker.peerId), 'a banned attacker got back in').toBeUndefined()
}

function badSignatureTx(i: number): Tx {
  const valid = Tx.create(
    {
      chainId: CHAIN_ID,
      recipient: addressFromPublicKey(devnetKey(9).publicKey),
      amount: 1_000n + BigInt(i),
      fee: 100n,
      nonce: 0n,
    },
    devnetKey(2),
  )
  const signature = Uint8Array.from(valid.fields.signature)
  signature[0]! ^= 0xff
  return Tx.fromFields({ ...valid.fields, signature })
}

type FullBlockJson = BlockJson & { timestamp: number; target: string; stateRoot: string }

/** A header on `parent` that passes every check but the ones the caller breaks. */
function headerOn(parent: FullBlockJson): HeaderFields {
  return {
    version: BLOCK_VERSION,
    height: BigInt(parent.height + 1),
    parentHash: fromHex(parent.hash),
    timestamp: BigInt(Math.max(Date.now(), parent.timestamp + 1)),
    txRoot: txRootOf([]),
    // The parent's state root: wrong for the child, whose miner is paid.
    stateRoot: fromHex(parent.stateRoot),
    target: fromHex(parent.target),
    miner: randomBytes(20),
    reward: GENESIS.params.subsidy,
    nonce: 0n,
  }
}

async function headBlock(node: TestNode): Promise<FullBlockJson> {
  const h = await head(node)
  return rpc<FullBlockJson>(node.rpc, 'chain_getBlock', { hash: h.hash })
}

/** Grinds nonces until the header's hash is above (`valid` false) or at/below (`valid` true) its target. */
function seal(fields: HeaderFields, valid: boolean): Block {
  const target = bytesToBigint(fields.target)
  for (let nonce = 0n; ; nonce++) {
    const header = Header.fromFields({ ...fields, nonce })
    if (bytesToBigint(header.hash) <= target === valid) return new Block(header, [])
  }
}

/**
 * None of `blockIds` is any honest node's head or main-chain block. (A block
 * that failed to connect stays in the block index marked invalid, so that it
 * is refused at once if sent again; chain_getBlock by hash still returns it.)
 */
async function expectAbsentFromChains(blockIds: readonly string[]): Promise<void> {
  for (const node of honest) {
    const tip = await head(node)
    for (const id of blockIds) expect(tip.hash).not.toBe(id)
    // every height an invalid block could have taken holds another block
    const heights = new Set<number>()
    for (const id of blockIds) {
      const block = await rpc<BlockJson | null>(node.rpc, 'chain_getBlock', { hash: id })
      if (block) heights.add(block.height)
    }
    for (const height of heights) expect(blockIds).not.toContain((await blockAt(node, height))?.hash)
  }
}

describe('a peer that gossips invalid data', () => {
  it('is dropped and banned for invalid txs (bad signature), which never reach a mempool', async () => {
    const attacker = await startAttacker(honest[1]!)
    const txIds = await gossipUntilDropped(attacker, txTopic(CHAIN_ID), async (i) => {
      const tx = badSignatureTx(i)
      return { id: tx.id, bytes: tx.bytes }
    })
    expect(txIds.length).toBeGreaterThan(0)
    for (const node of honest) {
      const pool = await rpc<{ txs: { hash: string }[] }>(node.rpc, 'mempool_list')
      for (const id of txIds) {
        expect(pool.txs.some((t) => t.hash === id)).toBe(false)
        expect((await txStatus(node, id)).status).toBe('unknown')
      }
    }
    await expectStillRefused(honest[1]!, attacker)
    await attacker.stop()
  }, 45_000)

  it('is dropped and banned for invalid blocks (bad proof of work), which never reach a chain', async () => {
    const attacker = await startAttacker(honest[2]!)
    const blockIds = await gossipUntilDropped(attacker, blockTopic(CHAIN_ID), async () => {
      const fields = headerOn(await headBlock(honest[2]!))
      const block = seal(fields, false)
      return { id: block.id, bytes: block.bytes }
    })
    expect(blockIds.length).toBeGreaterThan(0)
    for (const node of honest) {
      for (const id of blockIds) expect(await rpc(node.rpc, 'chain_getBlock', { hash: id })).toBeNull()
    }
    await expectAbsentFromChains(blockIds)
    await expectStillRefused(honest[2]!, attacker)
    await attacker.stop()
  }, 45_000)

  it('is dropped and banned for blocks with a valid proof of work but a bad state root', async () => {
    const [miner] = honest as [TestNode]
    // A still head: a block on an older parent would be a side branch, stored without its state checked.
    await rpc(miner.rpc, 'miner_stop')
    await waitForSameHead(honest)
    const attacker = await startAttacker(miner)
    const blockIds = await gossipUntilDropped(attacker, blockTopic(CHAIN_ID), async () =>
      seal(headerOn(await headBlock(miner)), true),
    )
    expect(blockIds.length).toBeGreaterThan(0)
    await expectAbsentFromChains(blockIds)
    await expectStillRefused(miner, attacker)
    await attacker.stop()

    // The honest nodes still mine and follow one chain together.
    const before = await head(miner)
    await rpc(miner.rpc, 'miner_start')
    await waitForHeight(miner, before.height + 5)
    await rpc(miner.rpc, 'miner_stop')
    const tip = await waitForSameHead(honest, before.height + 5)
    expect(blockIds).not.toContain(tip.hash)
  }, 45_000)

  it('never costs the honest nodes their connections to each other', async () => {
    await monitor.stop()
    expect(monitor.faults).toEqual([])
    const lists = await Promise.all(honest.map(peers))
    for (const [i, list] of lists.entries()) {
      for (const [j, other] of honest.entries()) {
        if (i !== j) expect(list.find((p) => p.id === other.peerId)?.score).toBe(0)
      }
    }
  })
})
