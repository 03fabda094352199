/**
 * `npm run bench -- flood`: issue 9's flood figures as JSON lines. The tx half
 * floods 5 honest nodes with valid-signature unfunded txs and compares honest
 * propagation with an unflooded run; the sync half floods a server with the
 * largest block batches and compares a fresh node's sync rate, then drains it
 * against the upload cap.
 */
import { runSyncFlood } from './flood-sync.js'
import { runTxFlood } from './flood-tx.js'

export async function run(): Promise<void> {
  await runTxFlood('lab')
  await runTxFlood('shared-ip')
  await runSyncFlood()
}
