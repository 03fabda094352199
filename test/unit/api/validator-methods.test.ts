/**
 * validator_stake and validator_unstake: their parameters, their guard, the
 * answer of a node that is no validator, and over a real proof-of-stake
 * ledger the tx the node signs with its validator key.
 */
import { describe, expect, it } from 'vitest'
import { RpcClient } from '../../../src/api/client.js'
import { RpcCode } from '../../../src/api/errors.js'
import { isPrivileged, methodClass } from '../../../src/api/method-classes.js'
import { VALIDATOR_FEE_DEFAULT } from '../../../src/api/methods.js'
import { RpcServer } from '../../../src/api/server.js'
import { posEngineOf } from '../../../src/consensus/pos/genesis-set.js'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import { verify } from '../../../src/ledger/crypto.js'
import { devnetKey, devnetPosGenesis } from '../../../src/ledger/genesis.js'
import { SignatureVerifier } from '../../../src/ledger/sigverify/pool.js'
import type { Tx } from '../../../src/ledger/tx.js'
import { TX_KIND } from '../../../src/ledger/tx-kind.js'
import type { AddrManStats } from '../../../src/net/network.js'
import { LedgerNode } from '../../../src/node/ledger-node.js'
import { NodeApiImpl } from '../../../src/node/node-api.js'
import { ValidatorTxSigner } from '../../../src/node/validator-tx.js'
import { NodeWallet } from '../../../src/node/wallet.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { toHex } from '../../../src/util/bytes.js'
import { ManualClock } from '../../../src/util/clock.js'
import { minerAddress } from '../../helpers/chain.js'
import { invalidParam, onCleanup, rpcError, startApi } from './harness.js'

const METHODS = ['validator_stake', 'validator_unstake'] as const

describe('validator_stake / validator_unstake parameters', () => {
  it.each(METHODS)('%s checks amount and fee before calling the node', async (method) => {
    const h = await startApi()
    const kind = method === 'validator_stake' ? 'stake' : 'unstake'
    await invalidParam(h.client.call(method, {} as never), 'amount')
    for (const amount of ['0', '-1', '1.5', '01', 'ten', '18446744073709551616', 12]) {
      await invalidParam(h.client.call(method, { amount } as never), 'amount')
    }
    for (const fee of ['x', '-1', '18446744073709551616', 5]) {
      await invalidParam(h.client.call(method, { amount: '1', fee } as never), 'fee')
    }
    await invalidParam(h.client.call(method, { amount: '1', to: 'pc1x' } as never), 'to')
    expect(h.node.bondCalls).toEqual([])

    // Valid: the node is asked, with the default fee when none is given.
    await rpcError(h.client.call(method, { amount: '5' }))
    await rpcError(h.client.call(method, { amount: '18446744073709551615', fee: '0' }))
    expect(h.node.bondCalls).toEqual([
      { kind, amount: 5n, fee: VALIDATOR_FEE_DEFAULT },
      { kind, amount: 2n ** 64n - 1n, fee: 0n },
    ])
  })

  it('are guarded methods of their own class', () => {
    for (const method of METHODS) {
      expect(methodClass(method)).toBe('validator')
      expect(isPrivileged(method)).toBe(true)
    }
  })

  it('a node that is not a validator answers -32030 NOT_A_VALIDATOR, naming its role', async () => {
    const h = await startApi()
    const err = await rpcError(h.client.call('validator_stake', { amount: '5' }))
    expect(err.code).toBe(RpcCode.UNAVAILABLE)
    expect(err.data).toEqual({ code: 'NOT_A_VALIDATOR', role: 'miner' })
    expect(err.message).toContain('--role validator')
  })

  it("the mempool's refusal is -32010 with the rule code: a stake on a chain without stake", async () => {
    const h = await startApi()
    h.node.validatorKey = devnetKey(0)
    const err = await rpcError(h.client.call('validator_stake', { amount: '5' }))
    expect(err.code).toBe(RpcCode.TX_REJECTED)
    expect(err.data).toMatchObject({ code: 'TX_KIND_UNSUPPORTED' })
  })
})

