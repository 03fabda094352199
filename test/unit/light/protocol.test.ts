/**
 * The light protocol end to end without libp2p: the real client, the real
 * handler over a real in-memory chain, bytes through a fake stream. Honest
 * answers verify; each lie is caught, charged and typed; requests past the
 * caps or quotas are refused.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { StateTrie } from '../../../src/chain/trie.js'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import { type Block, Header } from '../../../src/ledger/block.js'
import { DecodeError } from '../../../src/ledger/errors.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import { accountToBytes } from '../../../src/ledger/state.js'
import {
  askTwo,
  createLightClient,
  createLightHandler,
  decodeAccountProofResponse,
  decodeHeadersResponse,
  decodeLightRequest,
  decodeTxProofResponse,
  encodeAccountProofResponse,
  encodeHeadersResponse,
  encodeLightRequest,
  encodeTxProofResponse,
  LIGHT_HEADERS_MAX,
  LightQuota,
  LightServeRefused,
  type ProvenAccount,
  sameAccount,
  sameHeaders,
} from '../../../src/light/index.js'
import type { RequestHandler } from '../../../src/net/network.js'
import { ManualClock } from '../../../src/util/clock.js'
import { type TestChain, testGenesis, transfer } from '../../helpers/chain.js'
import { copyChain, mineFast } from '../sync/helpers.js'
import { type Report, servedChain, streamTo } from './helpers.js'

let source: TestChain
let blocks: Block[]
let handler: RequestHandler
const params = testGenesis().params
const alice = addressFromPublicKey(devnetKey(0).publicKey)

beforeAll(async () => {
  ;({ source, blocks, handler } = await servedChain(40))
})

const headerAt = (height: number): Header => source.chain.index.mainAt(height)?.header as Header
/** A light client whose peers are `servers`; its charges land in the returned list. */
function client(servers: Parameters<typeof streamTo>[0]) {
  const reports: Report[] = []
  const light = createLightClient({
    send: streamTo(servers),
    report: (peer, penalty, reason) => reports.push({ peer, penalty, reason }),
  })
  return { light, reports }
}
const trustedFrom = (chain: TestChain['chain']) => (id: string) => {
  const entry = chain.index.get(id)
  return entry && chain.index.onMain(entry) ? entry.header : undefined
}

