/**
 * A fresh light node on a version 2 chain starts from FlyClient proofs (the
 * light protocol's FlyProofRequest, served by the real handler): it accepts
 * an honest server's proof and downloads only the last headers below the
 * proven tip; a server whose sampled headers do not carry the work it claims
 * is charged and the honest chain wins. Also: the server's proof follows its
 * head, and the header store keeps only a window of headers in memory.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { StateTrie } from '../../../src/chain/trie.js'
import { workOf } from '../../../src/consensus/pow/target.js'
import { Header, type HeaderFields } from '../../../src/ledger/block.js'
import { EMPTY_MMR, type MmrPeaks, mmrAppend, mmrRoot } from '../../../src/ledger/mmr.js'
import type { LightSend } from '../../../src/light/client.js'
import {
  decodeFlyProofResponse,
  decodeLightRequest,
  encodeFlyProofResponse,
  encodeLightRequest,
} from '../../../src/light/codec.js'
import { FlyServer } from '../../../src/light/fly-serve.js'
import { buildFlyProof, powFlyRules, verifyFlyProof } from '../../../src/light/flyclient.js'
import { LightHeaderStore } from '../../../src/light/header-store.js'
import { HeaderSync } from '../../../src/light/header-sync.js'
import { createLightClient, createLightHandler, decodeHeadersResponse } from '../../../src/light/index.js'
import type { PeerIdString, RequestHandler } from '../../../src/net/network.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { bytesToBigint } from '../../../src/util/bytes.js'
import { openTestChain, type TestChain, testGenesis } from '../../helpers/chain.js'
import { mineFast } from '../sync/helpers.js'
import { type Report, streamTo } from './helpers.js'

const genesis = testGenesis({ headerVersion: 2 })
const params = genesis.params
const BLOCKS = 600
const WINDOW = 100
let source: TestChain
let honest: RequestHandler

beforeAll(async () => {
  source = await openTestChain({ genesis })
  for (let i = 0; i < BLOCKS; i++) await source.chain.importBlock(await mineFast(source), 'rpc')
  honest = createLightHandler(source.chain, await StateTrie.open(source.store, 1024))
}, 60_000)

const mainHeaders = (t: TestChain): Header[] =>
  Array.from({ length: t.chain.head.height + 1 }, (_, h) => t.chain.index.mainAt(h)?.header as Header)

function seal(fields: HeaderFields): Header {
  for (let nonce = 0n; ; nonce++) {
    const header = Header.fromFields({ ...fields, nonce })
    if (bytesToBigint(header.hash) <= header.target) return header
  }
}

/** Counts what the light client asked for and was sent, per kind. */
function counted(send: LightSend) {
  const got = { headers: 0, flyProofs: 0, bytes: 0 }
  const wrapped: LightSend = async (peer, request, signal) => {
    const response = await send(peer, request, signal)
    const req = decodeLightRequest(request)
    got.bytes += response.byteLength
    if (req.kind === 'headers') got.headers += decodeHeadersResponse(response, req.count).headers.length
    if (req.kind === 'fly') got.flyProofs++
    return response
  }
  return { got, send: wrapped }
}

async function fresh(send: LightSend, reports: Report[], memoryWindow?: number) {
  const store = await LightHeaderStore.open(new MemoryStore(), source.chain.genesisBlock.header, params, {
    memoryWindow,
  })
  const report = (peer: PeerIdString, penalty: number, reason: string) => reports.push({ peer, penalty, reason })
  const sync = new HeaderSync(
    {
      store,
      client: createLightClient({ send, report }),
      report,
      claimedWork: () => undefined,
      refuteClaim: () => undefined,
    },
    { fly: { window: WINDOW } },
  )
  return { store, sync }
}

