/**
 * The download tracker: one download per root (a second start joins it), at
 * most DOWNLOADS_RUNNING_MAX running, the rate counting only the bytes this
 * download fetched (not those resumed), the ETA from it, and a failure kept
 * with its code.
 */
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { DownloadTracker } from '../../../src/files/downloads.js'
import { FilesError } from '../../../src/files/errors.js'
import type { FetchProgress } from '../../../src/files/fetcher.js'
import { DOWNLOADS_RUNNING_MAX } from '../../../src/files/limits.js'
import { ManualClock } from '../../../src/util/clock.js'

const cidOf = async (n: number): Promise<CID> => CID.createV1(raw.code, await sha256.digest(new Uint8Array([n])))
const MIB = 1024 * 1024

/** A download the test steers: report progress, then end it. */
function steered() {
  let report: (p: FetchProgress) => void = () => undefined
  let end: (err?: unknown) => void = () => undefined
  const run = (onProgress: (p: FetchProgress) => void, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      report = onProgress
      end = (err) => (err === undefined ? resolve() : reject(err))
      signal.addEventListener('abort', () => reject(signal.reason))
    })
  return { run, report: (p: FetchProgress) => report(p), end: (err?: unknown) => end(err) }
}

describe('DownloadTracker', () => {
  it('counts only the bytes fetched in the rate, and derives the ETA from it', async () => {
    const clock = new ManualClock(10_000)
    const tracker = new DownloadTracker(clock)
    const cid = await cidOf(1)
    const d = steered()
    tracker.start(cid, d.run, async () => undefined)
    clock.advance(2000)
    // 40 MiB held already (resumed) and 8 MiB fetched in 2 s, of 64 MiB.
    d.report({
      blocksDone: 192,
      blocksKnown: 256,
      bytesDone: 48 * MIB,
      bytesFetched: 8 * MIB,
      bytesTotal: 64 * MIB,
      providers: 3,
    })
    expect(tracker.status(cid)).toMatchObject({
      state: 'running',
      bytesPerSecond: 4 * MIB,
      etaSeconds: 4,
      providers: 3,
    })
    d.end()
    const done = await tracker.settled(cid)
    expect(done).toMatchObject({ state: 'done', etaSeconds: 0 })
  })

  it('joins a running download, refuses past the running cap, and keeps a failure with its code', async () => {
    const tracker = new DownloadTracker(new ManualClock(0))
    const runs = []
    for (let i = 0; i < DOWNLOADS_RUNNING_MAX; i++) {
      const d = steered()
      runs.push(d)
      tracker.start(await cidOf(i), d.run, async () => undefined)
    }
    let second = 0
    tracker.start(
      await cidOf(0),
      async () => {
        second++
      },
      async () => undefined,
    )
    expect(second).toBe(0)
    const oneTooMany = await cidOf(DOWNLOADS_RUNNING_MAX)
    expect(() => tracker.start(oneTooMany, steered().run, async () => undefined)).toThrow(/^BUSY: /)
    ;(runs[0] as ReturnType<typeof steered>).end(new FilesError('DISK_FULL', 'no room'))
    expect(await tracker.settled(await cidOf(0))).toMatchObject({ state: 'failed', error: { code: 'DISK_FULL' } })
    expect(tracker.running).toBe(DOWNLOADS_RUNNING_MAX - 1)
    await tracker.stop()
    expect(tracker.running).toBe(0)
  })
})
