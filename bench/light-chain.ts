/**
 * The chains of the light bench:
 *
 * - `buildLightChain`: a real version 2 (MMR-committing) proof-of-work chain
 *   of `blocks` blocks, each carrying `txsPerBlock` signed transfers between
 *   bench accounts, built in-process with the chain's own code (Chain on a
 *   MemoryStore: buildBlock, seal, importBlock, so every rule holds and every
 *   header carries its `mmrRoot`), on a genesis every hash meets (the bench
 *   genesis) whose blocks are one second apart and end a few minutes ago, so
 *   a node on the real clock takes them. `writeChainDir` copies the store,
 *   entry for entry, into a LevelDB at a node's `<datadir>/chain`.
 * - `syntheticHeaders`: a header-only chain of any length (the 100,000-header
 *   figures), each header a version 2 header of the same field widths as the
 *   real chain's with a correct `mmrRoot` and a valid seal, so FlyClient
 *   proofs of it build and verify; no state or txs behind them.
 */
import { mkdir } from 'node:fs/promises'
import { Chain } from '../src/chain/chain.js'
import { buildGenesisBlock } from '../src/chain/genesis-block.js'
import { StateTrie } from '../src/chain/trie.js'
import { PowEngine } from '../src/consensus/pow/engine.js'
import { addressFromPublicKey } from '../src/ledger/address.js'
import { BLOCK_VERSION_MMR, Block, type Header } from '../src/ledger/block.js'
import { type Genesis, genesisToJson, parseGenesis, subsidyAt } from '../src/ledger/genesis.js'
import { MmrTree } from '../src/ledger/mmr.js'
import type { BatchOp } from '../src/storage/kv.js'
import { LevelStore } from '../src/storage/level.js'
import { MemoryStore } from '../src/storage/memory.js'
import { bigintToBytes } from '../src/util/bytes.js'
import { ManualClock } from '../src/util/clock.js'
import { benchGenesis, benchKey, transferBatches } from './common.js'

export const BLOCK_SPACING_MS = 1000

export interface LightChain {
  genesis: Genesis
  chain: Chain
  store: MemoryStore
  /** Main-chain headers, genesis first. */
  headers: Header[]
  /** Encoded bytes of every block after the genesis. */
  blockBytes: number
  txs: number
  /** The miner of every block (an account besides the bench accounts). */
  miner: Uint8Array
  buildSeconds: number
}

/** The bench genesis with version 2 headers, parsed back from its JSON as a node reads it. */
export function lightGenesis(accounts: number, blocks: number, chainId: string): Genesis {
  const template = benchGenesis(accounts)
  template.chainId = chainId
  template.params = { ...template.params, headerVersion: BLOCK_VERSION_MMR }
  // The tip lands two minutes before now: on the nodes' real clocks every block is in the past.
  template.timestampMs = Date.now() - (blocks * BLOCK_SPACING_MS + 120_000)
  return parseGenesis(genesisToJson(template))
}

export async function buildLightChain(
  genesis: Genesis,
  accounts: number,
  blocks: number,
  txsPerBlock: number,
  progress: (msg: string) => void,
): Promise<LightChain> {
  const started = performance.now()
  const store = new MemoryStore()
  await store.open()
  const engine = new PowEngine(genesis.params)
  const clock = new ManualClock(genesis.timestampMs)
  // Every tx is signed here by construction; the nodes that sync the chain check every signature.
  const chain = await Chain.open({ store, genesis, engine, clock, signatures: { verifyTxs: async () => -1 } })
  const miner = addressFromPublicKey(benchKey(accounts + 1).publicKey)
  let blockBytes = 0
  let txs = 0
  let height = 0
  for (const batch of transferBatches(accounts, blocks, txsPerBlock, genesis.chainId)) {
    clock.advance(BLOCK_SPACING_MS)
    const { fields, txs: included } = await chain.buildBlock({ miner, txs: batch })
    if (included.length !== batch.length) throw new Error(`block ${height + 1} left out txs`)
    const header = await engine.seal(fields)
    if (!header) throw new Error('sealing failed')
    const block = new Block(header, included)
    const result = await chain.importBlock(block, 'rpc')
    if (result.status !== 'head') throw new Error(`block ${block.height} did not become the head: ${result.status}`)
    blockBytes += block.bytes.byteLength
    txs += included.length
    height++
    if (height % 2000 === 0) progress(`built ${height} of ${blocks} blocks`)
  }
  await engine.close()
  const headers: Header[] = []
  for (let h = 0; h <= chain.head.height; h++) {
    const entry = chain.index.mainAt(h)
    if (!entry) throw new Error(`no main-chain block at ${h}`)
    headers.push(entry.header)
  }
  return {
    genesis,
    chain,
    store,
    headers,
    blockBytes,
    txs,
    miner,
    buildSeconds: (performance.now() - started) / 1000,
  }
}

/** Copies every entry of `source` into a new LevelDB at `path` (a node's `<datadir>/chain`). */
export async function writeChainDir(source: MemoryStore, path: string): Promise<void> {
  await mkdir(path, { recursive: true })
  const target = new LevelStore(path)
  await target.open()
  try {
    let ops: BatchOp[] = []
    for await (const [key, value] of source.entries({})) {
      ops.push({ type: 'put', key, value })
      if (ops.length >= 10_000) {
        await target.batch(ops)
        ops = []
      }
    }
    await target.batch(ops, { sync: true })
  } finally {
    await target.close()
  }
}

/**
 * `count` + 1 headers (a genesis of `genesis`, then `count` more) of a version 2
 * chain, each one second after its parent, with the reward and miner of a
 * block of `txsPerBlock` bench transfers (fee 10 each), a distinct txRoot and
 * stateRoot per block, and the `mmrRoot` of every ancestor. Every hash meets
 * the bench genesis's target, so each header is sealed at nonce 0.
 */
export async function syntheticHeaders(
  genesis: Genesis,
  count: number,
  miner: Uint8Array,
  txsPerBlock: number,
): Promise<Header[]> {
  const kv = new MemoryStore()
  await kv.open()
  const genesisHeader = (await buildGenesisBlock(genesis, await StateTrie.open(kv, 1024))).header
  await kv.close()
  const engine = new PowEngine(genesis.params)
  const tree = new MmrTree()
  const headers: Header[] = [genesisHeader]
  const target = bigintToBytes(genesis.params.initialTarget)
  let parent = genesisHeader
  for (let height = 1; height <= count; height++) {
    tree.append(parent.hash, engine.work(parent))
    const root = (tag: number) => {
      const bytes = new Uint8Array(32)
      new DataView(bytes.buffer).setUint32(0, height)
      bytes[31] = tag
      return bytes
    }
    const header = await engine.seal({
      version: BLOCK_VERSION_MMR,
      height: BigInt(height),
      parentHash: parent.hash,
      timestamp: parent.fields.timestamp + BigInt(BLOCK_SPACING_MS),
      txRoot: root(1),
      stateRoot: root(2),
      target,
      miner,
      reward: subsidyAt(height, genesis.params) + 10n * BigInt(txsPerBlock),
      nonce: 0n,
      mmrRoot: tree.root(),
    })
    if (!header) throw new Error('sealing failed')
    headers.push(header)
    parent = header
  }
  await engine.close()
  return headers
}
