/**
 * Finality and the validator over JSON-RPC: the node's own NodeApi
 * (node/node-api.ts) over a real ledger, behind the real server. Under proof
 * of work `chain_head`, `newHeads` and `node_status` say there is no
 * finality; under proof of stake the head is final, and a validator's rounds
 * show in `node_status`.
 */
import { describe, expect, it } from 'vitest'
import { RpcClient } from '../../../src/api/client.js'
import type { HeadJson } from '../../../src/api/json.js'
import { RpcServer } from '../../../src/api/server.js'
import { commitFromPrecommits, encodeCommit } from '../../../src/consensus/bft/commit.js'
import type { Validator } from '../../../src/consensus/bft/validators.js'
import { signVote } from '../../../src/consensus/bft/vote.js'
import { POS_TARGET, PosEngine } from '../../../src/consensus/pos/engine.js'
import { addressFromPublicKey, formatAddress } from '../../../src/ledger/address.js'
import { Block } from '../../../src/ledger/block.js'
import { type KeyPair, keyPairFromSeed, sha256 } from '../../../src/ledger/crypto.js'
import { devnetGenesis } from '../../../src/ledger/genesis.js'
import { SignatureVerifier } from '../../../src/ledger/sigverify/pool.js'
import type { AddrManStats } from '../../../src/net/network.js'
import { LedgerNode } from '../../../src/node/ledger-node.js'
import { NodeApiImpl, type ValidatorParts } from '../../../src/node/node-api.js'
import { ValidatorTxSigner } from '../../../src/node/validator-tx.js'
import { NodeWallet } from '../../../src/node/wallet.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { ManualClock } from '../../../src/util/clock.js'
import { minerAddress, openLedgerNode, transfer } from '../../helpers/chain.js'
import { onCleanup } from './harness.js'

const keys: KeyPair[] = [0, 1, 2, 3].map((i) =>
  keyPairFromSeed(sha256(new TextEncoder().encode(`api finality test validator ${i}`))),
)
const validators: Validator[] = keys.map((k) => ({
  publicKey: k.publicKey,
  address: addressFromPublicKey(k.publicKey),
  power: 10n,
}))
const NO_ADDRESSES: AddrManStats = { new: 0, tried: 0, groups: [] }

async function openPosLedger(clock: ManualClock): Promise<{ ledger: LedgerNode; engine: PosEngine }> {
  const genesis = devnetGenesis({ initialTarget: POS_TARGET, powLimit: POS_TARGET })
  clock.set(genesis.timestampMs + 1000)
  const engine = new PosEngine({ chainId: genesis.chainId, validators })
  const signatures = new SignatureVerifier({})
  const ledger = await LedgerNode.open({ store: new MemoryStore(), engine, signatures, clock }, { genesis })
  return { ledger, engine }
}

/** Serves the node's NodeApi over `ledger`; the network, miner and wallet are idle stand-ins. */
async function serve(ledger: LedgerNode, validator?: ValidatorParts): Promise<RpcClient> {
  onCleanup(() => ledger.close())
  const time = new SimScheduler()
  const api = new NodeApiImpl({
    chain: ledger.chain,
    mempool: ledger.mempool,
    network: {
      peerId: '12D3KooWFinalityTest',
      peers: () => [],
      addrman: () => NO_ADDRESSES,
      dial: async () => '12D3KooWFinalityTest',
      ban: async () => {},
      unban: async () => {},
      listenAddresses: () => [],
    },
    miner: { active: false, start: () => {}, stop: async () => {} },
    mineBlock: async () => null,
    wallet: new NodeWallet('/nonexistent/finality-test', [], { clock: time, timers: time }),
    submitTx: (tx) => ledger.submitTx(tx),
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
    ...(validator ? { validator } : {}),
  })
  const server = new RpcServer(api, { port: 0 })
  await server.start()
  onCleanup(() => server.close())
  return new RpcClient(server.url)
}

