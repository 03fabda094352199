import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import {
  REPROVIDE_FIRST_DELAY_MS,
  REPROVIDE_INTERVAL_MS,
  REPROVIDE_ROOTS_MAX,
  Reprovider,
} from '../../../src/net/content-reprovider.js'
import { ManualTimers, noLog } from './helpers.js'

async function cidOf(n: number): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`root ${n}`)))
}

/** Lets the round's promise chain run (provides are awaited one at a time). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve()
}

describe('Reprovider', () => {
  it('provides every held root after the first delay, then again every interval, until stopped', async () => {
    const timers = new ManualTimers()
    const roots = [await cidOf(1), await cidOf(2)]
    const provided: string[] = []
    const reprovider = new Reprovider({
      routing: { provide: async (cid) => void provided.push(cid.toString()) },
      heldRoots: () => roots,
      timers,
      log: noLog,
    })
    reprovider.start()
    timers.advance(REPROVIDE_FIRST_DELAY_MS - 1)
    await settle()
    expect(provided).toEqual([])
    timers.advance(1)
    await settle()
    expect(provided).toEqual(roots.map(String))

    // the list is read afresh each round
    roots.push(await cidOf(3))
    timers.advance(REPROVIDE_INTERVAL_MS)
    await settle()
    expect(provided).toHaveLength(5)

    reprovider.stop()
    expect(timers.pending).toBe(0)
    timers.advance(REPROVIDE_INTERVAL_MS * 2)
    await settle()
    expect(provided).toHaveLength(5)
  })

  it('a root that fails to provide does not stop the others, and is counted', async () => {
    const roots = [await cidOf(1), await cidOf(2), await cidOf(3)]
    const provided: string[] = []
    const reprovider = new Reprovider({
      routing: {
        provide: async (cid) => {
          if (cid.equals(roots[1])) throw new Error('no DHT peers')
          provided.push(cid.toString())
        },
      },
      heldRoots: async function* () {
        yield* roots
      },
      timers: new ManualTimers(),
      log: noLog,
    })
    expect(await reprovider.provideAll()).toEqual({ provided: 2, failed: 1 })
    expect(provided).toEqual([roots[0], roots[2]].map(String))
  })

  it(`provides at most REPROVIDE_ROOTS_MAX (${REPROVIDE_ROOTS_MAX}) roots a round`, async () => {
    const root = await cidOf(0)
    let calls = 0
    const reprovider = new Reprovider({
      routing: { provide: async () => void calls++ },
      heldRoots: function* () {
        for (;;) yield root
      },
      timers: new ManualTimers(),
      log: noLog,
    })
    expect(await reprovider.provideAll()).toEqual({ provided: REPROVIDE_ROOTS_MAX, failed: 0 })
    expect(calls).toBe(REPROVIDE_ROOTS_MAX)
  })

  it('stop aborts the provide in progress and ends the round', async () => {
    const roots = [await cidOf(1), await cidOf(2)]
    let seen: AbortSignal | undefined
    const reprovider = new Reprovider({
      routing: {
        provide: (_cid, options) =>
          new Promise((_resolve, reject) => {
            seen = options?.signal
            options?.signal?.addEventListener('abort', () => reject(new Error('aborted')))
          }),
      },
      heldRoots: () => roots,
      timers: new ManualTimers(),
      log: noLog,
    })
    const round = reprovider.provideAll()
    await settle()
    reprovider.stop()
    expect(seen?.aborted).toBe(true)
    expect(await round).toEqual({ provided: 0, failed: 0 })
  })

  it('refuses a non-positive interval', () => {
    const deps = { routing: { provide: async () => {} }, heldRoots: () => [], timers: new ManualTimers(), log: noLog }
    expect(() => new Reprovider({ ...deps, intervalMs: 0 })).toThrow(RangeError)
    expect(() => new Reprovider({ ...deps, firstDelayMs: -1 })).toThrow(RangeError)
  })
})
