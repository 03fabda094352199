/**
 * pos_validators over a real proof-of-stake ledger in memory: blocks
 * committed by the devnet validators' keys, one validator leaving its
 * precommit out of some commits; the set, stake, proposer, epoch and the
 * missed votes the tracker (node/validator-stats.ts) reads from the stored
 * commits, over a window that slides. A proof-of-work node answers a typed
 * -32030.
 */
import { describe, expect, it } from 'vitest'
import { RpcClient } from '../../../src/api/client.js'
import { RpcCode } from '../../../src/api/errors.js'
import { isPrivileged } from '../../../src/api/method-classes.js'
import { RpcServer } from '../../../src/api/server.js'
import { commitFromPrecommits, encodeCommit } from '../../../src/consensus/bft/commit.js'
import { signVote } from '../../../src/consensus/bft/vote.js'
import type { PosEngine } from '../../../src/consensus/pos/engine.js'
import { posEngineOf } from '../../../src/consensus/pos/genesis-set.js'
import { formatAddress } from '../../../src/ledger/address.js'
import { Block } from '../../../src/ledger/block.js'
import { DEVNET_VALIDATOR_STAKE, devnetPosGenesis, type Genesis } from '../../../src/ledger/genesis.js'
import { devnetValidatorKey } from '../../../src/ledger/genesis-pos.js'
import { SignatureVerifier } from '../../../src/ledger/sigverify/pool.js'
import type { AddrManStats } from '../../../src/net/network.js'
import { LedgerNode } from '../../../src/node/ledger-node.js'
import { NodeApiImpl, type PosParts } from '../../../src/node/node-api.js'
import { missedWindowOf, ValidatorStats } from '../../../src/node/validator-stats.js'
import { NodeWallet } from '../../../src/node/wallet.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { toHex } from '../../../src/util/bytes.js'
import { ManualClock } from '../../../src/util/clock.js'
import { minerAddress } from '../../helpers/chain.js'
import { onCleanup, rpcError, startApi } from './harness.js'

const KEYS = [0, 1, 2, 3].map(devnetValidatorKey)
const NO_ADDRESSES: AddrManStats = { new: 0, tried: 0, groups: [] }

interface PosLedger {
  ledger: LedgerNode
  engine: PosEngine
  genesis: Genesis
  clock: ManualClock
}

async function openPosLedger(): Promise<PosLedger> {
  // A window of 5 heights and epochs of 4, so a short chain slides the window and crosses epochs.
  const genesis = devnetPosGenesis(4, { downtimeWindow: 5, downtimeMissedMax: 5, epochLength: 4 })
  const clock = new ManualClock(genesis.timestampMs + 1000)
  const engine = posEngineOf(genesis)
  const ledger = await LedgerNode.open(
    { store: new MemoryStore(), engine, signatures: new SignatureVerifier({}), clock },
    { genesis },
  )
  onCleanup(() => ledger.close())
  return { ledger, engine, genesis, clock }
}

/** Commits the next block, precommitted by every devnet validator except `absent` (indices into KEYS). */
async function commitNext(t: PosLedger, absent: readonly number[] = [], round = 0): Promise<Block> {
  t.clock.advance(1000)
  const { fields, txs } = await t.ledger.chain.buildBlock({ miner: minerAddress(), txs: [] })
  const block = new Block(await t.engine.seal(fields), txs)
  const set = t.engine.schedule.setAt(block.height)
  const votes = KEYS.flatMap((key, i) => {
    if (absent.includes(i)) return []
    const validator = set.validator(set.indexOf(devnetAddress(i)))
    return [
      signVote(
        t.genesis.chainId,
        { type: 'precommit', height: BigInt(block.height), round, blockHash: block.hash, validator: validator.address },
        key.secretKey,
      ),
    ]
  })
  const commit = encodeCommit(commitFromPrecommits(BigInt(block.height), round, block.hash, votes, set))
  const result = await t.ledger.chain.importBlock(block, 'mined', commit)
  if (result.status !== 'head') throw new Error(`block ${block.height} did not become the head`)
  return block
}

const devnetAddress = (i: number): Uint8Array => {
  const genesisValidator = devnetPosGenesis(4).pos?.validators[i]
  if (!genesisValidator) throw new RangeError(`no devnet validator ${i}`)
  return genesisValidator.address
}

async function serve(t: PosLedger, pos: PosParts | undefined): Promise<RpcClient> {
  const time = new SimScheduler()
  const api = new NodeApiImpl({
    chain: t.ledger.chain,
    mempool: t.ledger.mempool,
    network: {
      peerId: '12D3KooWPosValidatorsTest',
      peers: () => [],
      addrman: () => NO_ADDRESSES,
      dial: async () => '12D3KooWPosValidatorsTest',
      ban: async () => {},
      unban: async () => {},
      listenAddresses: () => [],
    },
    miner: { active: false, start: () => {}, stop: async () => {} },
    mineBlock: async () => null,
    wallet: new NodeWallet('/nonexistent/pos-validators-test', [], { clock: time, timers: time }),
    submitTx: (tx) => t.ledger.submitTx(tx),
    syncStatus: () => ({
      state: 'idle',
      doneHeight: 0,
      targetHeight: 0,
      blocksPerSecond: 0,
      etaSeconds: null,
      peer: null,
    }),
    role: 'full',
    mineThreads: 1,
    minerAddress: minerAddress(),
    pos,
  })
  const server = new RpcServer(api, { port: 0 })
  await server.start()
  onCleanup(() => server.close())
  return new RpcClient(server.url)
}

