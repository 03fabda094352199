/**
 * Tuning aid for the files exchange (not part of `npm run bench`): one run of
 * ours per setting given as JSON in argv (FetchLimits overrides), 1 and 4
 * providers, on the bench's 64 MiB file. `npx tsx bench/files-tune.ts '{"wantBatchMax":8}'`
 */
import '../src/util/shims.js'
import { randomBytes } from 'node:crypto'
import { MemoryBlockstore } from 'blockstore-core'
import { importBytes } from 'ipfs-unixfs-importer'
import { IMPORT_OPTIONS, ours, rawStream } from './files.js'

const file = randomBytes(64 * 1024 * 1024)
const source = new MemoryBlockstore()
const { cid: root } = await importBytes(file, source, IMPORT_OPTIONS)
let blocks = 0
for await (const _ of source.getAll()) blocks++
if (process.env.RAW) console.log('raw', (await rawStream(file)).toFixed(1))
for (const arg of process.argv.slice(2)) {
  const limits = JSON.parse(arg)
  for (const providers of [1, 4]) {
    const r = await ours(root, source, blocks, providers, limits, 2)
    console.log(
      arg,
      providers,
      r.mibPerSec.toFixed(1),
      'dup',
      r.progress.duplicateBytes,
      'shares',
      r.shares.map((s) => s.toFixed(2)).join(','),
    )
  }
}
