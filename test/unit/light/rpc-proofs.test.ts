/**
 * `light_accountProof` and `light_txProof` on a full node: light/rpc-proofs.ts
 * builds them with the light protocol's own answer functions (handler.ts),
 * and the page's checks (verify-browser.ts) accept them against the block
 * they name; blocks off the main chain, unknown or past the state window
 * answer null; the method table validates params and maps a node without
 * proofs to -32030 NOT_SERVED.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { RpcDispatcher } from '../../../src/api/dispatcher.js'
import type { AccountProofJson } from '../../../src/api/json.js'
import { RPC_METHODS } from '../../../src/api/methods.js'
import type { NodeApi } from '../../../src/api/node-api.js'
import { StateTrie } from '../../../src/chain/trie.js'
import { addressFromPublicKey, formatAddress } from '../../../src/ledger/address.js'
import type { Block } from '../../../src/ledger/block.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import { LightRpcProofs } from '../../../src/light/rpc-proofs.js'
import { checkAccountAnswer, checkTxAnswer } from '../../../src/light/verify-browser.js'
import type { TestChain } from '../../helpers/chain.js'
import { sourceChain } from '../sync/helpers.js'

let source: TestChain
let blocks: Block[]
let proofs: LightRpcProofs
const alice = addressFromPublicKey(devnetKey(0).publicKey)

beforeAll(async () => {
  ;({ source, blocks } = await sourceChain(30))
  proofs = new LightRpcProofs(source.chain, await StateTrie.open(source.store, 4096), { stateWindow: 20 })
})

describe('LightRpcProofs', () => {
  it('proves an account at the head by default, at a height or a hash, each checked as the page checks it', async () => {
    const head = source.chain.head
    const atHead = (await proofs.account(alice)) as AccountProofJson
    expect(atHead).toMatchObject({ address: formatAddress(alice), blockHash: head.id, height: head.height })
    const checked = checkAccountAnswer(atHead, formatAddress(alice), head.id)
    expect(checked).toMatchObject({ ok: true, header: { hash: head.id, height: head.height } })
    expect(checked.ok && checked.account).toEqual(await source.chain.getAccount(alice))

    const at15 = source.chain.index.mainAt(15)!
    for (const at of [{ height: 15 }, { hash: at15.id }]) {
      const answer = (await proofs.account(alice, at)) as AccountProofJson
      expect(answer.blockHash).toBe(at15.id)
      expect(checkAccountAnswer(answer, formatAddress(alice), at15.id).ok).toBe(true)
    }
    const nobody = new Uint8Array(20).fill(7)
    const none = (await proofs.account(nobody)) as AccountProofJson
    expect(none.account).toBe('')
    expect(checkAccountAnswer(none, formatAddress(nobody), head.id)).toMatchObject({ ok: true, account: undefined })
  })

  it('answers null for a height above the head, an unknown hash, or a block past the state window', async () => {
    expect(await proofs.account(alice, { height: 31 })).toBeNull()
    expect(await proofs.account(alice, { hash: 'ab'.repeat(32) })).toBeNull()
    expect(await proofs.account(alice, { height: 5 })).toBeNull() // 30 - 5 >= 20
    expect(await proofs.account(alice, { height: 11 })).not.toBeNull()
  })

  it('proves a main-chain tx, and answers null for an unknown one', async () => {
    const block = blocks[10] as Block
    const tx = block.txs[0]!
    const answer = await proofs.tx(tx.id)
    expect(answer).toMatchObject({ hash: tx.id, blockHash: block.id, height: block.height, index: 0 })
    expect(checkTxAnswer(answer!, tx.id, block.id)).toMatchObject({ ok: true, header: { height: block.height } })
    expect(await proofs.tx('cd'.repeat(32))).toBeNull()
  })
})

describe('the light_ methods', () => {
  const call = async (api: Partial<NodeApi>, method: string, params: unknown) => {
    const dispatcher = new RpcDispatcher(RPC_METHODS, api as NodeApi, { batchMax: 10, batchResponseBytesMax: 1 << 20 })
    return JSON.parse((await dispatcher.handleValue({ jsonrpc: '2.0', id: 1, method, params })) as string) as {
      result?: unknown
      error?: { code: number; data?: { code?: string } }
    }
  }
  const api: Partial<NodeApi> = {
    accountProof: (address, at) => proofs.account(address, at),
    txProof: (hash) => proofs.tx(hash),
  }

  it('validate params, call the node, and answer -32030 NOT_SERVED without proofs', async () => {
    const address = formatAddress(alice)
    expect((await call(api, 'light_accountProof', { address })).result).toMatchObject({ height: 30 })
    expect((await call(api, 'light_accountProof', { address, height: 12 })).result).toMatchObject({ height: 12 })
    expect((await call(api, 'light_accountProof', { address, height: 1, hash: 'ab'.repeat(32) })).error?.code).toBe(
      -32602,
    )
    expect((await call(api, 'light_accountProof', { address: 'pc1nope' })).error?.code).toBe(-32602)
    expect((await call(api, 'light_txProof', { hash: 'cd'.repeat(32) })).result).toBeNull()
    expect((await call(api, 'light_txProof', { hash: 'xyz' })).error?.code).toBe(-32602)
    const none = await call({}, 'light_accountProof', { address })
    expect(none.error).toMatchObject({ code: -32030, data: { code: 'NOT_SERVED' } })
    expect((await call({}, 'light_txProof', { hash: 'cd'.repeat(32) })).error?.data?.code).toBe('NOT_SERVED')
  })
})
