/**
 * Header sync over the real light handler and client, with fake peers: an
 * honest peer's chain is followed, a heavier fork is found below our tip and
 * taken, and each lie (a tampered header, a chain with less work than
 * claimed, another chain's headers) is charged while the honest chain wins.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { StateTrie } from '../../../src/chain/trie.js'
import { type Block, Header } from '../../../src/ledger/block.js'
import { LightHeaderStore } from '../../../src/light/header-store.js'
import { HeaderSync } from '../../../src/light/header-sync.js'
import {
  createLightClient,
  createLightHandler,
  decodeHeadersResponse,
  encodeHeadersResponse,
} from '../../../src/light/index.js'
import type { PeerIdString, RequestHandler } from '../../../src/net/network.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { type TestChain, testGenesis } from '../../helpers/chain.js'
import { copyChain, mineFast, sourceChain } from '../sync/helpers.js'
import { type Report, streamTo } from './helpers.js'

const params = testGenesis().params
let source: TestChain
let blocks: Block[]
let honest: RequestHandler
let short: TestChain
let shortHandler: RequestHandler
let forked: TestChain
let forkHandler: RequestHandler

const handlerOf = async (t: TestChain) => createLightHandler(t.chain, await StateTrie.open(t.store, 1024))

beforeAll(async () => {
  ;({ source, blocks } = await sourceChain(40))
  honest = await handlerOf(source)
  short = await copyChain(source, blocks, 10)
  shortHandler = await handlerOf(short)
  // Forks at 30 and overtakes: 30 + 15 = 45 blocks against 40.
  forked = await copyChain(source, blocks, 30)
  for (let i = 0; i < 15; i++) await forked.chain.importBlock(await mineFast(forked), 'rpc')
  forkHandler = await handlerOf(forked)
})

/** A light store and sync whose peers are `servers`; `claims` is what each claimed at its handshake. */
async function light(servers: Parameters<typeof streamTo>[0], claims: Record<PeerIdString, bigint> = {}) {
  const reports: Report[] = []
  const refuted: PeerIdString[] = []
  const report = (peer: PeerIdString, penalty: number, reason: string) => reports.push({ peer, penalty, reason })
  const store = await LightHeaderStore.open(new MemoryStore(), source.chain.genesisBlock.header, params)
  const client = createLightClient({ send: streamTo(servers), report })
  const sync = new HeaderSync(
    {
      store,
      client,
      report,
      claimedWork: (peer) => (refuted.includes(peer) ? undefined : claims[peer]),
      refuteClaim: (peer) => refuted.push(peer),
    },
    { batch: 16 },
  )
  return { store, sync, reports, refuted }
}

describe('light header sync', () => {
  it('follows an honest peer in batches, then a heavier fork found below our tip', async () => {
    const { store, sync, reports } = await light({ full: { handler: honest }, fork: { handler: forkHandler } })
    expect(await sync.syncFrom('full')).toEqual({ kind: 'done', peer: 'full', added: 40 })
    expect(store.tip.id).toBe(source.chain.head.id)
    // Its head (45) is past ours (40) but its header 41 names a parent we lack: step back to 30.
    expect(await sync.syncFrom('fork')).toEqual({ kind: 'done', peer: 'fork', added: 15 })
    expect(store.tip.id).toBe(forked.chain.head.id)
    expect(store.mainAt(31)?.id).toBe(forked.chain.index.mainAt(31)?.id)
    // The honest peer now has less work: nothing to take, and its claim (40 blocks) is below ours.
    expect(await sync.syncFrom('full')).toEqual({ kind: 'done', peer: 'full', added: 0 })
    expect(reports).toEqual([])
  })

  it('a peer whose chain is a prefix of ours but claims more work is refuted after a look below our tip', async () => {
    // The short peer's chain is a prefix of ours: a claim of more work than that is refuted.
    const { store, sync, reports, refuted } = await light(
      { full: { handler: honest }, liar: { handler: shortHandler } },
      { liar: source.chain.head.totalWork * 2n },
    )
    await sync.syncFrom('full')
    const outcome = await sync.syncFrom('liar')
    expect(outcome).toMatchObject({ kind: 'dropped', code: 'HEADERS_LOW_WORK' })
    expect(refuted).toEqual(['liar'])
    expect(reports).toEqual([expect.objectContaining({ peer: 'liar', penalty: 50 })])
    expect(store.tip.id).toBe(source.chain.head.id)
  })

  it('a lower-work chain served under a higher claim is charged, and the honest chain is taken', async () => {
    const { store, sync, reports, refuted } = await light(
      { liar: { handler: shortHandler }, full: { handler: honest } },
      { liar: source.chain.head.totalWork, full: source.chain.head.totalWork },
    )
    await sync.poke('liar')
    expect(sync.outcomes[0]).toMatchObject({ kind: 'dropped', code: 'HEADERS_LOW_WORK', added: 10 })
    expect(refuted).toEqual(['liar'])
    expect(reports.map((r) => r.peer)).toEqual(['liar'])
    await sync.poke('full')
    expect(sync.outcomes[1]).toMatchObject({ kind: 'done', added: 30 })
    expect(store.tip.id).toBe(source.chain.head.id)
  })

  it('a tampered header (bad proof of work) is charged and stored nowhere; another peer is used', async () => {
    const tamper = (bytes: Uint8Array) => {
      const r = decodeHeadersResponse(bytes, 2000)
      const i = r.headers.length - 1
      if (i < 0) return bytes
      const h = Header.fromBytes(r.headers[i] as Uint8Array)
      for (let nonce = h.fields.nonce + 1n; ; nonce++) {
        const bad = Header.fromFields({ ...h.fields, nonce })
        if (BigInt(`0x${bad.id}`) > bad.target) {
          r.headers[i] = bad.bytes
          return encodeHeadersResponse(r)
        }
      }
    }
    const { store, sync, reports } = await light({ liar: { handler: honest, tamper }, full: { handler: honest } })
    expect(await sync.syncFrom('liar')).toMatchObject({ kind: 'dropped', code: 'HEADERS_BAD_POW', added: 0 })
    expect(reports).toEqual([expect.objectContaining({ peer: 'liar', penalty: 100 })])
    expect(store.tip.height).toBe(0)
    expect(await sync.syncFrom('full')).toMatchObject({ kind: 'done', added: 40 })
  })

  it("headers that do not follow our genesis (another chain's, or made up) are charged", async () => {
    const other = await sourceChain(5) // same genesis: rewrite header 1's parent to make it foreign
    const foreign = (bytes: Uint8Array) => {
      const r = decodeHeadersResponse(bytes, 2000)
      if (r.headers.length === 0) return bytes
      const h = Header.fromBytes(r.headers[0] as Uint8Array)
      for (let nonce = 0n; ; nonce++) {
        const moved = Header.fromFields({ ...h.fields, parentHash: new Uint8Array(32).fill(9), nonce })
        if (BigInt(`0x${moved.id}`) <= moved.target) return encodeHeadersResponse({ headers: [moved.bytes] })
      }
    }
    const { store, sync, reports } = await light({ liar: { handler: await handlerOf(other.source), tamper: foreign } })
    expect(await sync.syncFrom('liar')).toMatchObject({ kind: 'dropped', code: 'HEADERS_NOT_LINKED' })
    expect(reports).toEqual([expect.objectContaining({ peer: 'liar', penalty: 100 })])
    expect(store.tip.height).toBe(0)
  })
})
