/** Test helpers: a chain on a memory store with an easy target, and a block builder. */
import { Chain, type ChainOptions, type SignatureChecker } from '../../src/chain/chain.js'
import { PowEngine } from '../../src/consensus/pow/engine.js'
import { addressFromPublicKey } from '../../src/ledger/address.js'
import { Block } from '../../src/ledger/block.js'
import { type ConsensusParams, devnetGenesis, devnetKey, type Genesis } from '../../src/ledger/genesis.js'
import { firstBadSignature } from '../../src/ledger/rules/tx.js'
import { SignatureVerifier } from '../../src/ledger/sigverify/pool.js'
import { Tx } from '../../src/ledger/tx.js'
import { LedgerNode } from '../../src/node/ledger-node.js'
import type { KvStore } from '../../src/storage/kv.js'
import { MemoryStore } from '../../src/storage/memory.js'
import { type Clock, ManualClock } from '../../src/util/clock.js'

/** A devnet genesis whose target is met by about one hash in two, so tests seal instantly. */
export function testGenesis(overrides: Partial<ConsensusParams> = {}): Genesis {
  return devnetGenesis({
    initialTarget: 1n << 255n,
    powLimit: (1n << 256n) - 1n,
    retargetInterval: 10_000,
    ...overrides,
  })
}

export const inlineSignatures = { verifyTxs: async (txs: readonly Tx[]) => firstBadSignature(txs) }

export interface TestChain {
  chain: Chain
  engine: PowEngine
  clock: ManualClock
  store: KvStore
  genesis: Genesis
}

export async function openTestChain(
  opts: {
    genesis?: Genesis
    store?: KvStore
    clock?: ManualClock
    chain?: ChainOptions
    signatures?: SignatureChecker
  } = {},
): Promise<TestChain> {
  const genesis = opts.genesis ?? testGenesis()
  const store = opts.store ?? new MemoryStore()
  await store.open()
  const clock = opts.clock ?? new ManualClock(genesis.timestampMs + 1000)
  const engine = new PowEngine(genesis.params)
  const signatures = opts.signatures ?? inlineSignatures
  const chain = await Chain.open({ store, genesis, engine, clock, signatures }, opts.chain)
  return { chain, engine, clock, store, genesis }
}

export const minerAddress = (i = 100): Uint8Array => addressFromPublicKey(devnetKey(i).publicKey)

/** Builds and seals a block on the head with `txs`; advances the clock a second first. */
export async function mineBlock(t: TestChain, txs: Tx[] = [], miner = minerAddress()): Promise<Block> {
  t.clock.advance(1000)
  const { fields, txs: included } = await t.chain.buildBlock({ miner, txs })
  const header = await t.engine.seal(fields)
  if (!header) throw new Error('sealing was aborted')
  return new Block(header, included)
}

export function transfer(
  from: number,
  to: number,
  nonce: bigint,
  amount = 1000n,
  fee = 10n,
  chainId = 'peerchain-devnet',
): Tx {
  return Tx.create(
    { chainId, recipient: addressFromPublicKey(devnetKey(to).publicKey), amount, fee, nonce },
    devnetKey(from),
  )
}

/** A LedgerNode over a memory store, proof of work and the signature pool, clocked by `clock`. */
export function openLedgerNode(opts: { genesis?: Genesis; clock: Clock }): Promise<LedgerNode> {
  const genesis = opts.genesis ?? testGenesis()
  return LedgerNode.open(
    {
      store: new MemoryStore(),
      engine: new PowEngine(genesis.params),
      signatures: new SignatureVerifier({}),
      clock: opts.clock,
    },
    { genesis },
  )
}