describe('pos_validators', () => {
  it('lists the next height’s set with stake, proposer, epoch and missed votes read from the stored commits', async () => {
    const t = await openPosLedger()
    // Validator 3 misses heights 2 and 3 before the tracker opens, then 6; validator 1 misses 7.
    await commitNext(t)
    await commitNext(t, [3])
    await commitNext(t, [3], 1)
    const stats = await ValidatorStats.open({
      chain: t.ledger.chain,
      engine: t.engine,
      window: missedWindowOf(t.genesis),
    })
    onCleanup(async () => stats.close())
    const rounds: number[] = []
    stats.onHeight((h) => rounds.push(h.round))
    expect(stats.window).toBe(5)
    expect(stats.missed(devnetAddress(3))).toBe(2)
    expect(stats.coveredHeights).toBe(3)

    await commitNext(t)
    await commitNext(t, [], 2)
    await commitNext(t, [3])
    await commitNext(t, [1])
    await stats.settled()
    // Only heights recorded after opening are heard, each with its commit's round.
    expect(rounds).toEqual([0, 2, 0, 0])

    const client = await serve(t, { schedule: t.engine.schedule, epochLength: 4, stats })
    const answer = await client.call('pos_validators')
    const set = t.engine.schedule.setAt(8)
    expect(answer).toMatchObject({
      height: 8,
      epoch: 2,
      nextEpochHeight: 12,
      totalPower: set.totalPower.toString(),
      // Heights 3 … 7: height 2 has left the window.
      missedWindow: 5,
    })
    expect(answer.validators).toHaveLength(4)
    const byAddress = new Map(answer.validators.map((v) => [v.address, v]))
    const missed = [0, 1, 2, 3].map((i) => byAddress.get(formatAddress(devnetAddress(i)))?.missed)
    expect(missed).toEqual([0, 1, 0, 2])
    for (const v of answer.validators) {
      expect(v.stake).toBe(DEVNET_VALIDATOR_STAKE.toString())
      expect(v.jailed).toBe(false)
      expect(v.tombstoned).toBe(false)
      expect(BigInt(v.power)).toBeGreaterThan(0n)
    }
    expect(answer.validators.map((v) => v.address)).toEqual(set.validators.map((v) => formatAddress(v.address)))
    expect(answer.validators.map((v) => v.publicKey)).toEqual(set.validators.map((v) => toHex(v.publicKey)))
    // Exactly one proposer: round 0's of height 8.
    expect(answer.validators.filter((v) => v.proposer).map((v) => v.address)).toEqual([
      formatAddress(set.validator(set.proposer(0)).address),
    ])

    // Any height up to the head + 1; the proposer is that height's.
    const first = await client.call('pos_validators', { height: 1 })
    expect(first).toMatchObject({ height: 1, epoch: 0, nextEpochHeight: 4 })
    const set1 = t.engine.schedule.setAt(1)
    expect(first.validators.find((v) => v.proposer)?.address).toBe(
      formatAddress(set1.validator(set1.proposer(0)).address),
    )
    for (const height of [0, 9]) {
      const err = await rpcError(client.call('pos_validators', { height }))
      expect(err.code).toBe(RpcCode.INVALID_PARAMS)
      expect(err.data).toMatchObject({ param: 'height' })
    }
    const bad = await rpcError(client.call('pos_validators', { height: 1.5 } as never))
    expect(bad.code).toBe(RpcCode.INVALID_PARAMS)
  })

  it('reads only the last window of commits at start, and slides it one height per block', async () => {
    const t = await openPosLedger()
    for (let i = 0; i < 8; i++) await commitNext(t, i < 6 ? [2] : [])
    const stats = await ValidatorStats.open({ chain: t.ledger.chain, engine: t.engine, window: 5 })
    onCleanup(async () => stats.close())
    expect(stats.recordedHeight).toBe(8)
    expect(stats.coveredHeights).toBe(5)
    // Heights 4 … 8: validator 2 missed 4, 5 and 6.
    expect(stats.missed(devnetAddress(2))).toBe(3)
    expect(stats.missed(devnetAddress(0))).toBe(0)
    for (let i = 0; i < 3; i++) await commitNext(t)
    await stats.settled()
    expect(stats.recordedHeight).toBe(11)
    expect(stats.missed(devnetAddress(2))).toBe(0)
  })

  it('is a read method, and a proof-of-work node answers -32030 NOT_PROOF_OF_STAKE', async () => {
    expect(isPrivileged('pos_validators')).toBe(false)
    const h = await startApi()
    const err = await rpcError(h.client.call('pos_validators'))
    expect(err.code).toBe(RpcCode.UNAVAILABLE)
    expect(err.data).toEqual({ code: 'NOT_PROOF_OF_STAKE', consensus: 'pow' })
    expect(err.message).toMatch(/proof of work/)
    await rpcError(h.client.call('pos_validators', { height: 3 }))
    expect(h.node.posValidatorsCalls).toEqual([undefined, 3])
  })

  it('answers -32030 on a real node without proof-of-stake parts', async () => {
    const t = await openPosLedger()
    const client = await serve(t, undefined)
    const err = await rpcError(client.call('pos_validators'))
    expect(err.data).toEqual({ code: 'NOT_PROOF_OF_STAKE', consensus: 'pow' })
  })
})
