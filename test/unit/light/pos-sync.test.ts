/**
 * A PoS light node's header sync end to end in one process: a full node's
 * real light handler serves a chain whose set changes at the end of epoch 0,
 * the light client crosses the epochs from the genesis set, resumes after a
 * restart, verifies an account at its head, and charges a lying server and
 * takes the chain from an honest one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StateTrie } from '../../../src/chain/trie.js'
import { decodeCommit, encodeCommit } from '../../../src/consensus/bft/commit.js'
import { encodeEpochRecord } from '../../../src/consensus/pos/epoch-record.js'
import { genesisValidators } from '../../../src/consensus/pos/genesis-set.js'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import type { Block, Header } from '../../../src/ledger/block.js'
import { COIN } from '../../../src/ledger/genesis.js'
import { LightHeaderStore, LightStoreError } from '../../../src/light/header-store.js'
import {
  createLightClient,
  createLightHandler,
  decodeLightRequest,
  decodePosProofResponse,
  encodePosProofResponse,
  type LightClient,
} from '../../../src/light/index.js'
import { PosHeaderSync } from '../../../src/light/pos-sync.js'
import type { PosRules } from '../../../src/light/pos-verify.js'
import type { RequestHandler } from '../../../src/net/network.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import {
  commitBlock,
  NEWCOMER,
  openPosHarness,
  POS_EPOCH,
  type PosHarness,
  posGenesis,
  stakeTx,
} from '../consensus/pos/pos-harness.js'
import { type Report, streamTo } from './helpers.js'

const rules: PosRules = { chainId: posGenesis.chainId, headerVersion: 1, epochLength: POS_EPOCH }
let h: PosHarness
let genesisHeader: Header
let honest: RequestHandler
const blocks: Block[] = []

beforeAll(async () => {
  h = await openPosHarness()
  genesisHeader = h.chain.head.header
  blocks.push(await commitBlock(h, [stakeTx(NEWCOMER, 500n * COIN, 0n)]))
  while (blocks.length < 10) blocks.push(await commitBlock(h))
  honest = createLightHandler(h.chain, await StateTrie.open(h.store, 4096))
})
afterAll(async () => {
  await h.chain.close()
})

/** `handler`, with its answers to commit requests rewritten by `tamper`. */
function lyingOn(
  handler: RequestHandler,
  tamper: (r: ReturnType<typeof decodePosProofResponse>) => void,
): RequestHandler {
  return async (request, peer) => {
    const answer = await handler(request, peer)
    if (decodeLightRequest(request).kind !== 'pos') return answer
    const r = decodePosProofResponse(answer)
    tamper(r)
    return encodePosProofResponse(r)
  }
}

async function lightNode(servers: Record<string, { handler: RequestHandler }>, kv = new MemoryStore()) {
  const reports: Report[] = []
  const client: LightClient = createLightClient({
    send: streamTo(servers),
    report: (peer, penalty, reason) => reports.push({ peer, penalty, reason }),
  })
  const store = await LightHeaderStore.open(kv, genesisHeader, posGenesis.params)
  const sync = await PosHeaderSync.open(
    { store, client, rules, genesisValidators: genesisValidators(posGenesis) },
    { batch: 3 },
  )
  return { store, sync, client, reports, kv }
}

describe('PoS light header sync', () => {
  it('crosses the epoch changes from the genesis set to the head, and proves an account there', async () => {
    const node = await lightNode({ full: { handler: honest } })
    await node.sync.poke('full')
    expect(node.store.tip.id).toBe(blocks.at(-1)?.id)
    expect(node.sync.outcomes).toEqual([{ kind: 'done', peer: 'full', added: 10 }])
    expect(node.sync.trusted.nextSet.hash()).toEqual(h.engine.schedule.setAt(11).hash())
    expect(node.reports).toEqual([])
    const newcomer = addressFromPublicKey(NEWCOMER.publicKey)
    const proven = await node.client.account('full', node.store.tip.header, newcomer)
    expect(proven.ok && proven.value.account?.stake?.bonded).toBe(500n * COIN)
  })

  it('resumes after a restart from the tip and the set it stored with it', async () => {
    const kv = new MemoryStore()
    const first = await lightNode({ full: { handler: honest } }, kv)
    await first.sync.poke('full')
    await first.store.close()
    const again = await lightNode({ full: { handler: honest } }, kv)
    expect(again.store.tip.id).toBe(blocks.at(-1)?.id)
    expect(again.sync.trusted.header.id).toBe(blocks.at(-1)?.id)
    expect(again.sync.trusted.nextSet.hash()).toEqual(h.engine.schedule.setAt(11).hash())
  })

  it('charges a server that sends another set at the epoch end, and takes the chain from an honest one', async () => {
    const oldSet = encodeEpochRecord(h.engine.schedule.setAt(1).validators)
    const liar = lyingOn(honest, (r) => {
      if (r.validators.byteLength > 0) r.validators = oldSet
    })
    const node = await lightNode({ liar: { handler: liar }, full: { handler: honest } })
    await node.sync.poke('liar')
    // its first run (1 … 3) ends epoch 0: nothing of it is stored
    expect(node.store.tip.height).toBe(0)
    expect(node.sync.outcomes[0]).toMatchObject({ kind: 'dropped', peer: 'liar', code: 'VALIDATORS_MISMATCH' })
    expect(node.reports).toMatchObject([{ peer: 'liar', penalty: 100 }])
    await node.sync.poke('full')
    expect(node.store.tip.id).toBe(blocks.at(-1)?.id)
  })

  it('charges a server whose commit lacks a quorum', async () => {
    const liar = lyingOn(honest, (r) => {
      // the same commit with 2 of its 4 signatures: half the power
      const commit = decodeCommit(r.commit, 8)
      r.commit = encodeCommit({ ...commit, signatures: commit.signatures.slice(0, 2) })
    })
    const node = await lightNode({ liar: { handler: liar } })
    await node.sync.poke('liar')
    expect(node.store.tip.height).toBe(0)
    expect(node.sync.outcomes[0]).toMatchObject({ kind: 'dropped', peer: 'liar', code: 'COMMIT_NO_QUORUM' })
    expect(node.reports).toMatchObject([{ peer: 'liar', penalty: 100 }])
  })

  it('stores a committed run only on the tip: a run beside it is refused NOT_ON_TIP, nothing stored', async () => {
    const store = await LightHeaderStore.open(new MemoryStore(), genesisHeader, posGenesis.params, { work: () => 1n })
    const record = encodeEpochRecord(h.engine.schedule.setAt(4).validators)
    const headers = blocks.map((b) => b.header)
    await store.addCommitted(headers.slice(0, 3), record)
    expect(store.tip.height).toBe(3)
    // beside the tip (from height 1), and again over it (from the genesis)
    for (const run of [headers.slice(1, 4), headers.slice(0, 2)]) {
      const err = await store.addCommitted(run, new Uint8Array([1])).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(LightStoreError)
      expect(err).toMatchObject({ code: 'NOT_ON_TIP' })
    }
    expect(store.tip.height).toBe(3)
    expect(store.get(headers[3]!.id)).toBeUndefined()
    expect(await store.posSetRecord()).toEqual(record)
    await store.addCommitted(headers.slice(3, 5), record)
    // one a block, as a full node weighs PoS blocks: the genesis and 5
    expect(store.tip).toMatchObject({ height: 5, totalWork: 6n })
    await store.close()
  })
})