/** A block on the PoS head, committed by validators 0-2 (¾ of the power). */
async function commitNextBlock(ledger: LedgerNode, engine: PosEngine, clock: ManualClock): Promise<Block> {
  clock.advance(1000)
  const { chain } = ledger
  const { fields, txs } = await chain.buildBlock({ miner: minerAddress(), txs: [transfer(0, 1, 0n)] })
  const block = new Block(await engine.seal(fields), txs)
  const set = engine.schedule.setAt(block.height)
  const votes = [0, 1, 2].map((i) =>
    signVote(
      chain.chainId,
      {
        type: 'precommit',
        height: BigInt(block.height),
        round: 0,
        blockHash: block.hash,
        validator: validators[i]?.address as Uint8Array,
      },
      (keys[i] as KeyPair).secretKey,
    ),
  )
  const commit = encodeCommit(commitFromPrecommits(BigInt(block.height), 0, block.hash, votes, set))
  expect((await chain.importBlock(block, 'gossip', commit)).status).toBe('head')
  return block
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('finality over JSON-RPC, proof of work', () => {
  it('reports no finality: null in chain_head, newHeads and node_status, and no validator', async () => {
    const clock = new ManualClock(0)
    const ledger = await openLedgerNode({ clock })
    clock.set(ledger.chain.genesisBlock.header.timestampMs + 1000)
    const client = await serve(ledger)
    const socket = await client.socket()
    onCleanup(() => socket.close())
    const heads: HeadJson[] = []
    await socket.subscribe('newHeads', (head) => heads.push(head))

    clock.advance(1000)
    const block = await ledger.mineBlock(minerAddress())
    await until(() => heads.length === 1)
    expect(heads[0]).toMatchObject({ hash: block?.id, height: 1, finalizedHeight: null, finalizedHash: null })

    const head = await client.call('chain_head')
    expect(head).toMatchObject({ hash: block?.id, finalizedHeight: null, finalizedHash: null })
    const status = await client.call('node_status')
    expect(status).toMatchObject({ consensus: 'pow', finalized: null, validator: null })
  })
})

describe('finality over JSON-RPC, proof of stake', () => {
  it('reports the head as final in chain_head, newHeads and node_status', async () => {
    const clock = new ManualClock(0)
    const { ledger, engine } = await openPosLedger(clock)
    const client = await serve(ledger)
    const genesisId = ledger.chain.genesisBlock.id
    expect(await client.call('chain_head')).toMatchObject({ height: 0, finalizedHeight: 0, finalizedHash: genesisId })

    const socket = await client.socket()
    onCleanup(() => socket.close())
    const heads: HeadJson[] = []
    await socket.subscribe('newHeads', (head) => heads.push(head))
    const block = await commitNextBlock(ledger, engine, clock)
    await until(() => heads.length === 1)
    expect(heads[0]).toMatchObject({ hash: block.id, height: 1, finalizedHeight: 1, finalizedHash: block.id })

    expect(await client.call('chain_head')).toMatchObject({ finalizedHeight: 1, finalizedHash: block.id })
    expect(await client.call('node_status')).toMatchObject({
      consensus: 'pos',
      finalized: { height: 1, hash: block.id },
      validator: null,
    })
  })

  it("shows a validator's height, round, step and the double signs it saw", async () => {
    const clock = new ManualClock(0)
    const { ledger } = await openPosLedger(clock)
    const address = validators[0]?.address as Uint8Array
    const service: { state: ValidatorParts['service']['state']; evidenceSeen: unknown[] } = {
      state: undefined,
      evidenceSeen: [],
    }
    const signer = new ValidatorTxSigner(keys[0] as KeyPair)
    const client = await serve(ledger, { address, signer, service })

    // Before its first height starts, the service has no round state: it is about to decide height 1.
    expect((await client.call('node_status')).validator).toEqual({
      address: formatAddress(address),
      height: 1,
      round: 0,
      step: 'starting',
      evidenceSeen: 0,
    })

    service.state = { height: 1n, round: 2, step: 'precommit' }
    service.evidenceSeen.push({}, {})
    expect((await client.call('node_status')).validator).toEqual({
      address: formatAddress(address),
      height: 1,
      round: 2,
      step: 'precommit',
      evidenceSeen: 2,
    })
  })
})
