/**
 * What a light client checks, with no I/O and no clock of its own: an
 * account's Merkle-Patricia proof against a header's `stateRoot`, a tx's
 * Merkle path against a header's `txRoot`, and a run of headers' linkage and
 * proof of work. Everything is checked against a header the caller already
 * trusts (one on its own most-work chain); a proof that fails is a
 * LightProofError with a stable code, and always the answering peer's fault.
 *
 * Proof-of-work headers only: a proof-of-stake header is proven by its
 * commit (⅔+ of its validator set), which a light client would need the
 * validator sets to check; that is out of scope here (HEADERS_UNSUPPORTED).
 *
 * The account and tx checks are verify-browser.ts's (one implementation,
 * browser-safe, so the dashboard checks proofs in the page); here they throw
 * LightProofError.
 */
import { retarget, workOf } from '../consensus/pow/target.js'
import type { Header } from '../ledger/block.js'
import { isVerifyError } from '../ledger/errors.js'
import { type ConsensusParams, headerVersionOf } from '../ledger/genesis.js'
import { checkHeaderFields, medianTimePast } from '../ledger/rules/block.js'
import { type Account, accountToBytes } from '../ledger/state.js'
import { Tx } from '../ledger/tx.js'
import { bytesToBigint, equalBytes } from '../util/bytes.js'
import {
  BrowserProofError,
  verifyAccountProof as verifyAccountProofIn,
  verifyTxProof as verifyTxProofIn,
} from './verify-browser.js'

export const LIGHT_PROOF_CODES = [
  // account proofs
  'PROOF_TOO_LARGE',
  'PROOF_BAD_NODE',
  'PROOF_BAD_ROOT',
  'PROOF_BAD_HASH',
  'PROOF_TRUNCATED',
  'PROOF_EXTRA_NODES',
  'PROOF_ACCOUNT_MISMATCH',
  'PROOF_WRONG_HEADER',
  // tx proofs
  'TX_MALFORMED',
  'TX_WRONG_TX',
  'TX_BAD_BLOCK_HASH',
  'TX_NOT_IN_BLOCK',
  // headers
  'HEADERS_BAD_FIELD',
  'HEADERS_NOT_LINKED',
  'HEADERS_BAD_POW',
  'HEADERS_BAD_TARGET',
  'HEADERS_BAD_TIME',
  'HEADERS_LOW_WORK',
  'HEADERS_UNEXPECTED',
  'HEADERS_UNSUPPORTED',
  // proof-of-stake headers (pos-verify.ts)
  'HEADERS_PAST_EPOCH',
  'HEADERS_BAD_VALIDATORS_HASH',
  'VALIDATORS_MISMATCH',
  'VALIDATORS_MALFORMED',
  'COMMIT_BAD_FIELD',
  'COMMIT_NO_QUORUM',
  'COMMIT_UNKNOWN_VALIDATOR',
  'COMMIT_DUPLICATE_VALIDATOR',
  'COMMIT_BAD_SIGNATURE',
] as const

export type LightProofCode = (typeof LIGHT_PROOF_CODES)[number]

/** A proof or header run that does not hold. `code` is stable; the message is for people. */
export class LightProofError extends Error {
  override readonly name = 'LightProofError'
  constructor(
    readonly code: LightProofCode,
    message: string,
  ) {
    super(`${code}: ${message}`)
  }
}

const fail = (code: LightProofCode, message: string): never => {
  throw new LightProofError(code, message)
}

/** Runs a check of verify-browser.ts (the one implementation), its failures as LightProofErrors. */
function asLightProof<T>(check: () => T): T {
  try {
    return check()
  } catch (err) {
    if (err instanceof BrowserProofError) throw new LightProofError(err.code, err.detail)
    throw err
  }
}

/**
 * The account `proof` shows at `header`'s state root, or undefined for a
 * valid proof that there is none (verify-browser.ts verifyAccountProof).
 */
export function verifyAccountProof(
  header: Header,
  address: Uint8Array,
  proof: readonly Uint8Array[],
  claimedAccount?: Uint8Array,
): Account | undefined {
  return asLightProof(() => verifyAccountProofIn(header, address, proof, claimedAccount))
}

/** Encoded form of a proven account, empty for none (what an AccountProofResponse carries). */
export const encodeProvenAccount = (account: Account | undefined): Uint8Array =>
  account ? accountToBytes(account) : new Uint8Array(0)

/**
 * The tx `txBytes` encode, proven to sit at `index` of the `txCount` txs
 * under `header`'s txRoot by `path` (sibling hashes, leaf to root).
 */
export function verifyTxProof(
  header: Header,
  txBytes: Uint8Array,
  index: number,
  txCount: number,
  path: readonly Uint8Array[],
): Tx {
  asLightProof(() => verifyTxProofIn(header, txBytes, index, txCount, path))
  return Tx.fromBytes(txBytes)
}

export interface HeaderChainOptions {
  /** The trusted header the first one must extend; without it only the run's own links are checked. */
  parent?: Header
  /**
   * A trusted main-chain header below the run by height (for the retarget's
   * first timestamp and the median time past); headers of the run are found
   * by themselves.
   */
  ancestor?(height: number): Header | undefined
  /** Refuse the run unless its own work is at least this (what the peer claimed it would show). */
  minWork?: bigint
  /** With a clock reading, headers more than params.maxFutureDriftMs ahead of it are refused. */
  nowMs?: number
}

