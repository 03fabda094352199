/** Header version 2 on a chain: every header's mmrRoot commits to its ancestors, checked at import, kept across restarts. */
import { describe, expect, it } from 'vitest'
import { layout } from '../../../src/chain/layout.js'
import { workOf } from '../../../src/consensus/pow/target.js'
import { Block, type Header, type HeaderFields } from '../../../src/ledger/block.js'
import { MmrTree } from '../../../src/ledger/mmr.js'
import { prefixRange } from '../../../src/storage/kv.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { mineBlock, minerAddress, openTestChain, type TestChain, testGenesis } from '../../helpers/chain.js'
import { hex } from '../ledger/fixtures.js'

const v2 = () => testGenesis({ headerVersion: 2 })

/** The main chain's headers, genesis first. */
function mainHeaders(t: TestChain): Header[] {
  const out: Header[] = []
  for (let h = 0; h <= t.chain.head.height; h++) out.push(t.chain.index.mainAt(h)!.header)
  return out
}

/** Every header's mmrRoot against an MMR built here from its ancestors' hashes and works. */
function expectCommitments(headers: readonly Header[]): void {
  const tree = new MmrTree()
  for (const header of headers) {
    expect(header.fields.version).toBe(2)
    expect(hex(header.fields.mmrRoot!), `height ${header.height}`).toBe(hex(tree.root()))
    tree.append(header.hash, workOf(header.target))
  }
}

async function craft(t: TestChain, edit: (f: HeaderFields) => HeaderFields): Promise<Block> {
  t.clock.advance(1000)
  const { fields, txs } = await t.chain.buildBlock({ miner: minerAddress(), txs: [] })
  const header = await t.engine.seal(edit(fields))
  if (!header) throw new Error('aborted')
  return new Block(header, txs)
}

async function expectRejected(t: TestChain, block: Block, code: string) {
  const before = t.chain.head.id
  await expect(t.chain.importBlock(block, 'rpc')).rejects.toMatchObject({ code })
  expect(t.chain.head.id).toBe(before)
}

describe('header version 2 on a chain', () => {
  it('every mined header commits to the MMR of all its ancestors, genesis included', async () => {
    const t = await openTestChain({ genesis: v2() })
    expect(hex(t.chain.genesisBlock.header.fields.mmrRoot!)).toBe(hex(new MmrTree().root()))
    for (let i = 0; i < 40; i++) expect((await t.chain.importBlock(await mineBlock(t), 'rpc')).status).toBe('head')
    expectCommitments(mainHeaders(t))
  })

  it('a version 1 chain carries no mmrRoot and stores no MMR state', async () => {
    const t = await openTestChain()
    await t.chain.importBlock(await mineBlock(t), 'rpc')
    expect(t.chain.head.header.fields.version).toBe(1)
    expect(t.chain.head.header.fields.mmrRoot?.byteLength ?? 0).toBe(0)
    expect(t.chain.head.mmr).toBeUndefined()
    const stored = []
    for await (const entry of t.store.entries(prefixRange(layout.mmrPrefix))) stored.push(entry)
    expect(stored).toEqual([])
  })

  it('the MMR state is restored at open, or recomputed when its record is missing', async () => {
    const store = new MemoryStore()
    const genesis = v2()
    const t = await openTestChain({ genesis, store })
    for (let i = 0; i < 12; i++) await t.chain.importBlock(await mineBlock(t), 'rpc')
    const states = mainHeaders(t).map((h) => hex(t.chain.index.get(h.id)!.mmr!))
    await t.chain.close()
    await store.close()

    const again = await openTestChain({ genesis, store, clock: t.clock })
    expect(mainHeaders(again).map((h) => hex(again.chain.index.get(h.id)!.mmr!))).toEqual(states)
    await again.chain.close()
    await store.close()

    await store.open()
    await store.batch(mainHeaders(again).map((h) => ({ type: 'del' as const, key: layout.mmr(h.hash) })))
    await store.close()
    const rebuilt = await openTestChain({ genesis, store, clock: t.clock })
    expect(mainHeaders(rebuilt).map((h) => hex(rebuilt.chain.index.get(h.id)!.mmr!))).toEqual(states)
    for (let i = 0; i < 5; i++) {
      expect((await rebuilt.chain.importBlock(await mineBlock(rebuilt), 'rpc')).status).toBe('head')
    }
    expectCommitments(mainHeaders(rebuilt))
  })

  it('a side branch commits to its own ancestors, and the reorg onto it keeps every commitment', async () => {
    const genesis = v2()
    const a = await openTestChain({ genesis })
    const b = await openTestChain({ genesis, clock: a.clock })
    for (let i = 0; i < 3; i++) {
      const block = await mineBlock(a)
      await a.chain.importBlock(block, 'rpc')
      await b.chain.importBlock(block, 'rpc')
    }
    // a mines 2 more, b mines 4 others on the shared 3
    for (let i = 0; i < 2; i++) await a.chain.importBlock(await mineBlock(a, [], minerAddress(1)), 'rpc')
    const other: Block[] = []
    for (let i = 0; i < 4; i++) {
      const block = await mineBlock(b, [], minerAddress(2))
      await b.chain.importBlock(block, 'rpc')
      other.push(block)
    }
    const statuses = []
    for (const block of other) statuses.push((await a.chain.importBlock(block, 'sync')).status)
    expect(statuses).toEqual(['side', 'side', 'head', 'head'])
    expect(a.chain.head.id).toBe(b.chain.head.id)
    expectCommitments(mainHeaders(a))
  })

  it('BLOCK_BAD_MMR_ROOT for a root of other ancestors; BLOCK_BAD_FIELD without one; BLOCK_BAD_VERSION for version 1', async () => {
    const t = await openTestChain({ genesis: v2() })
    for (let i = 0; i < 3; i++) await t.chain.importBlock(await mineBlock(t), 'rpc')
    const wrong = new MmrTree()
    wrong.append(t.chain.head.header.hash, 1n)
    await expectRejected(t, await craft(t, (f) => ({ ...f, mmrRoot: wrong.root() })), 'BLOCK_BAD_MMR_ROOT')
    // the parent's root (one block short) is not the child's
    await expectRejected(
      t,
      await craft(t, (f) => ({ ...f, mmrRoot: t.chain.head.header.fields.mmrRoot })),
      'BLOCK_BAD_MMR_ROOT',
    )
    await expectRejected(t, await craft(t, (f) => ({ ...f, mmrRoot: new Uint8Array(0) })), 'BLOCK_BAD_FIELD')
    await expectRejected(t, await craft(t, (f) => ({ ...f, mmrRoot: new Uint8Array(31) })), 'BLOCK_BAD_FIELD')
    await expectRejected(t, await craft(t, (f) => ({ ...f, version: 1 })), 'BLOCK_BAD_VERSION')
    expect((await t.chain.importBlock(await craft(t, (f) => f), 'rpc')).status).toBe('head')
  })

  it('a version 1 chain refuses a version 2 header, and a version 1 header with an mmrRoot', async () => {
    const t = await openTestChain()
    await expectRejected(t, await craft(t, (f) => ({ ...f, version: 2 })), 'BLOCK_BAD_VERSION')
    await expectRejected(t, await craft(t, (f) => ({ ...f, mmrRoot: new Uint8Array(32) })), 'BLOCK_BAD_FIELD')
    expect(t.chain.head.id).toBe(t.chain.genesisBlock.id)
  })
})