const NO_ADDRESSES: AddrManStats = { new: 0, tried: 0, groups: [] }

/** The node's own NodeApi over a proof-of-stake ledger with stake rules; its validator key is devnet account 0's. */
async function posValidatorNode(): Promise<{ ledger: LedgerNode; client: RpcClient }> {
  const genesis = devnetPosGenesis(4)
  const clock = new ManualClock(genesis.timestampMs + 1000)
  const ledger = await LedgerNode.open(
    { store: new MemoryStore(), engine: posEngineOf(genesis), signatures: new SignatureVerifier({}), clock },
    { genesis },
  )
  onCleanup(() => ledger.close())
  const key = devnetKey(0)
  const time = new SimScheduler()
  const api = new NodeApiImpl({
    chain: ledger.chain,
    mempool: ledger.mempool,
    network: {
      peerId: '12D3KooWValidatorTest',
      peers: () => [],
      addrman: () => NO_ADDRESSES,
      dial: async () => '12D3KooWValidatorTest',
      ban: async () => {},
      unban: async () => {},
      listenAddresses: () => [],
    },
    miner: { active: false, start: () => {}, stop: async () => {} },
    mineBlock: async () => null,
    wallet: new NodeWallet('/nonexistent/validator-test', [], { clock: time, timers: time }),
    submitTx: (tx) => ledger.submitTx(tx),
    syncStatus: () => ({
      state: 'idle',
      doneHeight: 0,
      targetHeight: 0,
      blocksPerSecond: 0,
      etaSeconds: null,
      peer: null,
    }),
    role: 'validator',
    mineThreads: 1,
    minerAddress: minerAddress(),
    validator: {
      address: addressFromPublicKey(key.publicKey),
      signer: new ValidatorTxSigner(key),
      service: { state: undefined, evidenceSeen: [] },
    },
  })
  const server = new RpcServer(api, { port: 0 })
  await server.start()
  onCleanup(() => server.close())
  return { ledger, client: new RpcClient(server.url) }
}

describe('validator_stake / validator_unstake on a validator node', () => {
  it('sign with the validator key, to its own address, at consecutive nonces, into the mempool', async () => {
    const { ledger, client } = await posValidatorNode()
    const key = devnetKey(0)
    const self = addressFromPublicKey(key.publicKey)
    // Sent together: the node serialises them, so they take consecutive nonces.
    const [stake, more] = await Promise.all([
      client.call('validator_stake', { amount: '250000', fee: '10' }),
      client.call('validator_stake', { amount: '1000' }),
    ])
    expect(stake.status).toBe('ready')
    expect(more.status).toBe('ready')
    const bonded = ledger.mempool.get(stake.txId) as Tx
    const again = ledger.mempool.get(more.txId) as Tx
    for (const tx of [bonded, again]) {
      expect(tx.kind).toBe(TX_KIND.stake)
      expect(toHex(tx.fields.recipient)).toBe(toHex(self))
      expect(toHex(tx.fields.senderPubKey)).toBe(toHex(key.publicKey))
      expect(verify(key.publicKey, tx.signingBytes, tx.fields.signature)).toBe(true)
      expect(tx.fields.payload.byteLength).toBe(0)
    }
    expect([bonded.fields.amount, bonded.fields.fee]).toEqual([250_000n, 10n])
    expect([again.fields.amount, again.fields.fee]).toEqual([1000n, VALIDATOR_FEE_DEFAULT])
    expect([bonded.fields.nonce, again.fields.nonce].sort()).toEqual([0n, 1n])
    // An unstake is checked against the stake bonded at the head: none yet, so it is refused, with the rule's code.
    const err = await rpcError(client.call('validator_unstake', { amount: '1000' }))
    expect(err.code).toBe(RpcCode.TX_REJECTED)
    expect(err.data).toMatchObject({ code: 'TX_INSUFFICIENT_STAKE' })

    const listed = await client.call('tx_get', { hash: stake.txId })
    expect(listed.status === 'pending' && listed.tx.kind).toBe('stake')
  })
})
