/** The files server: HAVE bitfields, WANT answers within their budget, malformed requests charged, per-peer quota. */
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { decodeHaveAnswer, decodeWantAnswer, encodeFilesRequest } from '../../../../src/files/exchange/codec.js'
import { FilesCidError, FilesWireError } from '../../../../src/files/exchange/errors.js'
import { createFilesHandler } from '../../../../src/files/exchange/handler.js'
import { FILES_PENALTIES, FILES_SERVE_QUOTA } from '../../../../src/files/exchange/limits.js'
import { ServeQuota, SyncServeRefused } from '../../../../src/sync/serve-quota.js'
import { ManualClock } from '../../../../src/util/clock.js'
import { MapStore } from './helpers.js'

async function storeOf(sizes: number[]): Promise<{ store: MapStore; cids: CID[] }> {
  const store = new MapStore()
  const cids: CID[] = []
  for (const [i, size] of sizes.entries()) {
    const bytes = new Uint8Array(size).fill(i + 1)
    const cid = CID.createV1(raw.code, sha256.digest(bytes) as never)
    await store.put(cid, bytes)
    cids.push(cid)
  }
  return { store, cids }
}

const absent = CID.createV1(raw.code, sha256.digest(new Uint8Array([42])) as never)

describe('files handler', () => {
  it('answers HAVE with a bit per CID', async () => {
    const { store, cids } = await storeOf([10, 20])
    const handler = createFilesHandler(store)
    const asked = [cids[0]!, absent, cids[1]!]
    const answer = await handler(encodeFilesRequest({ kind: 'have', cids: asked }), 'p')
    expect(decodeHaveAnswer(answer, 3)).toEqual([true, false, true])
  })

  it('answers WANT with the blocks it holds in order, marks the missing, and stops at its byte budget', async () => {
    const { store, cids } = await storeOf([100, 100, 100, 100])
    const handler = createFilesHandler(store, { answerBytesMax: 250 })
    const asked = [cids[0]!, absent, cids[1]!, cids[2]!, cids[3]!]
    const answer = decodeWantAnswer(await handler(encodeFilesRequest({ kind: 'want', cids: asked }), 'p'), 5)
    expect(answer.blocks.map((b) => b.index)).toEqual([0, 2])
    // the blocks past the budget are neither sent nor marked missing: the fetcher asks again
    expect(answer.dontHave).toEqual([false, true, false, false, false])
  })

  it('sends one block even when it alone passes the budget', async () => {
    const { store, cids } = await storeOf([1000, 10])
    const handler = createFilesHandler(store, { answerBytesMax: 100 })
    const answer = decodeWantAnswer(await handler(encodeFilesRequest({ kind: 'want', cids }), 'p'), 2)
    expect(answer.blocks.map((b) => b.index)).toEqual([0])
  })

  it('refuses a malformed request or an unknown CID codec with a typed error and charges the sender', async () => {
    const { store } = await storeOf([10])
    const reports: Array<[string, number]> = []
    const handler = createFilesHandler(store, { reportPeer: (peer, penalty) => reports.push([peer, penalty]) })
    await expect(handler(Uint8Array.from([7, 1]), 'bad')).rejects.toBeInstanceOf(FilesWireError)
    const dagCbor = CID.createV1(0x71, sha256.digest(new Uint8Array([1])) as never)
    await expect(handler(encodeFilesRequest({ kind: 'want', cids: [dagCbor] }), 'bad')).rejects.toBeInstanceOf(
      FilesCidError,
    )
    expect(reports).toEqual([
      ['bad', FILES_PENALTIES.protocol],
      ['bad', FILES_PENALTIES.protocol],
    ])
  })

  it("serves under the peer's quota: a flood of WANTs past the queue is refused, other peers are served", async () => {
    const { store, cids } = await storeOf([10])
    const clock = new ManualClock(0)
    const quota = new ServeQuota(
      { clock, timers: { setTimeout: () => 0, clearTimeout: () => {} } },
      {
        ...FILES_SERVE_QUOTA,
        queueMax: 1,
      },
    )
    let open!: () => void
    const gate = new Promise<void>((resolve) => {
      open = resolve
    })
    const slowStore = {
      has: store.has.bind(store),
      get: async (cid: CID) => {
        await gate
        return store.get(cid)
      },
    }
    const handler = createFilesHandler(slowStore, { quota })
    const want = encodeFilesRequest({ kind: 'want', cids })
    // one served (held at the store), one waiting in the lane: the third is past queueMax
    const first = handler(want, 'flooder')
    const second = handler(want, 'flooder')
    await expect(handler(want, 'flooder')).rejects.toBeInstanceOf(SyncServeRefused)
    // another peer has its own lane
    const other = handler(want, 'other')
    open()
    await expect(first).resolves.toBeInstanceOf(Uint8Array)
    await expect(second).resolves.toBeInstanceOf(Uint8Array)
    await expect(other).resolves.toBeInstanceOf(Uint8Array)
    expect(quota.refused).toBe(1)
  })
})
