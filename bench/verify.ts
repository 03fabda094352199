/**
 * Ed25519 verification throughput: raw node:crypto with cached KeyObjects, with
 * the key imported on every call, the inline tx path, and SignatureVerifier's
 * worker pool on block-sized batches. Prints one JSON line per figure.
 * Run: npx tsx bench/verify.ts (about 15 s).
 */
import '../src/util/shims.js'
import { createPublicKey, type KeyObject, verify as nodeVerify } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { pathToFileURL } from 'node:url'
import { devnetKey } from '../src/ledger/genesis.js'
import { SignatureVerifier } from '../src/ledger/sigverify/pool.js'
import { SPKI_ED25519_PREFIX_HEX } from '../src/ledger/sigverify/worker-source.js'
import { Tx } from '../src/ledger/tx.js'

const BATCH_TXS = 1000
const SENDERS = 100
const SPKI_PREFIX = Buffer.from(SPKI_ED25519_PREFIX_HEX, 'hex')

interface Rate {
  /** Operations per wall-clock second. */
  value: number
  /** Operations per CPU second of the whole process (all threads): steadier than `value` on a busy machine. */
  perCpuS: number
}

function report(bench: string, rate: Rate, unit: string, threads: number): void {
  const figure = { bench, value: Math.round(rate.value), unit, threads, perCpuS: Math.round(rate.perCpuS) }
  process.stdout.write(`${JSON.stringify(figure)}\n`)
}

/** Awaits `round` (which does `n` operations) until `durationMs` has passed. */
async function measure(durationMs: number, n: number, round: () => void | Promise<void>): Promise<Rate> {
  let ops = 0
  const cpu = process.cpuUsage()
  const start = performance.now()
  let elapsed = 0
  while (elapsed < durationMs) {
    await round()
    ops += n
    elapsed = performance.now() - start
  }
  const used = process.cpuUsage(cpu)
  return { value: (ops * 1000) / elapsed, perCpuS: (ops * 1e6) / (used.user + used.system) }
}

function importKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
}

export async function run(): Promise<void> {
  const keys = Array.from({ length: SENDERS }, (_, i) => devnetKey(i))
  const txs = Array.from({ length: BATCH_TXS }, (_, i) =>
    Tx.create(
      { chainId: 'peerchain-bench', recipient: new Uint8Array(20).fill(7), amount: 1000n, fee: 1n, nonce: BigInt(i) },
      keys[i % SENDERS]!,
    ),
  )
  const items = txs.map((tx) => ({
    publicKey: tx.fields.senderPubKey,
    signature: tx.fields.signature,
    message: tx.signingBytes,
  }))
  const keyObjects = new Map(keys.map((k) => [Buffer.from(k.publicKey).toString('hex'), importKey(k.publicKey)]))
  const cached = items.map((item) => keyObjects.get(Buffer.from(item.publicKey).toString('hex'))!)

  let failures = 0
  const raw = await measure(2000, items.length, () => {
    for (let i = 0; i < items.length; i++) {
      if (!nodeVerify(null, items[i]!.message, cached[i]!, items[i]!.signature)) failures++
    }
  })
  report('ed25519_verify_raw_per_s', raw, 'verify/s', 1)
  const imports = await measure(1000, items.length, () => {
    for (const item of items) importKey(item.publicKey)
  })
  report('ed25519_key_import_per_s', imports, 'import/s', 1)
  const importing = await measure(2000, items.length, () => {
    for (const item of items) {
      if (!nodeVerify(null, item.message, importKey(item.publicKey), item.signature)) failures++
    }
  })
  report('ed25519_verify_import_per_s', importing, 'verify/s', 1)

  // The whole inline path of verifyTxs: signing bytes re-encoded, crypto.ts's key cache.
  const inline = new SignatureVerifier({ threads: 1, inlineTxsMax: Number.POSITIVE_INFINITY })
  const inlineRate = await measure(2000, txs.length, async () => {
    if ((await inline.verifyTxs(txs)) !== -1) failures++
  })
  report('ed25519_verify_txs_inline_per_s', inlineRate, 'verify/s', 1)
  await inline.close()

  const threadCounts = [...new Set([1, availableParallelism()])]
  for (const threads of threadCounts) {
    const pool = new SignatureVerifier({ threads })
    await pool.verifyTxs(txs) // start the workers and fill their key caches
    const rate = await measure(3000, txs.length, async () => {
      if ((await pool.verifyTxs(txs)) !== -1) failures++
    })
    report('ed25519_verify_pool_per_s', rate, 'verify/s', threads)
    await pool.close()
  }
  if (failures > 0) throw new Error(`bench/verify: ${failures} valid signatures did not verify`)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
