/**
 * Test helpers for proof of stake: a chain on a memory store under PosEngine
 * with four validators of equal power whose keys the tests hold, blocks
 * proposed on the head, and the commits that finalize them.
 */
import { Chain } from '../../src/chain/chain.js'
import { commitFromPrecommits, encodeCommit } from '../../src/consensus/bft/commit.js'
import type { Validator } from '../../src/consensus/bft/validators.js'
import { signVote } from '../../src/consensus/bft/vote.js'
import { POS_TARGET, PosEngine } from '../../src/consensus/pos/engine.js'
import { addressFromPublicKey } from '../../src/ledger/address.js'
import { Block } from '../../src/ledger/block.js'
import { keyPairFromSeed, sha256 } from '../../src/ledger/crypto.js'
import { devnetGenesis, type Genesis } from '../../src/ledger/genesis.js'
import type { Tx } from '../../src/ledger/tx.js'
import type { KvStore } from '../../src/storage/kv.js'
import { MemoryStore } from '../../src/storage/memory.js'
import { ManualClock } from '../../src/util/clock.js'
import { inlineSignatures, minerAddress, transfer } from './chain.js'

export const POS_KEYS = [0, 1, 2, 3].map((i) =>
  keyPairFromSeed(sha256(new TextEncoder().encode(`pos test validator ${i}`))),
)

export const POS_VALIDATORS: readonly Validator[] = POS_KEYS.map((k) => ({
  publicKey: k.publicKey,
  address: addressFromPublicKey(k.publicKey),
  power: 10n,
}))

/** Three of the four validators: more than ⅔ of the power. */
export const QUORUM = [0, 1, 2] as const

export interface PosTestChain {
  chain: Chain
  engine: PosEngine
  clock: ManualClock
  store: KvStore
  genesis: Genesis
}

export function posGenesis(): Genesis {
  return devnetGenesis({ initialTarget: POS_TARGET, powLimit: POS_TARGET })
}

export async function openPosChain(opts: { clock?: ManualClock } = {}): Promise<PosTestChain> {
  const genesis = posGenesis()
  const store = new MemoryStore()
  await store.open()
  const clock = opts.clock ?? new ManualClock(genesis.timestampMs + 1000)
  const engine = new PosEngine({ chainId: genesis.chainId, validators: POS_VALIDATORS })
  const chain = await Chain.open({ store, genesis, engine, clock, signatures: inlineSignatures })
  return { chain, engine, clock, store, genesis }
}

/** A block on the head with `txs`, a second after the last; not imported. */
export async function proposeBlock(t: PosTestChain, txs: Tx[] = []): Promise<Block> {
  t.clock.advance(1000)
  const { fields, txs: included } = await t.chain.buildBlock({ miner: minerAddress(), txs })
  return new Block(await t.engine.seal(fields), included)
}

/** The encoded commit of `block`, precommitted by the validators at `signers` (indices into POS_KEYS). */
export function commitOf(t: PosTestChain, block: Block, signers: readonly number[] = QUORUM, round = 0): Uint8Array {
  const set = t.engine.schedule.setAt(block.height)
  const votes = signers.map((i) => {
    const key = POS_KEYS[i]
    const validator = POS_VALIDATORS[i]
    if (!key || !validator) throw new RangeError(`no test validator ${i}`)
    return signVote(
      t.genesis.chainId,
      { type: 'precommit', height: BigInt(block.height), round, blockHash: block.hash, validator: validator.address },
      key.secretKey,
    )
  })
  return encodeCommit(commitFromPrecommits(BigInt(block.height), round, block.hash, votes, set))
}

export interface CommittedBlocks {
  source: PosTestChain
  blocks: Block[]
  /** commits[i] finalizes blocks[i]. */
  commits: Uint8Array[]
}

/** A PoS chain of `count` committed blocks; every 10th block carries a transfer. */
export async function committedChain(count: number): Promise<CommittedBlocks> {
  const source = await openPosChain()
  const blocks: Block[] = []
  const commits: Uint8Array[] = []
  for (let i = 0; i < count; i++) {
    const txs = i % 10 === 0 ? [transfer(0, 1, BigInt(i / 10))] : []
    const block = await proposeBlock(source, txs)
    const commit = commitOf(source, block)
    const result = await source.chain.importBlock(block, 'mined', commit)
    if (result.status !== 'head') throw new Error(`block ${i} did not become the head`)
    blocks.push(block)
    commits.push(commit)
  }
  return { source, blocks, commits }
}
