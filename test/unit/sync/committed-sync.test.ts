/** Sync under BFT finality: blocks are served and imported with their commits; PoW bytes are unchanged. */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Block } from '../../../src/ledger/block.js'
import {
  decodeSyncResponse,
  encodeSyncRequest,
  encodeSyncResponse,
  type SyncResponseFields,
} from '../../../src/ledger/codec/wire-codec.js'
import { DecodeError } from '../../../src/ledger/errors.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { createSyncClient } from '../../../src/sync/client.js'
import { createSyncHandler } from '../../../src/sync/handler.js'
import { BLOCKS_MAX, SYNC_COMMIT_BYTES_MAX, SYNC_RESPONSE_BYTES_MAX } from '../../../src/sync/limits.js'
import { buildLocator } from '../../../src/sync/locator.js'
import { Synchronizer } from '../../../src/sync/synchronizer.js'
import { ManualClock } from '../../../src/util/clock.js'
import { type CommittedBlocks, committedChain, openPosChain } from '../../helpers/pos-chain.js'
import { drive, encode, type FakePeer, fakeFns, sourceChain } from './helpers.js'

let served: CommittedBlocks

beforeAll(async () => {
  served = await committedChain(20)
})

let s: SimScheduler
beforeEach(() => {
  s = new SimScheduler({ seed: 11, startMs: 0 })
})

const fresh = () => openPosChain({ clock: new ManualClock(served.source.clock.nowMs()) })
const peer = (id: string, extra: Partial<FakePeer> = {}): FakePeer => ({
  id,
  chain: served.source,
  latencyMs: () => 1 + s.rng.int(4),
  ...extra,
})
const synchronizer = (fns: ConstructorParameters<typeof Synchronizer>[0]) =>
  new Synchronizer(fns, { clock: s, timers: s, rng: s.rng, blocksPerBatch: 4 })

const blockAt = (height: number) => served.blocks[height - 1] as Block
const commitAt = (height: number) => served.commits[height - 1] as Uint8Array
const hashesOf = (heights: number[]) => heights.map((h) => blockAt(h).hash)
const askBlocks = (hashes: Uint8Array[]) => encodeSyncRequest({ locator: [], max: 0, blockHashes: hashes })

/** A peer that serves the blocks from `height` on with `tamper(commit)` in place of their commits. */
function tampering(id: string, height: number, tamper: (commit: Uint8Array) => Uint8Array): FakePeer {
  return peer(id, {
    intercept: async (_request, answer) => {
      const response = await answer()
      const heights = new Map(served.blocks.map((b) => [Buffer.from(b.bytes).toString('hex'), b.height]))
      const commits = (response.commits ?? []).map((commit, i) => {
        const at = heights.get(Buffer.from(response.blocks[i] as Uint8Array).toString('hex')) ?? 0
        return at >= height ? tamper(commit) : commit
      })
      return encode({ ...response, commits })
    },
  })
}

const flipLastByte = (commit: Uint8Array): Uint8Array => {
  const bad = new Uint8Array(commit)
  bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1
  return bad
}

