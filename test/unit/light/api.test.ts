/**
 * A light node's API over fake full peers (the real light handler and
 * client, bytes through a fake stream): balances proven by two peers of
 * different network groups, each lie caught and charged with the answer
 * taken from honest peers, a disagreement reported rather than resolved,
 * tx inclusion proven against our header chain, and the methods a light
 * node does not serve refused with a clear code.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { RpcCode, RpcError } from '../../../src/api/errors.js'
import { StateTrie } from '../../../src/chain/trie.js'
import { addressFromPublicKey, formatAddress } from '../../../src/ledger/address.js'
import type { Block } from '../../../src/ledger/block.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import { accountToBytes } from '../../../src/ledger/state.js'
import { LightNodeApi, NOT_ON_LIGHT_NODE } from '../../../src/light/api.js'
import { LightHeaderStore } from '../../../src/light/header-store.js'
import {
  createLightClient,
  createLightHandler,
  decodeAccountProofResponse,
  decodeTxProofResponse,
  encodeAccountProofResponse,
  encodeLightRequest,
  encodeTxProofResponse,
} from '../../../src/light/index.js'
import { type LightPeer, LightQueries } from '../../../src/light/queries.js'
import { LightTxs } from '../../../src/light/txs.js'
import type { PeerIdString, RequestHandler } from '../../../src/net/network.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { ManualClock } from '../../../src/util/clock.js'
import { type TestChain, testGenesis, transfer } from '../../helpers/chain.js'
import { copyChain, sourceChain } from '../sync/helpers.js'
import { type Report, streamTo } from './helpers.js'

const genesis = testGenesis()
const alice = addressFromPublicKey(devnetKey(0).publicKey)
let source: TestChain
let blocks: Block[]
let handler: RequestHandler
/** The same chain one block short: its peers cannot prove at our tip. */
let behindHandler: RequestHandler

beforeAll(async () => {
  ;({ source, blocks } = await sourceChain(40))
  handler = createLightHandler(source.chain, await StateTrie.open(source.store, 4096))
  const behind = await copyChain(source, blocks, 39)
  behindHandler = createLightHandler(behind.chain, await StateTrie.open(behind.store, 4096))
})

type Servers = Parameters<typeof streamTo>[0]

/** A light API whose header store holds the source chain, over `servers` in the given network groups. */
async function lightApi(servers: Servers, groups: Record<PeerIdString, string>) {
  const store = await LightHeaderStore.open(new MemoryStore(), source.chain.genesisBlock.header, genesis.params)
  await store.add(blocks.map((b) => b.header))
  const reports: Report[] = []
  const client = createLightClient({
    send: streamTo(servers),
    report: (peer, penalty, reason) => reports.push({ peer, penalty, reason }),
  })
  const peers = (): LightPeer[] => Object.keys(servers).map((id) => ({ id, group: groups[id] ?? 'local', score: 0 }))
  const behindPeers: PeerIdString[] = []
  const queries = new LightQueries({ store, client, peers, behind: (p) => behindPeers.push(p) })
  const published: Uint8Array[] = []
  const txs = new LightTxs({
    publish: async (data) => {
      published.push(data)
      return 2
    },
    clock: new ManualClock(0),
  })
  const logs: Array<{ level: string; msg: string }> = []
  const api = new LightNodeApi({
    chainId: genesis.chainId,
    consensus: 'pow',
    genesisId: store.genesis.id,
    limits: genesis.limits,
    store,
    queries,
    txs,
    network: {
      peerId: 'light',
      peers: () => [],
      addrman: () => ({ new: 0, tried: 0, groups: [] }),
      dial: async () => 'x',
      ban: async () => undefined,
      unban: async () => undefined,
      listenAddresses: () => [],
    },
    syncStatus: () => ({
      state: 'idle',
      doneHeight: 40,
      targetHeight: 40,
      blocksPerSecond: 0,
      etaSeconds: null,
      peer: null,
    }),
    log: (level, msg) => logs.push({ level, msg }),
  })
  return { api, store, reports, published, logs, behindPeers }
}

const threeGroups = { liar: 'ip4:10.1', a: 'ip4:10.2', b: 'ip4:10.3' }

const tamperAccount = (f: (r: ReturnType<typeof decodeAccountProofResponse>) => void) => (bytes: Uint8Array) => {
  const r = decodeAccountProofResponse(bytes)
  if (r.header.byteLength > 0) f(r)
  return encodeAccountProofResponse(r)
}