describe('light protocol: honest answers verify', () => {
  it('an account proof at the head and at an older block, and an absent account', async () => {
    const { light, reports } = client({ full: { handler } })
    const head = source.chain.head.header
    const now = await light.account('full', head, alice)
    expect(now.ok && now.value.account).toEqual(await source.chain.getAccount(alice))
    const before = await light.account('full', headerAt(5), alice)
    expect(before.ok && before.value.account?.balance).not.toBe(now.ok && now.value.account?.balance)
    const absent = await light.account('full', head, new Uint8Array(20).fill(3))
    expect(absent).toMatchObject({ ok: true, value: { account: undefined } })
    expect(reports).toEqual([])
  })

  it('a tx inclusion proof, and "not found" for an unknown tx (not charged)', async () => {
    const { light, reports } = client({ full: { handler } })
    const tx = (blocks[10] as Block).txs[0]!
    const got = await light.tx('full', tx.hash, trustedFrom(source.chain))
    expect(got.ok && got.value.tx.id).toBe(tx.id)
    expect(got.ok && got.value.header.id).toBe((blocks[10] as Block).id)
    const missing = await light.tx('full', new Uint8Array(32).fill(5), trustedFrom(source.chain))
    expect(missing).toMatchObject({ ok: false, kind: 'unavailable' })
    expect(reports).toEqual([])
  })

  it('headers by range, linked to the trusted parent, with their work; none past the head', async () => {
    const { light } = client({ full: { handler } })
    const got = await light.headers('full', 1, 40, params, { parent: source.chain.genesisBlock.header })
    expect(got.ok && got.value.headers.map((h) => h.height)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    expect(got.ok && got.value.work).toBe(source.chain.head.totalWork - source.chain.index.mainAt(0)!.totalWork)
    const tail = await light.headers('full', 38, 10, params, { parent: headerAt(37) })
    expect(tail.ok && tail.value.headers.length).toBe(3)
    const past = await light.headers('full', 41, 10, params, { parent: headerAt(40) })
    expect(past.ok && past.value.headers).toEqual([])
  })

  it('old state roots still prove (trie nodes are content-addressed and kept); the window is a serving choice', async () => {
    const genesisRoot = source.chain.genesisBlock.header.fields.stateRoot
    const prover = await StateTrie.open(source.store)
    expect((await prover.prove(genesisRoot, alice)).length).toBeGreaterThan(0)
    const narrow = createLightHandler(source.chain, prover, { stateWindow: 10 })
    const { light, reports } = client({ full: { handler: narrow } })
    expect(await light.account('full', headerAt(31), alice)).toMatchObject({ ok: true })
    expect(await light.account('full', headerAt(30), alice)).toMatchObject({ ok: false, kind: 'unavailable' })
    expect(reports).toEqual([])
  })
})

/** Rewrites one kind of response. */
const tamperAccount = (f: (r: ReturnType<typeof decodeAccountProofResponse>) => void) => (bytes: Uint8Array) => {
  const r = decodeAccountProofResponse(bytes)
  f(r)
  return encodeAccountProofResponse(r)
}

describe('light protocol: each lie is detected, charged and typed', () => {
  it('an altered balance', async () => {
    const liar = tamperAccount((r) => {
      const honest = r.account
      r.account = accountToBytes({ balance: 999_999_999n, nonce: 0n })
      expect(r.account).not.toEqual(honest)
    })
    const { light, reports } = client({ liar: { handler, tamper: liar } })
    const got = await light.account('liar', source.chain.head.header, alice)
    expect(got).toMatchObject({ ok: false, kind: 'invalid', code: 'PROOF_ACCOUNT_MISMATCH' })
    expect(reports).toMatchObject([{ peer: 'liar', penalty: 100 }])
  })

  it('a proof for another root, and another header than the one asked for', async () => {
    const older = decodeAccountProofResponse(
      await handler(encodeLightRequest({ kind: 'account', blockHash: headerAt(5).hash, address: alice }), 'x'),
    )
    const otherRoot = tamperAccount((r) => {
      r.proof = older.proof
      r.account = older.account
    })
    const otherHeader = tamperAccount((r) => {
      r.header = older.header
    })
    const { light, reports } = client({ a: { handler, tamper: otherRoot }, b: { handler, tamper: otherHeader } })
    expect(await light.account('a', source.chain.head.header, alice)).toMatchObject({ code: 'PROOF_BAD_ROOT' })
    expect(await light.account('b', source.chain.head.header, alice)).toMatchObject({ code: 'PROOF_WRONG_HEADER' })
    expect(reports.map((r) => r.peer)).toEqual(['a', 'b'])
  })

  it('a truncated proof', async () => {
    const truncated = tamperAccount((r) => {
      r.proof = r.proof.slice(0, -1)
    })
    const { light, reports } = client({ liar: { handler, tamper: truncated } })
    expect(await light.account('liar', source.chain.head.header, alice)).toMatchObject({ code: 'PROOF_TRUNCATED' })
    expect(reports).toHaveLength(1)
  })

  it('a header chain with less work, or a broken link', async () => {
    const easier = (bytes: Uint8Array) => {
      const r = decodeHeadersResponse(bytes, LIGHT_HEADERS_MAX)
      // Header 3 re-made with the easiest target (less work), sealed at it; the rest relinked on top.
      const out: Header[] = []
      for (const [i, raw] of r.headers.entries()) {
        const h = Header.fromBytes(raw)
        const parentHash = i === 0 ? h.fields.parentHash : (out[i - 1] as Header).hash
        const target = i === 2 ? new Uint8Array(32).fill(0xff) : h.fields.target
        out.push(Header.fromFields({ ...h.fields, parentHash, target }))
      }
      return encodeHeadersResponse({ headers: out.map((h) => h.bytes) })
    }
    const unlinked = (bytes: Uint8Array) => {
      const r = decodeHeadersResponse(bytes, LIGHT_HEADERS_MAX)
      return encodeHeadersResponse({ headers: [...r.headers.slice(0, 3), ...r.headers.slice(4)] })
    }
    const { light, reports } = client({ a: { handler, tamper: easier }, b: { handler, tamper: unlinked } })
    const parent = source.chain.genesisBlock.header
    expect(await light.headers('a', 1, 10, params, { parent })).toMatchObject({ code: 'HEADERS_BAD_TARGET' })
    expect(await light.headers('b', 1, 10, params, { parent })).toMatchObject({ code: 'HEADERS_NOT_LINKED' })
    // An honest run that carries less work than the peer claimed (its status): refuted.
    const honest = client({ c: { handler } })
    const claim = source.chain.head.totalWork
    expect(await honest.light.headers('c', 1, 10, params, { parent, minWork: claim })).toMatchObject({
      code: 'HEADERS_LOW_WORK',
    })
    expect(reports.map((r) => r.peer)).toEqual(['a', 'b'])
    expect(honest.reports.map((r) => r.peer)).toEqual(['c'])
  })

  it('a tx "proof" for a tx not in the block, a wrong tx, a header that is not the block named', async () => {
    const stranger = transfer(2, 3, 0n)
    const notInBlock = (bytes: Uint8Array) => {
      const r = decodeTxProofResponse(bytes)
      return encodeTxProofResponse({ ...r, tx: stranger.bytes })
    }
    const wrongBlockHash = (bytes: Uint8Array) => {
      const r = decodeTxProofResponse(bytes)
      return encodeTxProofResponse({ ...r, blockHash: headerAt(3).hash })
    }
    const { light, reports } = client({ a: { handler, tamper: notInBlock }, b: { handler, tamper: wrongBlockHash } })
    const tx = (blocks[10] as Block).txs[0]!
    expect(await light.tx('a', tx.hash, trustedFrom(source.chain))).toMatchObject({ code: 'TX_NOT_IN_BLOCK' })
    expect(await light.tx('b', tx.hash, trustedFrom(source.chain))).toMatchObject({ code: 'TX_BAD_BLOCK_HASH' })
    expect(reports.map((r) => r.peer)).toEqual(['a', 'b'])
  })

  it('a valid proof in a block off our chain is not trusted, and not charged', async () => {
    const { light, reports } = client({ full: { handler } })
    const tx = (blocks[10] as Block).txs[0]!
    const got = await light.tx('full', tx.hash, () => undefined)
    expect(got).toMatchObject({ ok: false, kind: 'unknown-block' })
    expect(reports).toEqual([])
  })

  it('malformed bytes are a charged DecodeError failure, never a throw', async () => {
    const { light, reports } = client({ junk: { handler, tamper: () => new Uint8Array([0xff, 0xff, 0x01]) } })
    expect(await light.account('junk', source.chain.head.header, alice)).toMatchObject({ kind: 'invalid' })
    expect(await light.headers('junk', 1, 5, params)).toMatchObject({ kind: 'invalid' })
    expect(reports).toHaveLength(2)
  })
})

describe('light protocol: requests are strict and bounded', () => {
  const refused = async (bytes: Uint8Array, code: string) => {
    const charged: number[] = []
    const strict = createLightHandler(
      source.chain,
      await StateTrie.open(source.store),
      {},
      {
        reportPeer: (_peer, penalty) => charged.push(penalty),
      },
    )
    await expect(strict(bytes, 'p')).rejects.toMatchObject({ name: 'DecodeError', code })
    expect(charged).toEqual([100])
  }

  it('refuses over-cap, empty, double and malformed requests, charging the sender', async () => {
    const over = encodeLightRequest({ kind: 'headers', fromHeight: 1, count: LIGHT_HEADERS_MAX + 1 })
    await refused(over, 'DECODE_TOO_MANY')
    await refused(encodeLightRequest({ kind: 'headers', fromHeight: 1, count: 0 }), 'DECODE_MALFORMED')
    await refused(new Uint8Array(0), 'DECODE_MALFORMED')
    const account = encodeLightRequest({ kind: 'account', blockHash: new Uint8Array(32), address: alice })
    const tx = encodeLightRequest({ kind: 'tx', txHash: new Uint8Array(32) })
    await refused(new Uint8Array([...account, ...tx]), 'DECODE_MALFORMED')
    const shortAddress = encodeLightRequest({ kind: 'account', blockHash: new Uint8Array(32), address: alice.slice(1) })
    await refused(shortAddress, 'DECODE_MALFORMED')
    await refused(new Uint8Array([...tx, 0x78, 0x01]), 'DECODE_NON_CANONICAL')
    await refused(new Uint8Array(200), 'DECODE_TOO_LARGE')
  })

  it('decodes every request it encodes, and refuses random bytes only with DecodeError', () => {
    const req = { kind: 'headers', fromHeight: 2 ** 40, count: 7 } as const
    expect(decodeLightRequest(encodeLightRequest(req))).toEqual(req)
    let seed = 7
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(1 + (i % 90)).map(() => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        return seed & 0xff
      })
      try {
        decodeLightRequest(bytes)
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError)
      }
    }
  })

  it('caps headers at the serving limit, and the client refuses more than it asked for', async () => {
    const capped = createLightHandler(source.chain, await StateTrie.open(source.store), { headersMax: 7 })
    const r = decodeHeadersResponse(
      await capped(encodeLightRequest({ kind: 'headers', fromHeight: 1, count: 30 }), 'p'),
      LIGHT_HEADERS_MAX,
    )
    expect(r.headers).toHaveLength(7)
    const { light, reports } = client({
      greedy: { handler, tamper: () => encodeHeadersResponse({ headers: [1, 2, 3].map((h) => headerAt(h).bytes) }) },
    })
    expect(await light.headers('greedy', 1, 2, params)).toMatchObject({ kind: 'invalid', code: 'DECODE_TOO_MANY' })
    expect(reports).toHaveLength(1)
  })
})

