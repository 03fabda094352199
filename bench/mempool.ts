/**
 * Mempool throughput with 100,000 pending txs (2,000 senders x 50 nonces,
 * pre-signed, fees spread pseudo-randomly), one JSON line per figure:
 * - mempool_admissions_per_s: add() of further txs from new senders, with the
 *   real Ed25519 signature check (checkTxSignature, the pool's default verify);
 * - mempool_admissions_noverify_per_s: the same with the signature check
 *   skipped, which isolates the pool's own cost;
 * - mempool_admissions_full_noverify_per_s: add() into a pool at its count cap,
 *   where every admission outbids and evicts the lowest fee rate (with its
 *   sender's later nonces), verification skipped;
 * - mempool_template_ms: one 5,000-tx block template from the full pool;
 * - mempool_reset_ms: reset() after that template's txs are mined (every
 *   sender's account re-read in one batch and re-checked).
 * Admissions are awaited one at a time. The fill itself skips verification (not measured).
 */
import '../src/util/shims.js'
import type { KeyObject } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { addressFromPublicKey } from '../src/ledger/address.js'
import { keyPairFromSeed, privateKeyObject, sha256, sign } from '../src/ledger/crypto.js'
import { DEFAULT_LIMITS } from '../src/ledger/limits.js'
import { checkTxSignature } from '../src/ledger/rules/tx.js'
import type { Account } from '../src/ledger/state.js'
import { signingBytes, Tx, type TxFields } from '../src/ledger/tx.js'
import { Mempool } from '../src/mempool/index.js'
import { toHex } from '../src/util/bytes.js'
import { ManualClock } from '../src/util/clock.js'

const CHAIN_ID = 'bench-mempool'
const FILL_SENDERS = 2_000
const FILL_NONCES = 50
const PHASE_SENDERS = 500
const PHASE_NONCES = 20
const RECIPIENT = new Uint8Array(20).fill(9)

function line(bench: string, value: number, unit: string, extra: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench, value: Math.round(value * 100) / 100, unit, ...extra })}\n`)
}

interface Sender {
  address: Uint8Array
  publicKey: Uint8Array
  signingKey: KeyObject
}

function sender(i: number): Sender {
  const key = keyPairFromSeed(sha256(new TextEncoder().encode(`peerchain mempool bench ${i}`)))
  return {
    address: addressFromPublicKey(key.publicKey),
    publicKey: key.publicKey,
    signingKey: privateKeyObject(key.secretKey),
  }
}

/** Signs with a cached KeyObject: Tx.create re-imports the key on every call. */
function transfer(from: Sender, nonce: number, fee: bigint): Tx {
  const fields: TxFields = {
    chainId: CHAIN_ID,
    senderPubKey: from.publicKey,
    recipient: RECIPIENT,
    amount: 1_000n + BigInt(nonce),
    fee,
    nonce: BigInt(nonce),
    memo: new Uint8Array(0),
    signature: new Uint8Array(0),
    kind: 0,
    payload: new Uint8Array(0),
  }
  return Tx.fromFields({ ...fields, signature: sign(from.signingKey, signingBytes(fields)) })
}

/** Txs of `senders`, `nonces` each, interleaved round-robin as gossip would mix them. */
function batch(senders: Sender[], nonces: number, fee: (s: number, n: number) => bigint): Tx[] {
  const txs: Tx[] = []
  for (let n = 0; n < nonces; n++)
    for (let s = 0; s < senders.length; s++) txs.push(transfer(senders[s] as Sender, n, fee(s, n)))
  return txs
}

async function admit(pool: Mempool, txs: Tx[]): Promise<{ perS: number; evicted: number }> {
  let evicted = 0
  const start = performance.now()
  for (const tx of txs) evicted += (await pool.add(tx)).droppedIds.length
  return { perS: txs.length / ((performance.now() - start) / 1000), evicted }
}

export async function run(): Promise<void> {
  let next = 0
  const senders = (n: number): Sender[] => Array.from({ length: n }, () => sender(next++))
  const fillSenders = senders(FILL_SENDERS)
  const fill = batch(fillSenders, FILL_NONCES, (s, n) => 200n + BigInt((s * 7919 + n * 104_729) % 800))
  const plainFee = (s: number, n: number): bigint => 500n + BigInt((s * 31 + n * 17) % 500)
  const verified = batch(senders(PHASE_SENDERS), PHASE_NONCES, plainFee)
  const unverified = batch(senders(PHASE_SENDERS), PHASE_NONCES, plainFee)
  const outbidding = batch(senders(PHASE_SENDERS), PHASE_NONCES, (s, n) => 2_000n + BigInt((s + n) % 100))

  const accounts = new Map<string, Account>()
  const rich: Account = { balance: 1n << 60n, nonce: 0n }
  const readAccounts = async (addresses: Uint8Array[]): Promise<Account[]> =>
    addresses.map((a) => accounts.get(toHex(a)) ?? rich)
  let skipVerify = true
  const countMax = fill.length + verified.length + unverified.length
  const pool = new Mempool(
    {
      chainId: CHAIN_ID,
      limits: { ...DEFAULT_LIMITS, blockTxsMax: 5_000 },
      staking: false,
      clock: new ManualClock(0),
      readAccounts,
      // checkTxSignature is what the pool uses by default; the switch lets the fill and one phase skip it.
      verify: (tx) => {
        if (!skipVerify) checkTxSignature(tx)
      },
    },
    { countMax, futureMax: 5_000 },
  )

  await admit(pool, fill)

  skipVerify = false
  let pending = pool.size
  let r = await admit(pool, verified)
  line('mempool_admissions_per_s', r.perS, 'tx/s', { pending, verify: 'ed25519', txs: verified.length })

  skipVerify = true
  pending = pool.size
  r = await admit(pool, unverified)
  line('mempool_admissions_noverify_per_s', r.perS, 'tx/s', {
    pending,
    verify: 'skipped',
    txs: unverified.length,
  })

  pending = pool.size
  r = await admit(pool, outbidding)
  line('mempool_admissions_full_noverify_per_s', r.perS, 'tx/s', {
    pending,
    verify: 'skipped',
    txs: outbidding.length,
    evicted: r.evicted,
    countMax,
  })

  pending = pool.size
  let start = performance.now()
  const template = pool.template({ txsMax: 5_000, bytesMax: DEFAULT_LIMITS.blockBytesMax })
  line('mempool_template_ms', performance.now() - start, 'ms', { pending, txs: template.length })

  for (const tx of template) accounts.set(tx.senderHex, { ...rich, nonce: tx.fields.nonce + 1n })
  pending = pool.size
  start = performance.now()
  await pool.reset({ included: template, returned: [] })
  line('mempool_reset_ms', performance.now() - start, 'ms', { pending, included: template.length, after: pool.size })
  if (pool.size !== pending - template.length) throw new Error(`bench/mempool: reset left ${pool.size} txs`)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
