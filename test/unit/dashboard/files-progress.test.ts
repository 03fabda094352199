/** The Files card's pure parts: the CID check, a download's progress fraction, the bounded list of followed downloads. */
import { describe, expect, it } from 'vitest'
import {
  DOWNLOADS_SHOWN_MAX,
  downloadFraction,
  isCidText,
  unreadable,
  upsertDownload,
} from '../../../dashboard/src/files-progress.js'
import type { FileDownloadJson } from '../../../src/files/json.js'

const download = (cid: string, over: Partial<FileDownloadJson> = {}): FileDownloadJson => ({
  cid,
  state: 'running',
  blocksDone: 0,
  blocksKnown: 1,
  bytesDone: 0,
  bytesTotal: null,
  providers: 1,
  bytesPerSecond: 0,
  etaSeconds: null,
  startedAtMs: 1,
  ...over,
})

describe('files card', () => {
  it('accepts CIDv1 base32 and CIDv0 text and refuses anything else', () => {
    expect(isCidText('bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi')).toBe(true)
    expect(isCidText('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG')).toBe(true)
    for (const bad of [
      '',
      'bafy',
      'hello world',
      'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd0',
      'BAFYBEIGDYRZT5SFP7UDM7HU76UH7Y26NF3EFUYLQABF3OCLGTQY55FBZDI',
    ]) {
      expect(isCidText(bad)).toBe(false)
    }
  })

  it('progress is bytes over the total when known, else blocks over blocks known, and 1 when done', () => {
    expect(downloadFraction(download('a', { bytesDone: 256, bytesTotal: 1024, blocksDone: 9, blocksKnown: 10 }))).toBe(
      0.25,
    )
    expect(downloadFraction(download('a', { blocksDone: 3, blocksKnown: 4 }))).toBe(0.75)
    expect(downloadFraction(download('a', { blocksKnown: 0 }))).toBe(0)
    expect(downloadFraction(download('a', { state: 'done', bytesDone: 1, bytesTotal: 2 }))).toBe(1)
  })

  it('a status replaces the download of its CID in place, and a new one goes first', () => {
    const list = [download('a'), download('b')]
    const updated = upsertDownload(list, download('b', { bytesDone: 7 }))
    expect(updated.map((d) => [d.cid, d.bytesDone])).toEqual([
      ['a', 0],
      ['b', 7],
    ])
    expect(upsertDownload(list, download('c')).map((d) => d.cid)).toEqual(['c', 'a', 'b'])
  })

  it(`keeps at most ${DOWNLOADS_SHOWN_MAX}, dropping the oldest finished one first`, () => {
    let list: FileDownloadJson[] = []
    for (let i = 0; i < DOWNLOADS_SHOWN_MAX; i++)
      list = upsertDownload(list, download(`r${i}`, { state: i === 2 ? 'done' : 'running' }))
    list = upsertDownload(list, download('new'))
    expect(list).toHaveLength(DOWNLOADS_SHOWN_MAX)
    expect(list.map((d) => d.cid)).not.toContain('r2')
    list = upsertDownload(list, download('newer'))
    expect(list).toHaveLength(DOWNLOADS_SHOWN_MAX)
    // all running: the oldest of all goes
    expect(list.map((d) => d.cid)).not.toContain('r0')
  })

  it('a download whose progress cannot be read is shown failed with the reason, keeping what was known', () => {
    const failed = unreadable([download('a', { bytesDone: 5 })], 'a', 'the node cannot be reached')
    expect(failed).toMatchObject({ cid: 'a', state: 'failed', bytesDone: 5, error: { code: 'UNREADABLE' } })
    expect(unreadable([], 'b', 'x')).toMatchObject({ cid: 'b', state: 'failed', bytesDone: 0 })
  })
})
