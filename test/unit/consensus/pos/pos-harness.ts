/**
 * A proof-of-stake chain for tests: the devnet PoS genesis (4 validators,
 * short epochs) in memory, and blocks built on the head, committed by every
 * validator of their height whose key the harness holds, and imported.
 */
import { Chain } from '../../../../src/chain/chain.js'
import { commitFromPrecommits, encodeCommit } from '../../../../src/consensus/bft/commit.js'
import { signVote } from '../../../../src/consensus/bft/vote.js'
import type { PosEngine } from '../../../../src/consensus/pos/engine.js'
import { posEngineOf } from '../../../../src/consensus/pos/genesis-set.js'
import { addressFromPublicKey } from '../../../../src/ledger/address.js'
import { Block } from '../../../../src/ledger/block.js'
import type { KeyPair } from '../../../../src/ledger/crypto.js'
import { devnetKey, devnetPosGenesis, type Genesis } from '../../../../src/ledger/genesis.js'
import { devnetValidatorKey } from '../../../../src/ledger/genesis-pos.js'
import { Tx } from '../../../../src/ledger/tx.js'
import { TX_KIND } from '../../../../src/ledger/tx-kind.js'
import { MemoryStore } from '../../../../src/storage/memory.js'
import { toHex } from '../../../../src/util/bytes.js'
import { ManualClock } from '../../../../src/util/clock.js'
import { inlineSignatures } from '../../../helpers/chain.js'

export const POS_EPOCH = 4
export const posGenesis: Genesis = devnetPosGenesis(4, {
  epochLength: POS_EPOCH,
  unbondingBlocks: 6,
  slashDoubleSignBps: 1_000,
})
export const VALIDATOR_KEYS: KeyPair[] = [0, 1, 2, 3].map(devnetValidatorKey)
/** A funded devnet account that becomes a validator by staking. */
export const NEWCOMER = devnetKey(0)
const KEYS = new Map([...VALIDATOR_KEYS, NEWCOMER].map((k) => [toHex(addressFromPublicKey(k.publicKey)), k]))

export interface PosHarness {
  chain: Chain
  engine: PosEngine
  store: MemoryStore
  clock: ManualClock
}

export async function openPosHarness(): Promise<PosHarness> {
  const store = new MemoryStore()
  await store.open()
  const clock = new ManualClock(posGenesis.timestampMs + 1_000)
  const engine = posEngineOf(posGenesis)
  const chain = await Chain.open({ store, genesis: posGenesis, engine, clock, signatures: inlineSignatures })
  return { chain, engine, store, clock }
}

/** A block on the head carrying `txs`, sealed but not imported. */
export async function proposeBlock(h: PosHarness, txs: Tx[] = []): Promise<Block> {
  h.clock.advance(1_000)
  const proposer = addressFromPublicKey((VALIDATOR_KEYS[1] as KeyPair).publicKey)
  const { fields, txs: included } = await h.chain.buildBlock({ miner: proposer, txs })
  return new Block(await h.engine.seal(fields), included)
}

/** The commit of `block` by every validator of its height whose key we hold (all of them, in these tests). */
export function commitOf(h: PosHarness, block: Block): Uint8Array {
  const set = h.engine.schedule.setAt(block.height)
  const votes = set.validators.flatMap((v) => {
    const key = KEYS.get(toHex(v.address))
    if (!key) return []
    const vote = { type: 'precommit' as const, height: BigInt(block.height), round: 0, blockHash: block.hash }
    return [signVote(posGenesis.chainId, { ...vote, validator: v.address }, key.secretKey)]
  })
  return encodeCommit(commitFromPrecommits(BigInt(block.height), 0, block.hash, votes, set))
}

/** Proposes, commits and imports a block; throws unless it becomes the head. */
export async function commitBlock(h: PosHarness, txs: Tx[] = []): Promise<Block> {
  const block = await proposeBlock(h, txs)
  const result = await h.chain.importBlock(block, 'mined', commitOf(h, block))
  if (result.status !== 'head') throw new Error(`block ${block.height} was not taken: ${result.status}`)
  return block
}

/** A stake tx by `key` for itself. */
export function stakeTx(key: KeyPair, amount: bigint, nonce: bigint): Tx {
  const recipient = addressFromPublicKey(key.publicKey)
  return Tx.create({ chainId: posGenesis.chainId, recipient, amount, fee: 1_000n, nonce, kind: TX_KIND.stake }, key)
}
