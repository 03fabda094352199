/**
 * The process the crash-consistency test kills. Usage:
 *   node --import tsx test/integration/crash-child.ts <dir>   (the test runs it bundled by esbuild)
 * Opens the LevelDB chain store in <dir>/db and imports every block of
 * <dir>/blocks.txt (hex, one a line) in order; blocks a previous run stored
 * are skipped, so a restarted child resumes where the last one died.
 * Reports on stdout, one line each (pipes are synchronous on Linux, so a line
 * written is a line the parent gets even if SIGKILL follows):
 *   ready <headId>   the chain is open (after any recovery at open)
 *   head <headId>    a head change was committed
 *   done <headId>    every block is in
 * With CRASH_AT_BATCH=<n>:<during|after> in the environment the child SIGKILLs
 * itself at its n-th store batch (see test/helpers/crashing-store.ts).
 */
import '../../src/util/shims.js'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Chain } from '../../src/chain/chain.js'
import { PowEngine } from '../../src/consensus/pow/engine.js'
import { Block } from '../../src/ledger/block.js'
import { VerifyError } from '../../src/ledger/errors.js'
import { parseGenesis } from '../../src/ledger/genesis.js'
import type { KvStore } from '../../src/storage/kv.js'
import { LevelStore } from '../../src/storage/level.js'
import { fromHex } from '../../src/util/bytes.js'
import { ManualClock } from '../../src/util/clock.js'
import { inlineSignatures } from '../helpers/chain.js'
import { CrashingStore, parseCrashPoint } from '../helpers/crashing-store.js'

const dir = process.argv[2]
if (!dir) {
  process.stderr.write('usage: crash-child.ts <dir>\n')
  process.exit(2)
}

const genesis = parseGenesis(JSON.parse(await readFile(join(dir, 'genesis.json'), 'utf8')))
const blocks = (await readFile(join(dir, 'blocks.txt'), 'utf8'))
  .split('\n')
  .filter((line) => line.length > 0)
  .map((line) => Block.fromBytes(fromHex(line)))
// The clock stands at the newest block, so no block is too far in the future.
const clock = new ManualClock(Math.max(...blocks.map((b) => b.header.timestampMs)))

const crashPoint = parseCrashPoint(process.env.CRASH_AT_BATCH)
const level = new LevelStore(join(dir, 'db'))
const store: KvStore = crashPoint ? new CrashingStore(level, crashPoint) : level
await store.open()
const chain = await Chain.open({
  store,
  genesis,
  engine: new PowEngine(genesis.params),
  clock,
  signatures: inlineSignatures,
})
chain.onHeadChange((change) => process.stdout.write(`head ${change.head.id}\n`))
process.stdout.write(`ready ${chain.head.id}\n`)

for (const block of blocks) {
  try {
    await chain.importBlock(block, 'rpc')
  } catch (err) {
    if (err instanceof VerifyError && err.code === 'BLOCK_KNOWN') continue
    throw err
  }
}
process.stdout.write(`done ${chain.head.id}\n`)
// Nothing is closed on purpose: every committed batch must already be safe.
process.exit(0)
