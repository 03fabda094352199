/** The `files` commands' human output: the progress line (bar, bytes, rate, providers, ETA), its redraw in place, the tables. */
import { describe, expect, it } from 'vitest'
import {
  renderDownloadEnd,
  renderDownloadLine,
  renderGc,
  renderRoots,
  renderStat,
} from '../../../src/cli/files-render.js'
import { LineBar } from '../../../src/cli/line-bar.js'
import type { FileDownloadJson } from '../../../src/files/json.js'

const MIB = 1024 * 1024
const running: FileDownloadJson = {
  cid: 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
  state: 'running',
  blocksDone: 64,
  blocksKnown: 64,
  bytesDone: 16 * MIB,
  bytesTotal: 64 * MIB,
  providers: 4,
  bytesPerSecond: 32 * MIB,
  etaSeconds: 2,
  startedAtMs: 0,
}

describe('files rendering', () => {
  it('draws the bar with bytes, percent, rate, providers and ETA', () => {
    expect(renderDownloadLine(running)).toBe(
      '[######------------------] 16.0 MiB/64.0 MiB 25.0% 32.0 MiB/s 4 providers ETA 2s',
    )
    const unknown = { ...running, bytesTotal: null, providers: 1, etaSeconds: null, bytesPerSecond: 0 }
    expect(renderDownloadLine(unknown)).toBe('[------------------------] 16.0 MiB 0 B/s 1 provider ETA unknown')
    const done = { ...running, state: 'done' as const, bytesDone: 64 * MIB, etaSeconds: 0 }
    expect(renderDownloadLine(done)).toMatch(/^\[#{24}\] 64\.0 MiB\/64\.0 MiB 100\.0%/)
    expect(renderDownloadEnd(done)).toBe(`fetched ${running.cid}: 64.0 MiB in 64 blocks`)
    const failed = { ...running, state: 'failed' as const, error: { code: 'DOWNLOAD_FAILED', message: 'no providers' } }
    expect(renderDownloadEnd(failed)).toBe(`download of ${running.cid} failed: DOWNLOAD_FAILED: no providers`)
  })

  it('redraws one line in place, cut to the terminal width, and clears it', () => {
    const written: string[] = []
    const bar = new LineBar({ write: (t: string) => written.push(t), columns: 20 })
    bar.draw(renderDownloadLine(running))
    bar.clear()
    bar.clear()
    expect(written).toEqual(['\r\x1b[2K[######------------', '\r\x1b[2K'])
  })

  it('lists roots, a stat and gc', () => {
    const table = renderRoots([
      { cid: running.cid, name: 'movie.bin', sizeBytes: 64 * MIB, addedAtMs: 0, pinned: true, source: 'added' },
    ])
    expect(table.split('\n')).toHaveLength(2)
    expect(table).toMatch(/movie\.bin\s+64\.0 MiB\s+yes\s+added\s+1970-01-01T00:00:00Z/)
    expect(renderRoots([])).toMatch(/no files/)
    expect(
      renderStat({
        cid: running.cid,
        sizeBytes: null,
        blocks: 10,
        blocksHeld: 4,
        bytesHeld: 4 * MIB,
        complete: false,
        pinned: true,
        indexed: true,
        name: 'x',
      }),
    ).toMatch(/blocks\s+4 held of 10 known\n.*\ncomplete\s+no/)
    expect(renderGc({ blocksRemoved: 3, bytesRemoved: 2 * MIB, blocksKept: 5, rootsRemoved: 1 })).toBe(
      'removed 3 blocks (2.0 MiB) and 1 unpinned roots; kept 5 blocks',
    )
  })
})
