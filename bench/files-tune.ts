/**
 * Tuning aid for the files exchange (not part of `npm run bench`): the raw
 * stream and ours with 1 and 4 providers under each setting given in argv (a
 * JSON object of FetchLimits overrides), 3 measurements each after one
 * warm-up, on the bench's 64 MiB file.
 * `npx tsx bench/files-tune.ts '{}' '{"wantBatchMax":8}'`
 */
import '../src/util/shims.js'
import { randomBytes } from 'node:crypto'
import { MemoryBlockstore } from 'blockstore-core'
import { importBytes } from 'ipfs-unixfs-importer'
import { IMPORT_OPTIONS, oursFigure, rawFigure, stopAll } from './files.js'

const file = randomBytes(64 * 1024 * 1024)
const source = new MemoryBlockstore()
const { cid: root } = await importBytes(file, source, IMPORT_OPTIONS)
let blocks = 0
for await (const _ of source.getAll()) blocks++
const raw = await rawFigure(file)
for (const arg of process.argv.slice(2)) {
  const limits = JSON.parse(arg)
  const figures = [
    raw,
    await oursFigure(root, source, blocks, 1, limits),
    await oursFigure(root, source, blocks, 4, limits),
  ]
  const best = figures.map(() => 0)
  for (let round = 0; round < 4; round++) {
    for (const [i, f] of figures.entries()) {
      const m = await f.measure()
      if (round > 0) best[i] = Math.max(best[i] as number, m.mibPerSec)
    }
  }
  console.log(arg, 'raw', best[0]?.toFixed(1), 'ours1', best[1]?.toFixed(1), 'ours4', best[2]?.toFixed(1))
}
await stopAll()