describe('sync under BFT finality', () => {
  it('a fresh chain syncs 20 committed blocks from two peers, each stored with a commit that checks', async () => {
    const local = await fresh()
    const fns = fakeFns(local, [peer('a'), peer('b')], s)
    await drive(s, synchronizer(fns).sync())
    expect(local.chain.head.id).toBe(served.source.chain.head.id)
    expect(local.chain.finalized?.height).toBe(20)
    expect(fns.imports).toEqual(served.blocks.map((b) => b.height))
    expect(fns.reports).toEqual([])
    for (const block of served.blocks) {
      const commit = await local.chain.getCommit(block.id)
      expect(commit).toEqual(commitAt(block.height))
      expect(() => local.engine.checkCommit(block.header, commit as Uint8Array)).not.toThrow()
    }
  })

  it('keeps each commit through wrappers that pass blocks along (as the metrics and trace wrappers do)', async () => {
    const local = await fresh()
    const fns = fakeFns(local, [peer('a')], s)
    const servedBy = new Map<string, string>()
    const wrapped = {
      ...fns,
      requestBlocks: async (p: string, hashes: Uint8Array[], signal?: AbortSignal) => {
        const blocks = await fns.requestBlocks(p, hashes, signal)
        for (const block of blocks) servedBy.set(block.id, p)
        return blocks
      },
      importBlock: async (block: Parameters<typeof fns.importBlock>[0]) => fns.importBlock(block),
    }
    await drive(s, synchronizer(wrapped).sync())
    expect(local.chain.head.height).toBe(20)
    expect(servedBy.size).toBe(20)
    expect(fns.reports).toEqual([])
  })

  it('charges a server that serves a forged commit, refuses its block, and takes it from an honest peer', async () => {
    const local = await fresh()
    const fns = fakeFns(local, [tampering('liar', 1, flipLastByte), peer('honest')], s)
    await drive(s, synchronizer(fns).sync())
    // Both served batches; the liar's first block with a forged commit cost it 100 and its place in the run.
    expect(new Set(fns.requests.filter((r) => r.kind === 'blocks').map((r) => r.peer))).toEqual(
      new Set(['liar', 'honest']),
    )
    expect(fns.reports).toEqual([{ peer: 'liar', penalty: 100, reason: expect.stringMatching(/COMMIT_BAD_SIGNATURE/) }])
    expect(local.chain.head.id).toBe(served.source.chain.head.id)
    for (const block of served.blocks) expect(await local.chain.getCommit(block.id)).toEqual(commitAt(block.height))
  })

  it('with only a lying server, the block with the bad commit is refused and nothing past it imported', async () => {
    const local = await fresh()
    const fns = fakeFns(local, [tampering('liar', 7, (c) => c.subarray(0, c.length - 1))], s)
    await drive(s, synchronizer(fns).sync())
    expect(local.chain.head.height).toBe(6)
    expect(fns.reports).toEqual([{ peer: 'liar', penalty: 100, reason: expect.stringMatching(/DECODE_|COMMIT_/) }])
  })

  it('charges a server that leaves a commit out as sending a malformed answer', async () => {
    const local = await fresh()
    const dropping = peer('dropper', {
      intercept: async (_request, answer) => {
        const response = await answer()
        return encode({ ...response, commits: (response.commits ?? []).slice(1) })
      },
    })
    const fns = fakeFns(local, [dropping], s)
    await drive(s, synchronizer(fns).sync())
    expect(local.chain.head.height).toBe(0)
    expect(fns.reports).toEqual([
      { peer: 'dropper', penalty: 100, reason: expect.stringMatching(/^DECODE_MALFORMED.*commits for/) },
    ])
  })
})

describe('sync handler under BFT finality', () => {
  it('serves each block with its commit, parallel, and counts the commits against the byte cap', async () => {
    const handler = createSyncHandler(served.source.chain)
    const answer = decodeSyncResponse(await handler(askBlocks(hashesOf([3, 1, 2])), 'peer'), SYNC_RESPONSE_BYTES_MAX, 3)
    expect(answer.blocks).toEqual([blockAt(3).bytes, blockAt(1).bytes, blockAt(2).bytes])
    expect(answer.commits).toEqual([commitAt(3), commitAt(1), commitAt(2)])

    // Blocks 2…9 carry no tx: the same size, and so are their commits. Room for two with commits,
    // where bare blocks would fit three or more.
    const withCommit = framed(blockAt(2).bytes.byteLength) + framed(commitAt(2).byteLength)
    const cap = 2 * withCommit
    expect(Math.floor(cap / framed(blockAt(2).bytes.byteLength))).toBeGreaterThanOrEqual(3)
    const capped = createSyncHandler(served.source.chain, { blocksResponseBytesMax: cap })
    const short = decodeSyncResponse(
      await capped(askBlocks(hashesOf([2, 3, 4, 5])), 'peer'),
      SYNC_RESPONSE_BYTES_MAX,
      4,
    )
    expect(short.blocks.length).toBe(2)
    expect(short.commits.length).toBe(2)
  })

  it('answers headers without commits', async () => {
    const handler = createSyncHandler(served.source.chain)
    const request = encodeSyncRequest({ locator: buildLocator((await fresh()).chain), max: 5, blockHashes: [] })
    const answer = decodeSyncResponse(await handler(request, 'peer'), SYNC_RESPONSE_BYTES_MAX, 5)
    expect(answer.headers.length).toBe(5)
    expect(answer.commits).toEqual([])
  })
})