describe('light protocol: per-peer quotas', () => {
  it('refuses past a peer quota (the stream resets), charges past the grace, and refills with time', async () => {
    const clock = new ManualClock(0)
    const charged: string[] = []
    const quota = new LightQuota(
      { clock, reportPeer: (peer) => charged.push(peer) },
      { proofs: { capacity: 3, ratePerSec: 1 }, grace: { capacity: 1, ratePerSec: 0.001 }, overQuotaPenalty: 2 },
    )
    const limited = createLightHandler(source.chain, await StateTrie.open(source.store), {}, { quota })
    const { light, reports } = client({ full: { handler: limited } })
    const head = source.chain.head.header
    for (let i = 0; i < 3; i++) expect(await light.account('full', head, alice)).toMatchObject({ ok: true })
    expect(await light.account('full', head, alice)).toMatchObject({ kind: 'transport', code: 'RESET' })
    expect(charged).toEqual([]) // the first refusal is within the grace
    await expect(
      limited(encodeLightRequest({ kind: 'tx', txHash: new Uint8Array(32) }), 'light-client'),
    ).rejects.toBeInstanceOf(LightServeRefused)
    expect(charged).toEqual(['light-client'])
    expect(quota.refused).toBe(2)
    // Another peer has its own quota; the client is not charged for a refusal (it may be its own fault).
    expect(await limited(encodeLightRequest({ kind: 'tx', txHash: new Uint8Array(32) }), 'other')).toBeInstanceOf(
      Uint8Array,
    )
    expect(reports).toEqual([])
    clock.advance(1000)
    expect(await light.account('full', head, alice)).toMatchObject({ ok: true })
  })

  it('counts headers and bytes, and limits requests in flight per peer', () => {
    const clock = new ManualClock(0)
    const quota = new LightQuota(
      { clock },
      { headers: { capacity: 100, ratePerSec: 10 }, bytes: { capacity: 1000, ratePerSec: 100 }, inFlightMax: 2 },
    )
    quota.admit('p', 'headers', 60)()
    expect(() => quota.admit('p', 'headers', 60)).toThrow(LightServeRefused)
    clock.advance(2000)
    const a = quota.admit('p', 'headers', 30)
    const b = quota.admit('p', 'proof', 1)
    expect(() => quota.admit('p', 'proof', 1)).toThrow(/BUSY/)
    a()
    a() // a second call does nothing
    const c = quota.admit('p', 'proof', 1)
    quota.served('p', 5000)
    b()
    c()
    expect(() => quota.admit('p', 'proof', 1)).toThrow(/OVER_QUOTA/)
    clock.advance(50_000)
    expect(() => quota.admit('p', 'proof', 1)()).not.toThrow()
  })
})

