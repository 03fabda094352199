/**
 * `npm run bench -- relay`: issue 16's relay figures, each beside its
 * "without" from the same run: compact blocks in the lab (relay-compact.ts:
 * with and without --no-compact-blocks, about 8 minutes), then Dandelion++
 * in the simulator (relay-dandelion.ts, about a minute).
 */
import { run as runCompact } from './relay-compact.js'
import { run as runDandelion } from './relay-dandelion.js'

export async function run(): Promise<void> {
  await runCompact()
  await runDandelion()
}