export interface HeaderChainResult {
  /** The work of the run's headers (not counting the parent). */
  work: bigint
  /** Retargets whose first timestamp was out of reach: their target was only held within maxAdjustFactor. */
  retargetsBounded: number
}

/**
 * Checks that `headers` are consecutive (each names the previous as parent,
 * one height up), each with well-formed fields, a target its parent allows,
 * and a hash at or below it; returns their work. Proof of work only.
 */
export function verifyHeaderChain(
  headers: readonly Header[],
  params: ConsensusParams,
  opts: HeaderChainOptions = {},
): HeaderChainResult {
  if (params.engine !== 'pow') {
    fail(
      'HEADERS_UNSUPPORTED',
      'proof-of-stake headers are proven by commits, which light verification does not check yet',
    )
  }
  const first = headers[0]
  const firstHeight = first?.height ?? 0
  const at = (height: number): Header | undefined => {
    if (height >= firstHeight && height < firstHeight + headers.length) return headers[height - firstHeight]
    if (opts.parent && height === opts.parent.height) return opts.parent
    return opts.ancestor?.(height)
  }
  const version = headerVersionOf(params)
  let work = 0n
  let retargetsBounded = 0
  let parent = opts.parent
  for (const [i, header] of headers.entries()) {
    try {
      checkHeaderFields(header, version)
    } catch (err) {
      if (!isVerifyError(err)) throw err
      fail('HEADERS_BAD_FIELD', `header ${i}: ${err.message}`)
    }
    if (parent) {
      if (!equalBytes(header.fields.parentHash, parent.hash)) {
        fail('HEADERS_NOT_LINKED', `header ${i} (${header.id}) does not name ${parent.id} as its parent`)
      }
      if (header.height !== parent.height + 1) {
        fail('HEADERS_NOT_LINKED', `header ${i} is at height ${header.height}, its parent at ${parent.height}`)
      }
      retargetsBounded += checkTarget(header, parent, at, params)
      checkTime(header, parent, at, params, opts.nowMs)
    }
    if (header.target > params.powLimit) fail('HEADERS_BAD_TARGET', `header ${i}: target easier than the limit`)
    if (bytesToBigint(header.hash) > header.target) fail('HEADERS_BAD_POW', `header ${i}: hash above its target`)
    work += workOf(header.target)
    parent = header
  }
  if (opts.minWork !== undefined && work < opts.minWork) {
    fail('HEADERS_LOW_WORK', `the headers carry work ${work}, less than the ${opts.minWork} claimed`)
  }
  return { work, retargetsBounded }
}

/** The retarget rule (consensus/pow/target.ts); returns 1 when the first timestamp was out of reach. */
function checkTarget(
  header: Header,
  parent: Header,
  at: (height: number) => Header | undefined,
  params: ConsensusParams,
): number {
  const height = header.height
  let bounded = 0
  let expected: bigint
  try {
    expected = retarget(
      height,
      parent.target,
      parent.timestampMs,
      () => {
        const first = at(height - params.retargetInterval)
        if (!first) throw new OutOfReach()
        return first.timestampMs
      },
      params,
    )
  } catch (err) {
    if (!(err instanceof OutOfReach)) throw err
    // The retarget's inputs are out of reach: hold the target to what any retarget could give.
    const factor = BigInt(params.maxAdjustFactor)
    let easiest = parent.target * factor
    if (easiest > params.powLimit) easiest = params.powLimit
    const hardest = parent.target / factor
    if (header.target > easiest || header.target < (hardest < 1n ? 1n : hardest)) {
      fail('HEADERS_BAD_TARGET', `header at ${height}: target out of one retarget's reach`)
    }
    bounded = 1
    expected = header.target
  }
  if (header.target !== expected) {
    fail('HEADERS_BAD_TARGET', `header at ${height}: target ${header.target.toString(16)} != ${expected.toString(16)}`)
  }
  return bounded
}

class OutOfReach extends Error {}

/** Median time past, when the whole span before the header is in reach; the future-drift bound with a clock. */
function checkTime(
  header: Header,
  parent: Header,
  at: (height: number) => Header | undefined,
  params: ConsensusParams,
  nowMs: number | undefined,
): void {
  const timestamps: number[] = []
  for (let h = parent.height; h > parent.height - params.medianTimeSpan && h >= 0; h--) {
    const ancestor = at(h)
    if (!ancestor) break
    timestamps.push(ancestor.timestampMs)
  }
  const span = Math.min(params.medianTimeSpan, parent.height + 1)
  if (timestamps.length === span && header.timestampMs <= medianTimePast(timestamps)) {
    fail('HEADERS_BAD_TIME', `header at ${header.height}: timestamp at or before the median time past`)
  }
  if (nowMs !== undefined && header.timestampMs > nowMs + params.maxFutureDriftMs) {
    fail('HEADERS_BAD_TIME', `header at ${header.height}: timestamp too far ahead`)
  }
}

/** The total work of headers whose targets are trusted (a light client's sum for its own chain). */
export function workOfHeaders(headers: readonly Header[]): bigint {
  let work = 0n
  for (const h of headers) work += workOf(h.target)
  return work
}
