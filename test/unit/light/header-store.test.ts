/**
 * The light node's header store: the most-work tip across forks, the same
 * chain after a restart on LevelDB, and a bad run refused whole.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Block, Header } from '../../../src/ledger/block.js'
import { LightHeaderStore, LightStoreError } from '../../../src/light/header-store.js'
import { LightProofError } from '../../../src/light/verify.js'
import { LevelStore } from '../../../src/storage/level.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { type TestChain, testGenesis } from '../../helpers/chain.js'
import { copyChain, mineFast, sourceChain } from '../sync/helpers.js'

let source: TestChain
let blocks: Block[]
let fork: Block[]
const params = testGenesis().params

beforeAll(async () => {
  ;({ source, blocks } = await sourceChain(30))
  // A fork from height 20 that overtakes the main chain (no retarget: one block is one unit of work).
  const copy = await copyChain(source, blocks, 20)
  fork = []
  for (let i = 0; i < 15; i++) {
    const block = await mineFast(copy)
    await copy.chain.importBlock(block, 'rpc')
    fork.push(block)
  }
})

const headersOf = (bs: Block[]): Header[] => bs.map((b) => b.header)
const openMemory = (kv = new MemoryStore()) => LightHeaderStore.open(kv, source.chain.genesisBlock.header, params)

describe('light header store', () => {
  it('starts at the genesis, adds verified runs, and keeps the most-work tip across forks', async () => {
    const store = await openMemory()
    expect(store.tip.id).toBe(source.chain.genesisBlock.id)
    const tips: number[] = []
    store.onTipChange((tip) => tips.push(tip.height))
    const first = await store.add(headersOf(blocks.slice(0, 10)))
    expect(first).toMatchObject({ added: 10, tipChanged: true, reorged: false })
    await store.add(headersOf(blocks.slice(10)))
    expect(store.tip.id).toBe(source.chain.head.id)
    expect(store.tip.totalWork).toBe(source.chain.head.totalWork)
    // The fork's first 10 headers carry less work than the main chain: stored, not the tip.
    const side = await store.add(headersOf(fork.slice(0, 10)))
    expect(side).toMatchObject({ added: 10, tipChanged: false })
    expect(store.tip.id).toBe(source.chain.head.id)
    expect(store.onMain(fork[0]!.id)).toBe(false)
    // The rest overtakes it: a reorg to the fork.
    const over = await store.add(headersOf(fork.slice(10)))
    expect(over).toMatchObject({ added: 5, tipChanged: true, reorged: true })
    expect(store.tip.id).toBe(fork.at(-1)!.id)
    expect(store.mainAt(20)?.id).toBe(blocks[19]!.id)
    expect(store.mainAt(21)?.id).toBe(fork[0]!.id)
    expect(store.mainAt(35)?.id).toBe(fork.at(-1)!.id)
    expect(store.ancestorOf(store.get(blocks[29]!.id)!, 21)?.id).toBe(blocks[20]!.id)
    expect(tips).toEqual([10, 30, 35])
    // A run already held adds nothing.
    expect(await store.add(headersOf(blocks.slice(5, 8)))).toMatchObject({ added: 0, tipChanged: false })
    await store.close()
  })

  it('reopens on LevelDB with the same tip and main chain', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerchain-light-store-'))
    try {
      const store = await LightHeaderStore.open(new LevelStore(dir), source.chain.genesisBlock.header, params)
      await store.add(headersOf(blocks))
      await store.add(headersOf(fork))
      const tip = store.tip
      await store.close()
      const again = await LightHeaderStore.open(new LevelStore(dir), source.chain.genesisBlock.header, params)
      expect(again.tip).toMatchObject({ id: tip.id, height: 35, totalWork: tip.totalWork })
      expect(again.mainAt(20)?.id).toBe(blocks[19]!.id)
      expect(again.mainAt(21)?.id).toBe(fork[0]!.id)
      expect(again.get(blocks[29]!.id)?.height).toBe(30)
      expect(again.size).toBe(1 + 30 + 15)
      await again.close()
      // Another chain's genesis is refused.
      const other = await sourceChain(1)
      const otherGenesis = Header.fromFields({ ...other.source.chain.genesisBlock.header.fields, timestamp: 1n })
      await expect(LightHeaderStore.open(new LevelStore(dir), otherGenesis, params)).rejects.toThrow(LightStoreError)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('refuses a bad run whole: broken link, bad proof of work, unknown parent', async () => {
    const store = await openMemory()
    await store.add(headersOf(blocks.slice(0, 5)))
    // Headers 6..10 with header 8 missing: not linked.
    const gap = headersOf([...blocks.slice(5, 7), ...blocks.slice(8, 10)])
    await expect(store.add(gap)).rejects.toMatchObject({ code: 'HEADERS_NOT_LINKED' })
    // Header 6 with a nonce that misses its target (about one nonce in two meets it).
    const good = blocks[5]!.header
    let bad: Header | undefined
    for (let nonce = good.fields.nonce + 1n; !bad; nonce++) {
      const h = Header.fromFields({ ...good.fields, nonce })
      if (BigInt(`0x${h.id}`) > h.target) bad = h
    }
    const err = await store.add([bad]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LightProofError)
    expect((err as LightProofError).code).toBe('HEADERS_BAD_POW')
    await expect(store.add(headersOf(blocks.slice(20, 22)))).rejects.toThrow(LightStoreError)
    // Nothing of them was stored.
    expect(store.tip.height).toBe(5)
    expect(store.size).toBe(6)
    expect(store.get(blocks[5]!.id)).toBeUndefined()
    await store.close()
  })
})
