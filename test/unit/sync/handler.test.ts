import { beforeAll, describe, expect, it } from 'vitest'
import { Block, Header } from '../../../src/ledger/block.js'
import { decodeSyncResponse, encodeSyncRequest, type SyncRequestFields } from '../../../src/ledger/codec/wire-codec.js'
import { DecodeError } from '../../../src/ledger/errors.js'
import type { RequestHandler } from '../../../src/net/network.js'
import { createSyncHandler } from '../../../src/sync/handler.js'
import { BLOCKS_MAX, HEADERS_MAX, SYNC_RESPONSE_BYTES_MAX } from '../../../src/sync/limits.js'
import { buildLocator } from '../../../src/sync/locator.js'
import { ManualClock } from '../../../src/util/clock.js'
import { openTestChain, type TestChain } from '../../helpers/chain.js'
import { mineFast, sourceChain } from './helpers.js'

let source: TestChain
let blocks: Block[]
let handler: RequestHandler

beforeAll(async () => {
  ;({ source, blocks } = await sourceChain(60))
  handler = createSyncHandler(source.chain)
})

const ask = async (h: RequestHandler, req: Partial<SyncRequestFields>) => {
  const bytes = await h(encodeSyncRequest({ locator: [], max: 0, blockHashes: [], ...req }), 'peer')
  return decodeSyncResponse(bytes, SYNC_RESPONSE_BYTES_MAX, HEADERS_MAX)
}
const heightsOf = (headers: Uint8Array[]) => headers.map((h) => Header.fromBytes(h).height)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
const hashAt = (height: number) => (blocks[height - 1] as Block).hash

describe('sync handler: headers', () => {
  it('answers the main-chain headers after the first locator hash it has', async () => {
    const res = await ask(handler, { locator: [hashAt(40), hashAt(20)], max: 5 })
    expect(heightsOf(res.headers)).toEqual([41, 42, 43, 44, 45])
    expect(res.blocks).toEqual([])
    expect(Header.fromBytes(res.headers[0] as Uint8Array).parentId).toBe(blocks[39]?.id)
    expect(heightsOf((await ask(handler, { locator: [hashAt(58)], max: 100 })).headers)).toEqual([59, 60])
    expect((await ask(handler, { locator: [hashAt(60)], max: 100 })).headers).toEqual([])
  })

  it('finds the fork point of a chain that split in the middle', async () => {
    const fork = await openTestChain({ clock: new ManualClock(source.clock.nowMs()) })
    for (const b of blocks.slice(0, 30)) await fork.chain.importBlock(Block.fromBytes(b.bytes), 'rpc')
    fork.clock.advance(777) // other timestamps: other blocks
    for (let i = 0; i < 12; i++) await fork.chain.importBlock(await mineFast(fork), 'rpc')
    expect(fork.chain.head.height).toBe(42)
    // The fork's locator holds 42..33 (its own blocks), then 31 (its own too), then 27: ours.
    const res = await ask(handler, { locator: buildLocator(fork.chain), max: 2000 })
    expect(heightsOf(res.headers)).toEqual(range(28, 60))
    const exact = [fork.chain.head.header.hash, hashAt(30), source.chain.genesisBlock.hash]
    expect(heightsOf((await ask(handler, { locator: exact, max: 2000 })).headers)).toEqual(range(31, 60))
  })

  it('starts after genesis when no locator hash is on its main chain', async () => {
    const res = await ask(handler, { locator: [new Uint8Array(32).fill(9)], max: 3 })
    expect(heightsOf(res.headers)).toEqual([1, 2, 3])
    expect(Header.fromBytes(res.headers[0] as Uint8Array).parentId).toBe(source.chain.genesisBlock.id)
  })

  it('caps the count at min(max, headersMax)', async () => {
    const capped = createSyncHandler(source.chain, { headersMax: 7 })
    expect((await ask(capped, { locator: [hashAt(1)], max: 50 })).headers.length).toBe(7)
    expect((await ask(capped, { locator: [hashAt(1)], max: 4 })).headers.length).toBe(4)
    expect((await ask(handler, { locator: [hashAt(1)], max: 4_000_000 })).headers.length).toBe(59)
  })
})

