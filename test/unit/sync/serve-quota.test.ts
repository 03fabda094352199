/** The sync server's per-peer quotas: one request of a kind at a time, buckets in items and bytes, refusals charged past a grace. */
import { beforeAll, describe, expect, it } from 'vitest'
import type { Block } from '../../../src/ledger/block.js'
import { decodeSyncResponse, encodeSyncRequest } from '../../../src/ledger/codec/wire-codec.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { createSyncHandler, type SyncSource } from '../../../src/sync/handler.js'
import { BLOCKS_MAX, HEADERS_MAX, SYNC_RESPONSE_BYTES_MAX } from '../../../src/sync/limits.js'
import { DEFAULT_SERVE_QUOTA, ServeQuota, SyncServeRefused } from '../../../src/sync/serve-quota.js'
import type { TestChain } from '../../helpers/chain.js'
import { drive, sourceChain } from './helpers.js'

let source: TestChain
let blocks: Block[]

beforeAll(async () => {
  ;({ source, blocks } = await sourceChain(40))
})

function setup(limits: Partial<typeof DEFAULT_SERVE_QUOTA> = {}) {
  const s = new SimScheduler({ seed: 1, startMs: 0 })
  const charges: Array<{ peer: string; penalty: number }> = []
  const quota = new ServeQuota(
    { clock: s, timers: s, reportPeer: (peer, penalty) => charges.push({ peer, penalty }) },
    limits,
  )
  return { s, quota, charges }
}