describe('light API: chain_getAccount', () => {
  it('answers verified: true with the header it was proven at, from two peers of different groups', async () => {
    const { api, reports } = await lightApi({ a: { handler }, b: { handler } }, threeGroups)
    const got = await api.account(alice)
    const expected = await source.chain.getAccount(alice)
    expect(got).toEqual({
      address: formatAddress(alice),
      balance: expected.balance.toString(),
      nonce: expected.nonce.toString(),
      verified: true,
      provenAt: { height: 40, hash: source.chain.head.id },
    })
    // An address with no account is proven absent: balance 0.
    expect(await api.account(new Uint8Array(20).fill(7))).toMatchObject({ balance: '0', verified: true })
    expect(reports).toEqual([])
  })

  const lies: Array<[string, (bytes: Uint8Array) => Uint8Array, string]> = [
    [
      'an altered balance',
      tamperAccount((r) => {
        r.account = accountToBytes({ balance: 999_999_999n, nonce: 0n })
      }),
      'PROOF_ACCOUNT_MISMATCH',
    ],
    [
      'a proof for another root',
      (bytes) => {
        const r = decodeAccountProofResponse(bytes)
        if (r.header.byteLength === 0) return bytes
        // The genesis state's proof of the same address, under the header asked for.
        return encodeAccountProofResponse({ ...r, proof: genesisProof, account: genesisAccount })
      },
      'PROOF_BAD_ROOT',
    ],
    [
      'a truncated proof',
      tamperAccount((r) => {
        r.proof = r.proof.slice(0, -1)
      }),
      'PROOF_TRUNCATED',
    ],
  ]
  let genesisProof: Uint8Array[] = []
  let genesisAccount: Uint8Array = new Uint8Array(0)
  beforeAll(async () => {
    const bytes = await handler(
      encodeLightRequest({ kind: 'account', blockHash: blocks[0]!.hash, address: alice }),
      'probe',
    )
    const r = decodeAccountProofResponse(bytes)
    genesisProof = r.proof
    genesisAccount = r.account
  })

  for (const [what, tamper, code] of lies) {
    it(`${what}: detected, the liar charged, the answer taken from two honest peers`, async () => {
      const { api, reports } = await lightApi(
        { liar: { handler, tamper }, a: { handler }, b: { handler } },
        threeGroups,
      )
      const got = await api.account(alice)
      expect(got).toMatchObject({
        balance: (await source.chain.getAccount(alice)).balance.toString(),
        verified: true,
        provenAt: { height: 40 },
      })
      expect(reports).toEqual([expect.objectContaining({ peer: 'liar', penalty: 100 })])
      expect(reports[0]?.reason).toContain(code)
    })
  }

  it('a liar and one honest peer are not enough: not proven (never the one answer)', async () => {
    const liar = tamperAccount((r) => {
      r.proof = r.proof.slice(0, -1)
    })
    const { api, reports } = await lightApi({ liar: { handler, tamper: liar }, a: { handler } }, threeGroups)
    const err = await api.account(alice).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RpcError)
    expect(err).toMatchObject({ code: RpcCode.UNAVAILABLE, data: { code: 'NOT_PROVEN' } })
    expect(reports.map((r) => r.peer)).toEqual(['liar'])
  })

  it('two peers of one network group count once (local peers each count: a devnet)', async () => {
    const sameGroup = await lightApi({ a: { handler }, b: { handler } }, { a: 'ip4:10.9', b: 'ip4:10.9' })
    await expect(sameGroup.api.account(alice)).rejects.toMatchObject({ data: { code: 'NOT_PROVEN' } })
    const local = await lightApi({ a: { handler }, b: { handler } }, { a: 'local', b: 'local' })
    expect(await local.api.account(alice)).toMatchObject({ verified: true })
  })

  it('proves a block below the tip when the peers do not have the tip yet', async () => {
    const { api, reports } = await lightApi(
      { a: { handler: behindHandler }, b: { handler: behindHandler } },
      threeGroups,
    )
    expect(await api.account(alice)).toMatchObject({ verified: true, provenAt: { height: 39, hash: blocks[38]!.id } })
    expect(reports).toEqual([])
  })

  it('a peer whose answer was lost on the way (a reset stream) is asked again, one header down', async () => {
    let failed = 0
    const flaky: RequestHandler = async (request, peer) => {
      if (failed++ === 0) throw new Error('stream reset once')
      return handler(request, peer)
    }
    const { api, reports } = await lightApi({ a: { handler: flaky }, b: { handler } }, threeGroups)
    expect(await api.account(alice)).toMatchObject({ verified: true, provenAt: { height: 39, hash: blocks[38]!.id } })
    expect(reports).toEqual([])
  })

  it('verified answers that differ are reported in the answer and the log, never picked from', async () => {
    const { api, logs } = await lightApi({ a: { handler }, b: { handler } }, threeGroups)
    // Real proofs at one root cannot differ: a client that says they do stands in for a broken prover.
    const store = (api as unknown as { n: { store: LightHeaderStore } }).n.store
    const at = store.tip
    const fake = new LightNodeApi({
      ...(api as unknown as { n: ConstructorParameters<typeof LightNodeApi>[0] }).n,
      queries: {
        account: async () => ({
          kind: 'disagreement',
          at,
          answers: [
            { peer: 'a', value: { account: { balance: 1n, nonce: 0n }, header: at.header } },
            { peer: 'b', value: { account: { balance: 2n, nonce: 0n }, header: at.header } },
          ],
          failures: [],
        }),
        tx: async () => ({ kind: 'not-found', failures: [] }),
      },
    })
    const err = await fake.account(alice).catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: RpcCode.UNAVAILABLE,
      data: {
        code: 'PEERS_DISAGREE',
        provenAt: { height: 40 },
        answers: [
          { peer: 'a', balance: '1' },
          { peer: 'b', balance: '2' },
        ],
      },
    })
    expect(logs.some((l) => l.level === 'warn' && l.msg.includes('different accounts'))).toBe(true)
  })
})