describe('sync handler: blocks', () => {
  it('answers blocks by hash in request order, skipping unknown ones', async () => {
    const unknown = new Uint8Array(32).fill(1)
    const res = await ask(handler, { blockHashes: [hashAt(5), unknown, hashAt(3), hashAt(50)] })
    expect(res.headers).toEqual([])
    expect(res.blocks.map((b) => Block.fromBytes(b).height)).toEqual([5, 3, 50])
    expect(Buffer.from(res.blocks[0] as Uint8Array).equals(blocks[4]?.bytes as Uint8Array)).toBe(true)
  })

  it('caps the count and stops early at the byte cap, but always sends one block', async () => {
    const hashes = range(1, 20).map(hashAt)
    const fewer = createSyncHandler(source.chain, { blocksMax: 4 })
    expect((await ask(fewer, { blockHashes: hashes })).blocks.length).toBe(4)

    const size = (blocks[1] as Block).bytes.byteLength
    const small = createSyncHandler(source.chain, { blocksResponseBytesMax: 3 * (size + 3) })
    const res = await ask(small, { blockHashes: range(2, 10).map(hashAt) }) // no txs in these: same size
    expect(res.blocks.length).toBe(3)
    const tiny = createSyncHandler(source.chain, { blocksResponseBytesMax: 1 })
    expect((await ask(tiny, { blockHashes: hashes })).blocks.length).toBe(1)
  })
})

describe('sync handler: bad requests', () => {
  const refuses = async (bytes: Uint8Array, code: string) => {
    const err = await handler(bytes, 'peer').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DecodeError)
    expect((err as DecodeError).code).toBe(code)
  }
  const req = (r: Partial<SyncRequestFields>) => encodeSyncRequest({ locator: [], max: 0, blockHashes: [], ...r })

  it('refuses garbage, non-canonical and oversized bytes', async () => {
    await refuses(new Uint8Array([0xff, 0xff, 0xff]), 'DECODE_MALFORMED')
    // max = 5 with a non-minimal varint (0x85 0x00).
    await refuses(new Uint8Array([0x0a, 0x20, ...new Uint8Array(32), 0x10, 0x85, 0x00]), 'DECODE_NON_CANONICAL')
    await refuses(new Uint8Array(100_000), 'DECODE_TOO_LARGE')
  })

  it('refuses requests that ask for nothing, for both things, or too much', async () => {
    await refuses(new Uint8Array(0), 'DECODE_MALFORMED')
    await refuses(req({ locator: [hashAt(1)] }), 'DECODE_MALFORMED') // max 0
    await refuses(req({ locator: [hashAt(1)], max: 5, blockHashes: [hashAt(2)] }), 'DECODE_MALFORMED')
    await refuses(req({ locator: [new Uint8Array(31)], max: 5 }), 'DECODE_MALFORMED')
    await refuses(req({ blockHashes: [new Uint8Array(33)] }), 'DECODE_MALFORMED')
    const many = Array.from({ length: BLOCKS_MAX + 1 }, () => hashAt(1))
    await refuses(req({ blockHashes: many }), 'DECODE_TOO_MANY')
    await refuses(req({ locator: many, max: 5 }), 'DECODE_TOO_MANY')
  })

  it('charges the sender through reportPeer when given', async () => {
    const reports: Array<[string, number]> = []
    const charging = createSyncHandler(
      source.chain,
      {},
      { reportPeer: (peer, penalty) => reports.push([peer, penalty]) },
    )
    await expect(charging(new Uint8Array([0xff]), 'mallory')).rejects.toBeInstanceOf(DecodeError)
    await ask(charging, { locator: [hashAt(1)], max: 1 })
    expect(reports).toEqual([['mallory', 100]])
  })
})
