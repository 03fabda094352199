/**
 * A deterministic sequence of blocks with reorgs: two producers on memory-store
 * chains race from a common tip every round, and their blocks are listed in
 * the order a third node would see them. Importing the list in order makes the
 * head switch branches many times, and every block moves balances (transfers
 * to fresh addresses too, so reorgs delete accounts as well as change them).
 */
import { Block, Header } from '../../src/ledger/block.js'
import type { Genesis } from '../../src/ledger/genesis.js'
import type { Tx } from '../../src/ledger/tx.js'
import { bytesToBigint } from '../../src/util/bytes.js'
import { type Rng, seededRng } from '../../src/util/rng.js'
import { minerAddress, openTestChain, type TestChain, testGenesis, transfer } from './chain.js'

export interface ReorgSequence {
  genesis: Genesis
  blocks: Block[]
  /** Every address a block of the sequence touches (devnet accounts, miners, fresh recipients). */
  addresses: Uint8Array[]
}

interface Producer {
  t: TestChain
  /** Devnet accounts only this producer spends from, so its nonces never clash with the other's. */
  senders: number[]
  miner: number
}

/** Spent in both branches of a round: the same tx sits in the losing and the winning block. */
const SHARED_SENDERS = [8, 9]
const FRESH_FIRST = 1000

export async function buildReorgSequence(opts: { rounds: number; seed: number }): Promise<ReorgSequence> {
  const rng = seededRng(opts.seed)
  const genesis = testGenesis()
  const p: Producer = { t: await openTestChain({ genesis }), senders: [0, 1, 2, 3], miner: 100 }
  const q: Producer = { t: await openTestChain({ genesis }), senders: [4, 5, 6, 7], miner: 101 }
  q.t.clock.advance(500)
  let fresh = FRESH_FIRST
  const nextFresh = () => fresh++
  const blocks: Block[] = []

  for (let round = 0; round < opts.rounds; round++) {
    const [leader, challenger] = round % 2 === 0 ? [p, q] : [q, p]
    // 0: the challenger overtakes; 1: it falls short (side blocks only); 2: it overtakes and the leader takes the lead back.
    const kind = rng.int(3)
    const led = 3 + rng.int(6)
    const from = SHARED_SENDERS[round % 2] as number
    const shared = transfer(from, nextFresh(), (await leader.t.chain.getAccount(minerAddress(from))).nonce, 777n, 3n)

    const leaderBlocks = await mineRun(leader, led, rng, nextFresh, shared, 0)
    const challenged = kind === 1 ? led - 1 : led + 1 + rng.int(2)
    const challengerBlocks = await mineRun(challenger, challenged, rng, nextFresh, shared, 1)
    const lateBlocks = kind === 2 ? await mineRun(leader, challenged - led + 1 + rng.int(2), rng, nextFresh) : []
    blocks.push(...leaderBlocks, ...challengerBlocks, ...lateBlocks)

    await feed(leader, challengerBlocks)
    await feed(challenger, [...leaderBlocks, ...lateBlocks])
    if (p.t.chain.head.id !== q.t.chain.head.id) throw new Error(`round ${round}: the producers did not converge`)
  }

  const addresses = [...Array.from({ length: 10 }, (_, i) => i), p.miner, q.miner]
  for (let i = FRESH_FIRST; i < fresh; i++) addresses.push(i)
  return { genesis, blocks, addresses: addresses.map((i) => minerAddress(i)) }
}

async function mineRun(
  producer: Producer,
  count: number,
  rng: Rng,
  nextFresh: () => number,
  shared?: Tx,
  sharedAt = -1,
): Promise<Block[]> {
  const out: Block[] = []
  for (let i = 0; i < count; i++) {
    const txs = await randomTransfers(producer, rng, nextFresh)
    if (i === sharedAt && shared) txs.push(shared)
    out.push(await mineOn(producer, txs))
  }
  return out
}

/** Zero to three transfers from the producer's own accounts, half of them to addresses never seen before. */
async function randomTransfers(producer: Producer, rng: Rng, nextFresh: () => number): Promise<Tx[]> {
  const nonces = new Map<number, bigint>()
  const txs: Tx[] = []
  const count = rng.int(4)
  for (let i = 0; i < count; i++) {
    const from = producer.senders[rng.int(producer.senders.length)] as number
    const nonce = nonces.get(from) ?? (await producer.t.chain.getAccount(minerAddress(from))).nonce
    nonces.set(from, nonce + 1n)
    let to = rng.next() < 0.5 ? nextFresh() : rng.int(10)
    if (to === from) to = nextFresh()
    txs.push(transfer(from, to, nonce, 1000n + BigInt(rng.int(1_000_000)), 1n + BigInt(rng.int(50))))
  }
  return txs
}

/** Builds a block on the producer's head, seals it in-process (the test target is met by one hash in two), imports it. */
async function mineOn(producer: Producer, txs: Tx[]): Promise<Block> {
  producer.t.clock.advance(1000)
  const { fields, txs: included } = await producer.t.chain.buildBlock({ miner: minerAddress(producer.miner), txs })
  if (included.length !== txs.length) throw new Error('a transfer of the sequence does not apply')
  for (let nonce = 0n; ; nonce++) {
    const header = Header.fromFields({ ...fields, nonce })
    if (bytesToBigint(header.hash) > header.target) continue
    const block = new Block(header, included)
    const result = await producer.t.chain.importBlock(block, 'rpc')
    if (result.status !== 'head') throw new Error(`a producer's own block went to ${result.status}`)
    return block
  }
}

async function feed(producer: Producer, blocks: readonly Block[]): Promise<void> {
  const latest = Math.max(0, ...blocks.map((b) => b.header.timestampMs))
  producer.t.clock.set(Math.max(producer.t.clock.nowMs(), latest))
  for (const block of blocks) await producer.t.chain.importBlock(Block.fromBytes(block.bytes), 'rpc')
}
