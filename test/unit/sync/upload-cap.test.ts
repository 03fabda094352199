/** The upload cap (-maxuploadtarget): historical blocks stop once the period's budget is spent; recent blocks and headers go on. */
import { beforeAll, describe, expect, it } from 'vitest'
import { Block } from '../../../src/ledger/block.js'
import { decodeSyncResponse, encodeSyncRequest } from '../../../src/ledger/codec/wire-codec.js'
import { createSyncHandler } from '../../../src/sync/handler.js'
import { HEADERS_MAX, SYNC_RESPONSE_BYTES_MAX } from '../../../src/sync/limits.js'
import { UPLOAD_CAP_PERIOD_MS, UploadCap } from '../../../src/sync/upload-cap.js'
import { ManualClock } from '../../../src/util/clock.js'
import type { TestChain } from '../../helpers/chain.js'
import { sourceChain } from './helpers.js'

let source: TestChain
let blocks: Block[]

beforeAll(async () => {
  ;({ source, blocks } = await sourceChain(40))
})

describe('UploadCap', () => {
  it('serves historical blocks while the budget holds their whole size, recent ones always', () => {
    const clock = new ManualClock(0)
    const cap = new UploadCap({ bytesPerPeriod: 1000, recentBlocks: 10 }, clock)
    // Head at 100: heights 91..100 are recent.
    expect(cap.takeBlock(5, 100, 600)).toBe(true)
    expect(cap.takeBlock(6, 100, 600)).toBe(false)
    expect(cap.takeBlock(7, 100, 400)).toBe(true)
    expect(cap.takeBlock(8, 100, 1)).toBe(false)
    expect(cap.historicalBytesServed).toBe(1000)
    expect(cap.historicalBlocksRefused).toBe(2)
    expect(cap.takeBlock(91, 100, 5000)).toBe(true)
    // Half a period later half the budget is back (it refills over the period), less what recent blocks took.
    clock.advance(UPLOAD_CAP_PERIOD_MS / 2)
    expect(cap.takeBlock(9, 100, 1)).toBe(false)
    clock.advance(UPLOAD_CAP_PERIOD_MS * 10)
    expect(cap.takeBlock(9, 100, 1000)).toBe(true)
  })

  it('0 is unlimited; a negative or fractional cap is refused', () => {
    const cap = new UploadCap({ bytesPerPeriod: 0 }, new ManualClock(0))
    for (let i = 0; i < 100; i++) expect(cap.takeBlock(1, 10_000, 8 * 1024 * 1024)).toBe(true)
    expect(() => new UploadCap({ bytesPerPeriod: -1 }, new ManualClock(0))).toThrow(RangeError)
    expect(() => new UploadCap({ bytesPerPeriod: 1.5 }, new ManualClock(0))).toThrow(RangeError)
  })
})

describe('sync handler with an upload cap', () => {
  const askBlocks = (heights: number[]) =>
    encodeSyncRequest({ locator: [], max: 0, blockHashes: heights.map((h) => (blocks[h - 1] as Block).hash) })
  const decode = (bytes: Uint8Array) => decodeSyncResponse(bytes, SYNC_RESPONSE_BYTES_MAX, HEADERS_MAX)
  const heights = (bytes: Uint8Array) => decode(bytes).blocks.map((b) => Block.fromBytes(b).height)

  it('leaves historical blocks out once the cap is reached, still serving recent blocks and headers', async () => {
    // Framed as the handler counts them (tag, 2-byte length): blocks 2..4 fill the budget exactly.
    const framed = (h: number) => (blocks[h - 1] as Block).bytes.byteLength + 3
    const budget = framed(2) + framed(3) + framed(4)
    const cap = new UploadCap({ bytesPerPeriod: budget, recentBlocks: 5 }, new ManualClock(0))
    const handler = createSyncHandler(source.chain, {}, { uploadCap: cap })
    // Head at 40: 36..40 are recent.
    expect(heights(await handler(askBlocks([2, 3]), 'a'))).toEqual([2, 3])
    expect(heights(await handler(askBlocks([4, 5, 6, 38]), 'b'))).toEqual([4, 38])
    expect(heights(await handler(askBlocks([7, 8, 39, 40]), 'a'))).toEqual([39, 40])
    expect(cap.historicalBytesServed).toBe(budget)
    const headers = decode(
      await handler(encodeSyncRequest({ locator: [source.chain.genesisBlock.hash], max: 10, blockHashes: [] }), 'a'),
    ).headers
    expect(headers.length).toBe(10)
  })
})