/** Lets promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('ServeQuota', () => {
  it("serves one request of a kind at a time per peer, in order; other peers and kinds don't wait", async () => {
    const { quota } = setup()
    const order: string[] = []
    const first = await quota.admit('a', 'blocks')
    const second = quota.admit('a', 'blocks').then((release) => {
      order.push('a2')
      return release
    })
    const third = quota.admit('a', 'blocks').then((release) => {
      order.push('a3')
      return release
    })
    // Another peer, and another kind of the same peer, are admitted at once.
    ;(await quota.admit('b', 'blocks'))()
    ;(await quota.admit('a', 'headers'))()
    await settle()
    expect(order).toEqual([])
    first()
    ;(await second)()
    ;(await third)()
    expect(order).toEqual(['a2', 'a3'])
  })

  it('refuses at once past the bounded queue, charging only past the grace', async () => {
    const grace = { capacity: 3, ratePerSec: 0.001 }
    const { quota, charges } = setup({ queueMax: 2, grace, overQuotaPenalty: 2 })
    const held = await quota.admit('a', 'blocks')
    const waiting = [quota.admit('a', 'blocks'), quota.admit('a', 'blocks')]
    const refused: unknown[] = []
    for (let i = 0; i < 5; i++) refused.push(await quota.admit('a', 'blocks').catch((e: unknown) => e))
    expect(refused.every((e) => e instanceof SyncServeRefused && e.code === 'QUEUE_FULL')).toBe(true)
    expect(quota.refused).toBe(5)
    expect(charges).toEqual([
      { peer: 'a', penalty: 2 },
      { peer: 'a', penalty: 2 },
    ])
    // Peer b is untouched by a's flood.
    ;(await quota.admit('b', 'blocks'))()
    held()
    for (const w of waiting) (await w)()
  })

  it('slows a peer in debt until its bucket is repaid, and only that peer', async () => {
    const { s, quota } = setup({ blocks: { capacity: 100, ratePerSec: 100 } })
    ;(await quota.admit('a', 'blocks'))()
    quota.served('a', 'blocks', 150, 1000) // 50 blocks in debt: 510 ms to get one token back
    let admittedAt: number | undefined
    const slowed = quota.admit('a', 'blocks').then((release) => {
      admittedAt = s.nowMs()
      release()
    })
    ;(await quota.admit('b', 'blocks'))()
    await s.run({ until: () => admittedAt !== undefined })
    await slowed
    expect(admittedAt).toBe(510)
  })

  it('refuses a request whose peer would wait past waitMaxMs', async () => {
    const { quota } = setup({ bytes: { capacity: 1000, ratePerSec: 1000 }, waitMaxMs: 2000 })
    ;(await quota.admit('a', 'headers'))()
    quota.served('a', 'headers', 1, 5000) // 4 s of debt
    const err = await quota.admit('a', 'headers').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SyncServeRefused)
    expect((err as SyncServeRefused).code).toBe('OVER_QUOTA')
    // The refused request held no lane; bytes count across kinds, so blocks wait too; another peer does not.
    await expect(quota.admit('a', 'blocks')).rejects.toBeInstanceOf(SyncServeRefused)
    ;(await quota.admit('b', 'headers'))()
  })
})

describe('sync handler with a quota', () => {
  const ask = (hashes: Uint8Array[]) => encodeSyncRequest({ locator: [], max: 0, blockHashes: hashes })
  const hashes = () => blocks.slice(0, BLOCKS_MAX).map((b) => b.hash)

  it('a flood of the largest block requests from one peer is served one at a time, and another peer still is', async () => {
    const { quota, charges } = setup({ grace: { capacity: 4, ratePerSec: 0.001 } })
    let reading = 0
    let readingMax = 0
    // The chain's reads, counted per request in flight.
    const counting: SyncSource = {
      head: source.chain.head,
      index: source.chain.index,
      hasFinality: false,
      getCommit: async () => undefined,
      async getBlockBytes(id) {
        reading++
        readingMax = Math.max(readingMax, reading)
        await settle()
        reading--
        return source.chain.getBlockBytes(id)
      },
    }
    const handler = createSyncHandler(counting, {}, { quota, reportPeer: () => {} })
    const flood = Array.from({ length: 32 }, () =>
      handler(ask(hashes()), 'attacker').then(
        () => 'served',
        (e) => e,
      ),
    )
    const honest = await handler(ask(hashes().slice(0, 4)), 'honest')
    expect(decodeSyncResponse(honest, SYNC_RESPONSE_BYTES_MAX, HEADERS_MAX).blocks.length).toBe(4)
    const outcomes = await Promise.all(flood)
    const served = outcomes.filter((o) => o === 'served').length
    expect(served).toBe(1 + DEFAULT_SERVE_QUOTA.queueMax)
    expect(outcomes.filter((o) => o instanceof SyncServeRefused).length).toBe(32 - served)
    // Reads never overlapped within one peer: at most the attacker's one and the honest one.
    expect(readingMax).toBeLessThanOrEqual(2)
    expect(charges.length).toBe(32 - served - 4)
    expect(charges.every((c) => c.peer === 'attacker')).toBe(true)
  })

  it('charges what it served to the peer, so a peer in debt waits, then is refused', async () => {
    const { s: sim, quota } = setup({ blocks: { capacity: 10, ratePerSec: 1 }, waitMaxMs: 1000 })
    const handler = createSyncHandler(source.chain, {}, { quota })
    const at = async (request: Promise<Uint8Array>) => {
      await drive(sim, request)
      return sim.nowMs()
    }
    expect(await at(handler(ask(blocks.slice(0, 10).map((b) => b.hash)), 'a'))).toBe(0)
    // 10 blocks served: the bucket is empty and the next request waits 1 s for a token.
    expect(await at(handler(ask(blocks.slice(0, 30).map((b) => b.hash)), 'a'))).toBe(1000)
    // Now 29 blocks in debt: the quota is back in 30 s, past waitMaxMs: refused.
    await expect(handler(ask([blocks[0]?.hash as Uint8Array]), 'a')).rejects.toBeInstanceOf(SyncServeRefused)
    await expect(handler(ask([blocks[0]?.hash as Uint8Array]), 'b')).resolves.toBeInstanceOf(Uint8Array)
  })
})
