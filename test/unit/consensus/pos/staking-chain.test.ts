/**
 * Stake through a whole chain: txs that bond, unbond and report a double
 * sign, imported with their commits; epoch ends that change the set; and a
 * restart that finds the same sets again.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Chain } from '../../../../src/chain/chain.js'
import { commitFromPrecommits, encodeCommit } from '../../../../src/consensus/bft/commit.js'
import { duplicateVoteEvidence, encodeEvidence } from '../../../../src/consensus/bft/evidence.js'
import { signVote, type Vote } from '../../../../src/consensus/bft/vote.js'
import type { PosEngine } from '../../../../src/consensus/pos/engine.js'
import { posEngineOf } from '../../../../src/consensus/pos/genesis-set.js'
import { JAILED_FOREVER } from '../../../../src/consensus/pos/stake-record.js'
import { addressFromPublicKey } from '../../../../src/ledger/address.js'
import { Block } from '../../../../src/ledger/block.js'
import type { KeyPair } from '../../../../src/ledger/crypto.js'
import { COIN, DEVNET_VALIDATOR_STAKE, devnetKey, devnetPosGenesis } from '../../../../src/ledger/genesis.js'
import { devnetValidatorKey } from '../../../../src/ledger/genesis-pos.js'
import { Tx } from '../../../../src/ledger/tx.js'
import { TX_KIND } from '../../../../src/ledger/tx-kind.js'
import { Mempool } from '../../../../src/mempool/index.js'
import { MemoryStore } from '../../../../src/storage/memory.js'
import { toHex } from '../../../../src/util/bytes.js'
import { ManualClock } from '../../../../src/util/clock.js'
import { inlineSignatures } from '../../../helpers/chain.js'

const EPOCH = 4
const genesis = devnetPosGenesis(4, { epochLength: EPOCH, unbondingBlocks: 6, slashDoubleSignBps: 1_000 })
const VALIDATOR_KEYS = [0, 1, 2, 3].map(devnetValidatorKey)
/** A funded devnet account that becomes a validator by staking. */
const NEWCOMER = devnetKey(0)
const NEWCOMER_ADDRESS = addressFromPublicKey(NEWCOMER.publicKey)
const KEYS = new Map([...VALIDATOR_KEYS, NEWCOMER].map((k) => [toHex(addressFromPublicKey(k.publicKey)), k]))

interface Harness {
  chain: Chain
  engine: PosEngine
  store: MemoryStore
  clock: ManualClock
}

const open: Harness[] = []
afterEach(async () => {
  for (const h of open.splice(0)) await h.chain.close()
})

async function openChain(store = new MemoryStore(), clock = new ManualClock(genesis.timestampMs + 1_000)) {
  if (!open.some((h) => h.store === store)) await store.open()
  const engine = posEngineOf(genesis)
  const chain = await Chain.open({ store, genesis, engine, clock, signatures: inlineSignatures })
  const h = { chain, engine, store, clock }
  open.push(h)
  return h
}

/** A block on the head with `txs`, committed by every validator of its height whose key we hold; imported. */
async function commitBlock(h: Harness, txs: Tx[] = []): Promise<Block> {
  h.clock.advance(1_000)
  const proposer = addressFromPublicKey((VALIDATOR_KEYS[1] as KeyPair).publicKey)
  const { fields, txs: included } = await h.chain.buildBlock({ miner: proposer, txs })
  const block = new Block(await h.engine.seal(fields), included)
  const set = h.engine.schedule.setAt(block.height)
  const votes = set.validators.flatMap((v) => {
    const key = KEYS.get(toHex(v.address))
    if (!key) return []
    const vote = { type: 'precommit' as const, height: BigInt(block.height), round: 0, blockHash: block.hash }
    return [signVote(genesis.chainId, { ...vote, validator: v.address }, key.secretKey)]
  })
  const commit = encodeCommit(commitFromPrecommits(BigInt(block.height), 0, block.hash, votes, set))
  const result = await h.chain.importBlock(block, 'mined', commit)
  expect(result.status).toBe('head')
  return block
}

function stakingTx(key: KeyPair, kind: number, amount: bigint, nonce: bigint, payload?: Uint8Array): Tx {
  const recipient = addressFromPublicKey(key.publicKey)
  return Tx.create({ chainId: genesis.chainId, recipient, amount, fee: 1_000n, nonce, kind, payload }, key)
}

function precommit(signer: number, height: number, hashByte: number): Vote {
  const key = VALIDATOR_KEYS[signer] as KeyPair
  return signVote(
    genesis.chainId,
    {
      type: 'precommit',
      height: BigInt(height),
      round: 0,
      blockHash: new Uint8Array(32).fill(hashByte),
      validator: addressFromPublicKey(key.publicKey),
    },
    key.secretKey,
  )
}

const members = (h: Harness, height: number): string[] =>
  h.engine.schedule
    .setAt(height)
    .validators.map((v) => toHex(v.address))
    .sort()

