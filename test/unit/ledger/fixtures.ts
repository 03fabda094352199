/** Shared builders for the ledger and consensus unit tests: deterministic keys, txs, headers and blocks. */
import { expect } from 'vitest'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import { Block, Header, type HeaderFields, txRootOf } from '../../../src/ledger/block.js'
import type { TxFields } from '../../../src/ledger/codec/codec.js'
import { type KeyPair, keyPairFromSeed, sha256 } from '../../../src/ledger/crypto.js'
import { RULES, type RuleCode, type Verdict, VerifyError } from '../../../src/ledger/errors.js'
import { type ChainLimits, DEFAULT_LIMITS } from '../../../src/ledger/limits.js'
import { Tx } from '../../../src/ledger/tx.js'
import { bigintToBytes, toHex } from '../../../src/util/bytes.js'

export const CHAIN_ID = 'test-chain'

const keyCache = new Map<number, KeyPair>()

/** The i-th deterministic test key. */
export function testKey(i: number): KeyPair {
  let key = keyCache.get(i)
  if (!key) {
    key = keyPairFromSeed(sha256(new TextEncoder().encode(`peerchain unit test key ${i}`)))
    keyCache.set(i, key)
  }
  return key
}

export function addressOf(i: number): Uint8Array {
  return new Uint8Array(addressFromPublicKey(testKey(i).publicKey))
}

export function bytesOf(length: number, fill: number): Uint8Array {
  return new Uint8Array(length).fill(fill)
}

export function limits(overrides: Partial<ChainLimits> = {}): ChainLimits {
  return { ...DEFAULT_LIMITS, ...overrides }
}

export interface TxSpec {
  chainId?: string
  recipient?: Uint8Array
  amount?: bigint
  fee?: bigint
  nonce?: bigint
  memo?: Uint8Array
  kind?: number
  payload?: Uint8Array
}

/** A correctly signed tx from test key `from`. */
export function signedTx(spec: TxSpec = {}, from = 0): Tx {
  return Tx.create(
    {
      chainId: spec.chainId ?? CHAIN_ID,
      recipient: spec.recipient ?? addressOf(99),
      amount: spec.amount ?? 10n,
      fee: spec.fee ?? 1n,
      nonce: spec.nonce ?? 0n,
      memo: spec.memo,
      kind: spec.kind,
      payload: spec.payload,
    },
    testKey(from),
  )
}

/** Raw tx fields with well-formed lengths and an (invalid) placeholder signature. */
export function txFields(overrides: Partial<TxFields> = {}): TxFields {
  return {
    chainId: CHAIN_ID,
    senderPubKey: bytesOf(32, 1),
    recipient: bytesOf(20, 2),
    amount: 10n,
    fee: 1n,
    nonce: 0n,
    memo: new Uint8Array(0),
    signature: bytesOf(64, 3),
    kind: 0,
    payload: new Uint8Array(0),
    ...overrides,
  }
}

export function headerFields(overrides: Partial<HeaderFields> = {}): HeaderFields {
  return {
    version: 1,
    height: 1n,
    parentHash: bytesOf(32, 0xaa),
    timestamp: 1_700_000_000_000n,
    txRoot: txRootOf([]),
    stateRoot: bytesOf(32, 0xbb),
    target: bigintToBytes(1n << 240n),
    miner: bytesOf(20, 0xcc),
    reward: 0n,
    nonce: 0n,
    mmrRoot: new Uint8Array(0),
    validatorsHash: new Uint8Array(0),
    ...overrides,
  }
}

/** A block whose header commits to `txs` (unless `txRoot` is overridden). */
export function blockOf(txs: readonly Tx[], overrides: Partial<HeaderFields> = {}): Block {
  return new Block(Header.fromFields(headerFields({ txRoot: txRootOf(txs), ...overrides })), txs)
}

/** Runs `fn` and returns what it threw; fails the test if it returned. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected the call to throw, but it returned')
}

/** Asserts `fn` throws a VerifyError with `code` and `verdict` (penalty from the rule table). */
export function expectVerifyError(fn: () => unknown, code: RuleCode, verdict: Verdict): VerifyError {
  const err = thrownBy(fn)
  expect(err).toBeInstanceOf(VerifyError)
  const v = err as VerifyError
  expect(v.code).toBe(code)
  expect(v.verdict).toBe(verdict)
  expect(v.penalty).toBe(RULES[code].penalty)
  if (verdict === 'reject') expect(v.penalty).toBeGreaterThan(0)
  else expect(v.penalty).toBe(0)
  return v
}

/** Hex of bytes, for readable equality assertions. */
export const hex = (bytes: Uint8Array): string => toHex(bytes)

/** The same value with every Uint8Array replaced by its hex, for deep equality. */
export function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return `0x${toHex(value)}`
  if (Array.isArray(value)) return value.map(normalize)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]))
  }
  return value
}

/** Protobuf varint of a non-negative bigint. */
export function varint(value: bigint): Uint8Array {
  const out: number[] = []
  let n = value
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80)
    n >>= 7n
  }
  out.push(Number(n))
  return new Uint8Array(out)
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}