describe('light API: txs', () => {
  const included = () => (blocks[10] as Block).txs[0]!

  it('tx_get proves inclusion against our header chain; a tx "proof" for a tx not in the block is charged', async () => {
    const stranger = transfer(2, 3, 0n)
    const notInBlock = (bytes: Uint8Array) => {
      const r = decodeTxProofResponse(bytes)
      return r.tx.byteLength === 0 ? bytes : encodeTxProofResponse({ ...r, tx: stranger.bytes })
    }
    const { api, reports } = await lightApi({ liar: { handler, tamper: notInBlock }, a: { handler } }, threeGroups)
    const got = await api.txByHash(included().id)
    expect(got).toMatchObject({
      status: 'included',
      blockHash: blocks[10]!.id,
      height: 11,
      index: 0,
      verified: true,
      tx: { hash: included().id },
    })
    expect(reports).toEqual([expect.objectContaining({ peer: 'liar', penalty: 100 })])
    expect(reports[0]?.reason).toContain('TX_NOT_IN_BLOCK')
  })

  it('a proof in a block past our tip is not believed yet: pending or unknown, and a header sync is asked for', async () => {
    const { api, store, behindPeers } = await lightApi({ a: { handler } }, threeGroups)
    // Our store one block short of what the peer proves in: drop to a fresh store with 10 headers.
    const short = await LightHeaderStore.open(new MemoryStore(), source.chain.genesisBlock.header, genesis.params)
    await short.add(blocks.slice(0, 10).map((b) => b.header))
    const n = (api as unknown as { n: ConstructorParameters<typeof LightNodeApi>[0] }).n
    const queries = new LightQueries({
      store: short,
      client: createLightClient({ send: streamTo({ a: { handler } }), report: () => undefined }),
      peers: () => [{ id: 'a', group: 'local', score: 0 }],
      behind: (p) => behindPeers.push(p),
    })
    const lagging = new LightNodeApi({ ...n, store: short, queries })
    expect(await lagging.txByHash(included().id)).toEqual({ status: 'unknown' })
    expect(behindPeers).toEqual(['a'])
    expect(store.tip.height).toBe(40)
  })

  it('tx_submit checks and publishes; mempool_list and tx_get show it pending until proven', async () => {
    const { api, published } = await lightApi({ a: { handler } }, threeGroups)
    const tx = transfer(4, 5, 0n, 1000n, 1000n, genesis.chainId)
    expect(await api.submitTx(tx)).toEqual({ hash: tx.id, status: 'ready' })
    expect(published).toEqual([tx.bytes])
    expect(api.mempool(10)).toMatchObject({ size: 1, txs: [{ hash: tx.id, nonce: '0' }] })
    expect(await api.txByHash(tx.id)).toMatchObject({ status: 'pending', tx: { hash: tx.id } })
    // Another chain's tx is refused before it goes out.
    const foreign = transfer(4, 5, 1n, 1000n, 1000n, 'another-chain')
    await expect(api.submitTx(foreign)).rejects.toMatchObject({ code: 'TX_WRONG_CHAIN' })
    expect(published).toHaveLength(1)
  })
})

describe('light API: what a light node does not serve', () => {
  it('answers UNAVAILABLE with data.code NOT_ON_LIGHT_NODE; head and status read the header tip', async () => {
    const { api } = await lightApi({ a: { handler } }, threeGroups)
    for (const call of [
      () => api.blockAtHeight(),
      () => api.blockByHash(),
      () => api.startMining(),
      () => api.generateBlocks(),
      () => api.walletSend(),
      () => api.posValidators(),
      () => api.validatorBond(),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: RpcCode.UNAVAILABLE, data: { code: NOT_ON_LIGHT_NODE } })
    }
    expect(api.head()).toMatchObject({
      height: 40,
      hash: source.chain.head.id,
      totalWork: `${source.chain.head.totalWork}`,
    })
    expect(api.status()).toMatchObject({
      role: 'light',
      head: { height: 40 },
      consensus: 'pow',
      mining: { active: false },
    })
    expect(api.info()).toMatchObject({ role: 'light', head: { height: 40 } })
    expect(api.head()).toMatchObject({ finalizedHeight: null, finalizedHash: null })
    expect(api.status().finalized).toBeNull()
  })

  it('under proof of stake shows its tip as final (every stored header has a verified commit)', async () => {
    const { api, store } = await lightApi({ a: { handler } }, threeGroups)
    const pos = new LightNodeApi({
      ...(api as unknown as { n: ConstructorParameters<typeof LightNodeApi>[0] }).n,
      consensus: 'pos',
    })
    const tip = store.tip
    expect(pos.head()).toMatchObject({ height: tip.height, finalizedHeight: tip.height, finalizedHash: tip.id })
    expect(pos.status()).toMatchObject({ consensus: 'pos', finalized: { height: tip.height, hash: tip.id } })
  })
})