describe('stake on a proof-of-stake chain', () => {
  it('a stake joins the set at the next epoch, an unstake leaves it, and its stake comes back after unbonding', async () => {
    const h = await openChain()
    const before = (await h.chain.getAccount(NEWCOMER_ADDRESS)).balance
    await commitBlock(h, [stakingTx(NEWCOMER, TX_KIND.stake, 500n * COIN, 0n)])
    const staked = await h.chain.getAccount(NEWCOMER_ADDRESS)
    expect(staked.balance).toBe(before - 500n * COIN - 1_000n)
    expect(staked.stake?.bonded).toBe(500n * COIN)
    // not in the set before the epoch ends (height 3 is its last block) …
    expect(members(h, 3)).not.toContain(toHex(NEWCOMER_ADDRESS))
    for (let i = 0; i < 2; i++) await commitBlock(h)
    expect(h.chain.head.height).toBe(3)
    // … and in it from height 4, with power in whole coins
    const set4 = h.engine.schedule.setAt(4)
    expect(set4.validator(set4.indexOf(NEWCOMER_ADDRESS)).power).toBe(500n)
    // height 4 is committed with the newcomer's vote among the others
    await commitBlock(h, [stakingTx(NEWCOMER, TX_KIND.unstake, 500n * COIN, 1n)])
    expect((await h.chain.getAccount(NEWCOMER_ADDRESS)).stake?.unbonding).toEqual([
      { amount: 500n * COIN, startHeight: 4, releaseHeight: 10 },
    ])
    for (let i = 0; i < 3; i++) await commitBlock(h) // to 7: the end of epoch 1
    expect(members(h, 8)).not.toContain(toHex(NEWCOMER_ADDRESS))
    for (let i = 0; i < 4; i++) await commitBlock(h) // to 11: released at the first epoch end ≥ 10
    const after = await h.chain.getAccount(NEWCOMER_ADDRESS)
    expect(after).toEqual({ balance: before - 2_000n, nonce: 2n })
  })

  it('evidence of a double sign burns the fraction, jails the offender for good and drops it from the next set; the same evidence again is left out', async () => {
    const h = await openChain()
    const offender = addressFromPublicKey((VALIDATOR_KEYS[0] as KeyPair).publicKey)
    await commitBlock(h)
    const payload = encodeEvidence(duplicateVoteEvidence(precommit(0, 1, 7), precommit(0, 1, 8)))
    await commitBlock(h, [stakingTx(NEWCOMER, TX_KIND.evidence, 0n, 0n, payload)])
    const slashed = await h.chain.getAccount(offender)
    expect(slashed.stake?.bonded).toBe(DEVNET_VALIDATOR_STAKE - DEVNET_VALIDATOR_STAKE / 10n)
    expect(slashed.stake?.jailedUntil).toBe(JAILED_FOREVER)
    // a block offered the same evidence again leaves it out: the offender is punished once
    const again = await h.chain.buildBlock({
      miner: offender,
      txs: [stakingTx(NEWCOMER, TX_KIND.evidence, 0n, 1n, payload)],
    })
    expect(again.txs).toHaveLength(0)
    await commitBlock(h) // height 3 ends epoch 0
    expect(members(h, 3)).toContain(toHex(offender))
    expect(members(h, 4)).not.toContain(toHex(offender))
    expect(members(h, 4)).toHaveLength(3)
  })

  it('a restarted node finds every epoch’s set again', async () => {
    const h = await openChain()
    await commitBlock(h, [stakingTx(NEWCOMER, TX_KIND.stake, 500n * COIN, 0n)])
    for (let i = 0; i < 5; i++) await commitBlock(h)
    const set6 = h.engine.schedule.setAt(6)
    const expected = { hash: set6.hash(), proposers: [0, 1, 2, 3, 4].map((r) => set6.proposer(r)) }
    expect(set6.indexOf(NEWCOMER_ADDRESS)).toBeGreaterThanOrEqual(0)
    await h.chain.close()
    open.splice(open.indexOf(h), 1)
    const reopened = await openChain(h.store, h.clock)
    expect(reopened.chain.head.height).toBe(6)
    const again = reopened.engine.schedule.setAt(6)
    expect({ hash: again.hash(), proposers: [0, 1, 2, 3, 4].map((r) => again.proposer(r)) }).toEqual(expected)
    await commitBlock(reopened)
  })

  it('the mempool refuses evidence against a validator already punished, and drops a pending one once another is included', async () => {
    const h = await openChain()
    const pool = new Mempool({
      chainId: genesis.chainId,
      limits: genesis.limits,
      staking: true,
      clock: h.clock,
      readAccounts: (addresses) => h.chain.getAccounts(addresses),
      checkState: (tx) => h.chain.checkStakingTx(tx),
    })
    const payload = encodeEvidence(duplicateVoteEvidence(precommit(0, 1, 7), precommit(0, 1, 8)))
    const other = devnetKey(1)
    await commitBlock(h)
    const first = stakingTx(NEWCOMER, TX_KIND.evidence, 0n, 0n, payload)
    const second = stakingTx(other, TX_KIND.evidence, 0n, 0n, payload)
    const later = stakingTx(other, TX_KIND.stake, COIN, 1n)
    for (const tx of [first, second, later]) await pool.add(tx)
    await commitBlock(h, [first])
    const { droppedIds } = await pool.reset({ included: [first], returned: [] })
    // the second report can never be included; its sender's later tx goes with it, reported as dropped
    expect(droppedIds.sort()).toEqual([second.id, later.id].sort())
    await expect(pool.add(stakingTx(other, TX_KIND.evidence, 0n, 0n, payload))).rejects.toMatchObject({
      code: 'EVIDENCE_DUPLICATE',
    })
    await expect(pool.add(stakingTx(other, TX_KIND.unstake, COIN, 0n))).rejects.toMatchObject({
      code: 'TX_INSUFFICIENT_STAKE',
    })
  })
})
