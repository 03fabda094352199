import { describe, expect, it } from 'vitest'
import { Chain } from '../../../../src/chain/chain.js'
import { commitFromPrecommits, encodeCommit } from '../../../../src/consensus/bft/commit.js'
import type { Validator } from '../../../../src/consensus/bft/validators.js'
import { signVote } from '../../../../src/consensus/bft/vote.js'
import { POS_TARGET, PosEngine } from '../../../../src/consensus/pos/engine.js'
import { addressFromPublicKey } from '../../../../src/ledger/address.js'
import { Block } from '../../../../src/ledger/block.js'
import { keyPairFromSeed, sha256 } from '../../../../src/ledger/crypto.js'
import { VerifyError } from '../../../../src/ledger/errors.js'
import { devnetGenesis } from '../../../../src/ledger/genesis.js'
import { MemoryStore } from '../../../../src/storage/memory.js'
import { ManualClock } from '../../../../src/util/clock.js'
import { inlineSignatures, minerAddress, transfer } from '../../../helpers/chain.js'

const keys = [0, 1, 2, 3].map((i) => keyPairFromSeed(sha256(new TextEncoder().encode(`pos chain test validator ${i}`))))
const validators: Validator[] = keys.map((k) => ({
  publicKey: k.publicKey,
  address: addressFromPublicKey(k.publicKey),
  power: 10n,
}))

async function openPosChain() {
  const genesis = devnetGenesis({ initialTarget: POS_TARGET, powLimit: POS_TARGET })
  const store = new MemoryStore()
  await store.open()
  const clock = new ManualClock(genesis.timestampMs + 1000)
  const engine = new PosEngine({ chainId: genesis.chainId, validators })
  const chain = await Chain.open({ store, genesis, engine, clock, signatures: inlineSignatures })
  return { chain, engine, clock, genesis }
}

type PosChain = Awaited<ReturnType<typeof openPosChain>>

async function propose(t: PosChain, txs = [transfer(0, 1, 0n)], timestampStep = 1000): Promise<Block> {
  t.clock.advance(timestampStep)
  const { fields, txs: included } = await t.chain.buildBlock({ miner: minerAddress(), txs })
  return new Block(await t.engine.seal(fields), included)
}

/** The commit of `block` signed by the validators at `signers` (indices into `keys`). */
function commitOf(t: PosChain, block: Block, signers: number[], round = 0): Uint8Array {
  const set = t.engine.schedule.setAt(block.height)
  const votes = signers.map((i) =>
    signVote(
      t.genesis.chainId,
      {
        type: 'precommit',
        height: BigInt(block.height),
        round,
        blockHash: block.hash,
        validator: validators[i]?.address as Uint8Array,
      },
      (keys[i] as { secretKey: Uint8Array }).secretKey,
    ),
  )
  return encodeCommit(commitFromPrecommits(BigInt(block.height), round, block.hash, votes, set))
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(VerifyError)
  return (err as VerifyError).code
}

describe('a proof-of-stake chain', () => {
  it('stores a block with the commit of ⅔+ of the power, and reports it final', async () => {
    const t = await openPosChain()
    const block = await propose(t)
    const commit = commitOf(t, block, [0, 1, 2])
    expect((await t.chain.importBlock(block, 'gossip', commit)).status).toBe('head')
    expect(t.chain.finalized?.id).toBe(block.id)
    expect(await t.chain.getCommit(block.id)).toEqual(commit)
  })

  it('refuses a block without a commit, or with a commit short of a quorum or for another block', async () => {
    const t = await openPosChain()
    const block = await propose(t)
    expect(await refusal(t.chain.importBlock(block, 'gossip'))).toBe('BLOCK_MISSING_COMMIT')
    expect(await refusal(t.chain.importBlock(block, 'gossip', commitOf(t, block, [0, 1])))).toMatch(/^COMMIT_/)
    const other = await propose(t, [transfer(0, 2, 0n)])
    expect(await refusal(t.chain.importBlock(block, 'gossip', commitOf(t, other, [0, 1, 2])))).toMatch(/^COMMIT_/)
    expect(t.chain.head.height).toBe(0)
  })

  it('never reverts a committed block, even for a conflicting block with a valid commit', async () => {
    const t = await openPosChain()
    const a = await propose(t)
    await t.chain.importBlock(a, 'gossip', commitOf(t, a, [0, 1, 2]))
    const b = await propose(t)
    await t.chain.importBlock(b, 'gossip', commitOf(t, b, [0, 1, 2]))
    // A block at height 1 that conflicts with `a`: only ⅓+ equivocating validators could commit it.
    const t2 = await openPosChain()
    t2.clock.advance(500)
    const conflicting = await propose(t2, [transfer(0, 3, 0n)])
    const code = await refusal(t.chain.importBlock(conflicting, 'gossip', commitOf(t2, conflicting, [1, 2, 3])))
    expect(code).toBe('BLOCK_REORG_TOO_DEEP')
    expect(t.chain.head.id).toBe(b.id)
  })

  it('does not hold a block with an unknown parent (its commit would be lost): the caller syncs', async () => {
    const t = await openPosChain()
    const a = await propose(t)
    const source = await openPosChain()
    await source.chain.importBlock(a, 'gossip', commitOf(source, a, [0, 1, 2]))
    const b = await propose(source)
    expect((await t.chain.importBlock(b, 'gossip', commitOf(source, b, [0, 1, 2]))).status).toBe('orphan')
    expect(t.chain.orphanCount).toBe(0)
  })

  it('checks a candidate against every rule, the state root included, and stores nothing', async () => {
    const t = await openPosChain()
    const block = await propose(t)
    await t.chain.checkCandidate(block)
    expect(t.chain.head.height).toBe(0)
    expect(await t.chain.getBlock(block.id)).toBeUndefined()
    const fields = { ...block.header.fields, stateRoot: new Uint8Array(32) }
    const badRoot = new Block(await t.engine.seal(fields), block.txs)
    expect(await refusal(t.chain.checkCandidate(badRoot))).toBe('BLOCK_BAD_STATE_ROOT')
    // The refused candidate left nothing behind: the good one still imports.
    expect((await t.chain.importBlock(block, 'gossip', commitOf(t, block, [1, 2, 3]))).status).toBe('head')
  })
})