describe('sync client: commits', () => {
  const reply = (response: SyncResponseFields) => async () => encodeSyncResponse(response)
  const block = () => blockAt(1)

  it('under finality, refuses blocks without a commit each, or with a commit past the wire bound', async () => {
    const withCommits = (response: SyncResponseFields) => createSyncClient(reply(response), { withCommits: true })
    const refusal = (response: SyncResponseFields) =>
      withCommits(response)
        .requestBlocks('p', [block().hash])
        .catch((e: unknown) => e)
    const missing = await refusal({ headers: [], blocks: [block().bytes] })
    expect(missing).toBeInstanceOf(DecodeError)
    expect((missing as DecodeError).code).toBe('DECODE_MALFORMED')
    const huge = await refusal({
      headers: [],
      blocks: [block().bytes],
      commits: [new Uint8Array(SYNC_COMMIT_BYTES_MAX + 1)],
    })
    expect((huge as DecodeError).code).toBe('DECODE_TOO_LARGE')
    const [got] = await withCommits({ headers: [], blocks: [block().bytes], commits: [commitAt(1)] }).requestBlocks(
      'p',
      [block().hash],
    )
    expect(got?.id).toBe(block().id)
    expect(got?.commit).toEqual(commitAt(1))
  })

  it('without finality, refuses any commit, and commits in a headers answer', async () => {
    const pow = createSyncClient(reply({ headers: [], blocks: [block().bytes], commits: [commitAt(1)] }))
    const err = await pow.requestBlocks('p', [block().hash]).catch((e: unknown) => e)
    expect((err as DecodeError).code).toBe('DECODE_MALFORMED')
    const headers = createSyncClient(reply({ headers: [block().header.bytes], blocks: [], commits: [commitAt(1)] }), {
      withCommits: true,
    })
    const err2 = await headers.requestHeaders('p', [block().hash], 5).catch((e: unknown) => e)
    expect((err2 as DecodeError).code).toBe('DECODE_MALFORMED')
  })
})

describe('sync under proof of work', () => {
  it('a blocks response encodes exactly as before commits existed: each block as field 2, nothing more', async () => {
    const { source, blocks } = await sourceChain(3)
    const handler = createSyncHandler(source.chain)
    const bytes = await handler(askBlocks(blocks.map((b) => b.hash)), 'peer')
    const expected = Buffer.concat(
      blocks.map((b) => Buffer.concat([Buffer.from([0x12]), varint(b.bytes.byteLength), b.bytes])),
    )
    expect(Buffer.from(bytes).equals(expected)).toBe(true)
    expect(decodeSyncResponse(bytes, SYNC_RESPONSE_BYTES_MAX, BLOCKS_MAX).commits).toEqual([])
    // Left out or empty, commits add no byte.
    const fields = { headers: [], blocks: blocks.map((b) => b.bytes) }
    expect(encodeSyncResponse({ ...fields, commits: [] })).toEqual(encodeSyncResponse(fields))
  })
})

/** Bytes a `bytes` field of `length` takes on the wire: tag, varint length, payload. */
function framed(length: number): number {
  return 1 + varint(length).length + length
}

function varint(n: number): Buffer {
  const out: number[] = []
  for (; n >= 0x80; n >>>= 7) out.push((n & 0x7f) | 0x80)
  out.push(n)
  return Buffer.from(out)
}
