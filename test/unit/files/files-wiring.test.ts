/** The node's file store wiring: opens both stores in the data directory, keeps what was added across a reopen, closes once. */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { filesDir, openNodeFiles } from '../../../src/node/files-wiring.js'
import { ManualClock } from '../../../src/util/clock.js'
import { patternBytes } from './fixtures.js'

let dataDir: string
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'peerchain-files-wiring-'))
})
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

describe('openNodeFiles', () => {
  it('keeps blocks and roots in <datadir>/files across a reopen', async () => {
    const clock = new ManualClock(42)
    const first = await openNodeFiles({ dataDir, clock })
    const path = join(dataDir, 'f.bin')
    await writeFile(path, patternBytes(600_000))
    const added = await first.service.add(path)
    await first.close()
    await first.close()
    expect((await readdir(filesDir(dataDir))).sort()).toEqual(['blocks', 'index'])
    const second = await openNodeFiles({ dataDir, clock })
    expect(second.service.list()).toEqual([
      { cid: added.cid, name: 'f.bin', sizeBytes: 600_000, addedAtMs: 42, pinned: true, source: 'added' },
    ])
    expect(await second.service.stat(added.cid)).toMatchObject({ complete: true, blocks: 4 })
    await second.close()
  })
})
