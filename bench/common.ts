/** Shared benchmark helpers: JSON-line output and funded test accounts. */
import { addressFromPublicKey } from '../src/ledger/address.js'
import { type KeyPair, keyPairFromSeed, privateKeyObject, sha256, sign } from '../src/ledger/crypto.js'
import { COIN, devnetGenesis, type Genesis } from '../src/ledger/genesis.js'
import { signingBytes, Tx, type TxFields } from '../src/ledger/tx.js'

export function report(bench: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  const rounded = Object.fromEntries(
    Object.entries(extra).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 100) / 100 : v]),
  )
  process.stdout.write(`${JSON.stringify({ bench, value: Math.round(value * 100) / 100, unit, ...rounded })}\n`)
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export function benchKey(i: number): KeyPair {
  return keyPairFromSeed(sha256(new TextEncoder().encode(`peerchain bench account ${i}`)))
}

/** A genesis funding `accounts` bench keys, with a target every hash meets. */
export function benchGenesis(accounts: number): Genesis {
  const g = devnetGenesis({
    initialTarget: (1n << 256n) - 1n,
    powLimit: (1n << 256n) - 1n,
    retargetInterval: 1_000_000,
  })
  g.alloc = Array.from({ length: accounts }, (_, i) => ({
    address: addressFromPublicKey(benchKey(i).publicKey),
    balance: 1_000_000n * COIN,
  }))
  g.limits = { ...g.limits, blockTxsMax: 5000 }
  return g
}

/**
 * `blocks` batches of `perBlock` transfers: every tx has a distinct sender in its batch
 * (senders rotate through `accounts` keys), paying a pseudo-random other account.
 * Signed with each key's KeyObject imported once (what Tx.create does per call costs 10x more);
 * Ed25519 is deterministic, so the txs are the same bytes Tx.create makes.
 */
export function makeTransfers(accounts: number, blocks: number, perBlock: number, chainId: string): Tx[][] {
  return [...transferBatches(accounts, blocks, perBlock, chainId)]
}

/** makeTransfers one batch at a time, so a long run never holds every tx at once. */
export function* transferBatches(accounts: number, blocks: number, perBlock: number, chainId: string): Generator<Tx[]> {
  const keys = Array.from({ length: accounts }, (_, i) => benchKey(i))
  const signingKeys = keys.map((k) => privateKeyObject(k.secretKey))
  const addrs = keys.map((k) => addressFromPublicKey(k.publicKey))
  const nonces = new Array<bigint>(accounts).fill(0n)
  let s = 0
  for (let b = 0; b < blocks; b++) {
    const batch: Tx[] = []
    for (let i = 0; i < perBlock; i++) {
      const from = s++ % accounts
      const to = (from * 7919 + b * 31 + 1) % accounts
      const fields: TxFields = {
        chainId,
        recipient: addrs[to] as Uint8Array,
        amount: 1000n + BigInt(i),
        fee: 10n,
        nonce: nonces[from]!,
        memo: new Uint8Array(0),
        senderPubKey: (keys[from] as KeyPair).publicKey,
        signature: new Uint8Array(0),
        kind: 0,
        payload: new Uint8Array(0),
      }
      batch.push(Tx.fromFields({ ...fields, signature: sign(signingKeys[from]!, signingBytes(fields)) }))
      nonces[from] = (nonces[from] as bigint) + 1n
    }
    yield batch
  }
}

export const isMain = (url: string): boolean =>
  process.argv[1] !== undefined && url.endsWith(process.argv[1].replace(/^.*\//, '/'))