describe('askTwo', () => {
  it('agrees on honest answers; a liar is charged and leaves too few answers', async () => {
    const truncated = tamperAccount((r) => {
      r.proof = r.proof.slice(0, -1)
    })
    const { light, reports } = client({ a: { handler }, b: { handler }, liar: { handler, tamper: truncated } })
    const head = source.chain.head.header
    const ask = (peer: string) => light.account(peer, head, alice)
    const agreed = await askTwo(['a', 'b'], ask, sameAccount)
    expect(agreed).toMatchObject({ kind: 'agreed', peers: ['a', 'b'] })
    expect((agreed as { value: ProvenAccount }).value.account).toEqual(await source.chain.getAccount(alice))
    const short = await askTwo(['a', 'liar'], ask, sameAccount)
    expect(short).toMatchObject({ kind: 'insufficient', failures: [{ peer: 'liar', code: 'PROOF_TRUNCATED' }] })
    expect(reports.map((r) => r.peer)).toEqual(['liar'])
    await expect(askTwo(['a'], ask, sameAccount)).rejects.toThrow(RangeError)
  })

  it('reports two valid answers that differ (two forks) as a disagreement, never picking one', async () => {
    // A fork of our chain after height 20, as long and as valid.
    const fork = await copyChain(source, blocks, 20)
    fork.clock.advance(777)
    for (let i = 0; i < 20; i++) await fork.chain.importBlock(await mineFast(fork), 'rpc')
    const forkHandler = createLightHandler(fork.chain, await StateTrie.open(fork.store))
    const { light, reports } = client({ ours: { handler }, theirs: { handler: forkHandler } })
    const parent = headerAt(20) // on both chains
    const ask = (peer: string) => light.headers(peer, 21, 10, params, { parent, ancestor: (h) => headerAt(h) })
    const result = await askTwo(['ours', 'theirs'], ask, sameHeaders)
    expect(result).toMatchObject({ kind: 'disagreement', failures: [] })
    expect(result.kind === 'disagreement' && result.answers.map((a) => a.peer)).toEqual(['ours', 'theirs'])
    expect(reports).toEqual([])
  })
})