describe('starting a light node from sampling proofs', () => {
  it('serves a proof of its head that verifies, and follows the head as it grows', async () => {
    const t = await openTestChain({ genesis })
    for (let i = 0; i < 40; i++) await t.chain.importBlock(await mineFast(t), 'rpc')
    const server = new FlyServer(t.chain)
    const check = () => {
      const proof = decodeFlyProofResponse(server.answer(32), 32)
      const verified = verifyFlyProof(proof!, powFlyRules(params), t.chain.genesisBlock.hash, 32)
      expect(verified.tip.id).toBe(t.chain.head.id)
      expect(verified.totalWork).toBe(t.chain.head.totalWork)
      // The same proof as built from every header.
      expect(encodeFlyProofResponse(proof)).toEqual(
        encodeFlyProofResponse(buildFlyProof(mainHeaders(t), (h) => workOf(h.target), 32)),
      )
    }
    check()
    for (let i = 0; i < 7; i++) await t.chain.importBlock(await mineFast(t), 'rpc')
    check()
    // A chain of only its genesis, or version 1 headers, has none: an empty answer.
    const v1 = await openTestChain()
    await v1.chain.importBlock(await mineFast(v1), 'rpc')
    expect(decodeFlyProofResponse(new FlyServer(v1.chain).answer(8), 8)).toBeUndefined()
    const handler = createLightHandler(t.chain, await StateTrie.open(t.store, 64))
    const answer = await handler(encodeLightRequest({ kind: 'fly', samples: 16 }), 'peer')
    expect(decodeFlyProofResponse(answer, 16)?.tip.id).toBe(t.chain.head.id)
  })

  it('asks two peers, verifies their proofs, and downloads only the last headers below the proven tip', async () => {
    const reports: Report[] = []
    const { got, send } = counted(streamTo({ a: { handler: honest }, b: { handler: honest } }))
    const { store, sync } = await fresh(send, reports)
    await Promise.all([sync.poke('a'), sync.poke('b')])
    expect(sync.flyOutcomes).toHaveLength(1)
    expect(sync.flyOutcomes[0]).toMatchObject({ kind: 'adopted', asked: 2, verified: 2, headers: WINDOW })
    expect(store.tip.id).toBe(source.chain.head.id)
    expect(store.tip.totalWork).toBe(source.chain.head.totalWork)
    expect(store.anchor?.height).toBe(BLOCKS - WINDOW + 1)
    expect(got.flyProofs).toBe(2)
    // The window, and nothing past the tip: a sixth of the chain's headers here, ~1% at 10,000.
    expect(got.headers).toBe(WINDOW)
    expect(store.size).toBe(WINDOW + 1)
    expect(store.mainAt(BLOCKS - WINDOW)).toBeUndefined()
    expect(reports).toEqual([])
    // It follows the chain past the proven tip by header sync.
    for (let i = 0; i < 3; i++) await source.chain.importBlock(await mineFast(source), 'rpc')
    await sync.poke('a')
    expect(store.tip.id).toBe(source.chain.head.id)
    expect(store.tip.totalWork).toBe(source.chain.head.totalWork)
    expect(got.headers).toBe(WINDOW + 3)
  })

  it('charges a server whose sampled headers do not carry the work it claims, and takes the honest chain', async () => {
    // The liar's MMR claims a thousand times each block's work, under a tip mined to commit to it.
    const headers = mainHeaders(source)
    const inflated = (h: Header) => (h.height === 0 ? workOf(h.target) : workOf(h.target) * 1000n)
    let mmr: MmrPeaks = EMPTY_MMR
    for (const h of headers.slice(0, -1)) mmr = mmrAppend(mmr, h.hash, inflated(h))
    const tip = seal({ ...(headers.at(-1) as Header).fields, mmrRoot: mmrRoot(mmr) })
    const lie = encodeFlyProofResponse(buildFlyProof([...headers.slice(0, -1), tip], inflated))
    const liar: RequestHandler = async (request, peer) =>
      decodeLightRequest(request).kind === 'fly' ? lie : honest(request, peer)
    const reports: Report[] = []
    const { got, send } = counted(streamTo({ liar: { handler: liar }, a: { handler: honest } }))
    const { store, sync } = await fresh(send, reports)
    await Promise.all([sync.poke('liar'), sync.poke('a')])
    expect(sync.flyOutcomes[0]).toMatchObject({ kind: 'adopted', peer: 'a', asked: 2, verified: 1 })
    expect(reports).toHaveLength(1)
    expect(reports[0]).toMatchObject({ peer: 'liar', penalty: 100 })
    expect(reports[0]?.reason).toMatch(/is not leaf|covers/)
    expect(store.tip.id).toBe(source.chain.head.id)
    expect(got.headers).toBeLessThanOrEqual(WINDOW + 3)
  })

  it('reopens a proven chain from its store, and keeps only a window of a long one in memory', async () => {
    const kv = new MemoryStore()
    const reports: Report[] = []
    const store = await LightHeaderStore.open(kv, source.chain.genesisBlock.header, params)
    const client = createLightClient({ send: streamTo({ a: { handler: honest } }), report: () => undefined })
    const tipHeight = source.chain.head.height
    const run = await client.headers('a', tipHeight - 49, 50, params)
    if (!run.ok) throw new Error(run.message)
    await store.adoptProven(run.value.headers, source.chain.head.totalWork)
    await store.close()
    const again = await LightHeaderStore.open(kv, source.chain.genesisBlock.header, params)
    expect(again.tip.id).toBe(source.chain.head.id)
    expect(again.tip.totalWork).toBe(source.chain.head.totalWork)
    expect(again.anchor?.height).toBe(tipHeight - 49)
    expect(again.size).toBe(51)
    await again.close()

    // Header sync from the genesis (no proofs) with a memory window of 64.
    const plain = await LightHeaderStore.open(new MemoryStore(), source.chain.genesisBlock.header, params, {
      memoryWindow: 64,
    })
    const sync = new HeaderSync(
      {
        store: plain,
        client: createLightClient({ send: streamTo({ a: { handler: honest } }), report: () => undefined }),
        report: (peer, penalty, reason) => reports.push({ peer, penalty, reason }),
        claimedWork: () => undefined,
        refuteClaim: () => undefined,
      },
      { fly: false, batch: 200 },
    )
    expect(await sync.syncFrom('a')).toMatchObject({ kind: 'done', added: tipHeight })
    expect(plain.tip.totalWork).toBe(source.chain.head.totalWork)
    expect(plain.size).toBeLessThanOrEqual(64 + 201)
    expect(plain.mainAt(1)).toBeUndefined()
    expect(plain.mainAt(tipHeight - 10)?.id).toBe(source.chain.index.mainAt(tipHeight - 10)?.id)
    expect(reports).toEqual([])
  })
})
