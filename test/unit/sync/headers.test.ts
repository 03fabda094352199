import { beforeAll, describe, expect, it } from 'vitest'
import { type Block, Header } from '../../../src/ledger/block.js'
import { SyncPeerError } from '../../../src/sync/faults.js'
import { fetchHeaderWindow, type HeaderWindowRequest } from '../../../src/sync/headers.js'
import { toHex } from '../../../src/util/bytes.js'
import type { TestChain } from '../../helpers/chain.js'
import { copyChain, mineFast, sourceChain } from './helpers.js'

let source: TestChain
let blocks: Block[]
let forkBlocks: Block[]

beforeAll(async () => {
  ;({ source, blocks } = await sourceChain(60))
  const fork = await copyChain(source, blocks, 10)
  fork.clock.advance(333)
  forkBlocks = []
  for (let i = 0; i < 8; i++) {
    const b = await mineFast(fork)
    await fork.chain.importBlock(b, 'rpc')
    forkBlocks.push(b)
  }
})

const genesisLocator = () => [source.chain.genesisBlock.hash]
const headersOf = (bs: Block[]) => bs.map((b) => b.header)

function window(
  answers: Array<(locator: Uint8Array[], max: number) => Header[]>,
  opts: Partial<HeaderWindowRequest> = {},
) {
  const locators: string[][] = []
  const maxes: number[] = []
  let i = 0
  const req: HeaderWindowRequest = {
    fns: {
      locator: genesisLocator,
      requestHeaders: async (_peer, locator, max) => {
        locators.push(locator.map(toHex))
        maxes.push(max)
        const answer = answers[i++]
        return answer ? answer(locator, max) : []
      },
    },
    peer: 'p',
    tail: [],
    windowMax: 1000,
    perRequestMax: 20,
    call: (fn) => fn(new AbortController().signal),
    ...opts,
  }
  return { run: () => fetchHeaderWindow(req), locators, maxes }
}

describe('fetchHeaderWindow', () => {
  it('asks batch after batch, each from the last header it holds, until an answer comes up short', async () => {
    const w = window([
      () => headersOf(blocks.slice(0, 20)),
      () => headersOf(blocks.slice(20, 40)),
      () => headersOf(blocks.slice(40, 45)),
    ])
    const got = await w.run()
    expect(got.map((h) => h.height)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1))
    expect(w.locators.length).toBe(3)
    expect(w.locators[1]?.[0]).toBe(blocks[19]?.id)
    expect(w.locators[2]?.[0]).toBe(blocks[39]?.id)
    expect(w.locators[2]?.at(-1)).toBe(source.chain.genesisBlock.id)
  })

  it('stops at windowMax, asking no more than fits', async () => {
    const w = window([() => headersOf(blocks.slice(0, 20)), () => headersOf(blocks.slice(20, 25))], { windowMax: 25 })
    expect((await w.run()).length).toBe(25)
    expect(w.maxes).toEqual([20, 5])
  })

  it('continues from the tail of the previous window', async () => {
    const w = window([() => headersOf(blocks.slice(30, 35))], { tail: headersOf(blocks.slice(0, 30)) })
    expect((await w.run()).map((h) => h.height)).toEqual([31, 32, 33, 34, 35])
    expect(w.locators[0]?.[0]).toBe(blocks[29]?.id)
  })

  it('follows a peer that reorganised: an answer hanging off an earlier header replaces the rest', async () => {
    const w = window([() => headersOf(blocks.slice(0, 20)), () => headersOf(forkBlocks)])
    const got = await w.run()
    expect(got.map((h) => h.id)).toEqual([...blocks.slice(0, 10), ...forkBlocks].map((b) => b.id))
  })

  it('refuses answers that break the chain or hang off nothing we sent', async () => {
    const err = (w: ReturnType<typeof window>) => w.run().catch((e: unknown) => e)
    const gap = await err(window([() => headersOf([...blocks.slice(0, 5), ...blocks.slice(6, 10)])]))
    expect(gap).toBeInstanceOf(SyncPeerError)
    expect((gap as SyncPeerError).code).toBe('UNLINKED_HEADERS')
    const detached = await err(window([() => headersOf(blocks.slice(1, 10))]))
    expect((detached as SyncPeerError).code).toBe('UNLINKED_HEADERS')
    const b5 = blocks[5] as Block
    const wrongHeight = Header.fromFields({ ...b5.header.fields, height: 99n })
    const badHeight = await err(window([() => headersOf(blocks.slice(0, 20)), () => [wrongHeight]]))
    expect((badHeight as SyncPeerError).code).toBe('UNLINKED_HEADERS')
    const tooMany = await err(window([() => headersOf(blocks.slice(0, 21))]))
    expect((tooMany as SyncPeerError).code).toBe('TOO_MANY')
  })

  it('returns nothing when the peer has nothing after our locator', async () => {
    expect(await window([]).run()).toEqual([])
  })
})
