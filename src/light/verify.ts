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
 * No I/O, but not yet browser-ready: hashing is ledger/crypto.ts's
 * (node:crypto) and ledger/merkle.ts compares with Buffer; a browser bundle
 * needs shims for both.
 */
import { type NestedUint8Array, RLP } from '@ethereumjs/rlp'
import { decodeHexPrefix } from '../chain/mpt/nibbles.js'
import { encodeRlp } from '../chain/mpt/rlp.js'
import { retarget, workOf } from '../consensus/pow/target.js'
import type { Header } from '../ledger/block.js'
import { sha256 } from '../ledger/crypto.js'
import { isVerifyError } from '../ledger/errors.js'
import { type ConsensusParams, headerVersionOf } from '../ledger/genesis.js'
import { ADDRESS_BYTES, HASH_BYTES } from '../ledger/limits.js'
import { verifyMerkleProof } from '../ledger/merkle.js'
import { checkHeaderFields, medianTimePast } from '../ledger/rules/block.js'
import { type Account, accountFromBytes, accountToBytes } from '../ledger/state.js'
import { Tx } from '../ledger/tx.js'
import { bytesToBigint, equalBytes } from '../util/bytes.js'
import { LIGHT_PROOF_NODE_BYTES_MAX, LIGHT_PROOF_NODES_MAX, LIGHT_TX_PATH_MAX } from './limits.js'

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

type Raw = Uint8Array | NestedUint8Array

function decodeRaw(bytes: Uint8Array, at: number): Raw {
  try {
    return RLP.decode(bytes)
  } catch (err) {
    return fail('PROOF_BAD_NODE', `proof node ${at} is not RLP: ${(err as Error).message}`)
  }
}

/** The 64 nibbles of the trie key of `address` (SHA-256 of it, as chain/trie.ts keys accounts). */
function keyNibbles(address: Uint8Array): Uint8Array {
  const key = sha256(address)
  const out = new Uint8Array(key.length * 2)
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = (key[i] as number) >> 4
    out[2 * i + 1] = (key[i] as number) & 0x0f
  }
  return out
}

function samePath(key: Uint8Array, from: number, path: Uint8Array): boolean {
  if (from + path.length > key.length) return false
  for (let i = 0; i < path.length; i++) if (key[from + i] !== path[i]) return false
  return true
}

/**
 * Walks `proof` from `root` along the key of `address`: the leaf's value, or
 * undefined where the path shows the key is absent. The proof must be exactly
 * the nodes of that path, in order from the root (as @ethereumjs/mpt's
 * createMerkleProof lists them; a node embedded in its parent may be listed
 * again on its own).
 */
function walkProof(root: Uint8Array, address: Uint8Array, proof: readonly Uint8Array[]): Uint8Array | undefined {
  const key = keyNibbles(address)
  let next = 0
  const fetch = (hash: Uint8Array): Raw => {
    const bytes = proof[next]
    if (bytes === undefined) return fail('PROOF_TRUNCATED', `proof ends before node ${next} of the path`)
    if (!equalBytes(sha256(bytes), hash)) {
      return next === 0
        ? fail('PROOF_BAD_ROOT', 'the first proof node is not the state root')
        : fail('PROOF_BAD_HASH', `proof node ${next} is not the node its parent names`)
    }
    return decodeRaw(bytes, next++)
  }
  const done = (value: Uint8Array | undefined): Uint8Array | undefined => {
    if (next !== proof.length) fail('PROOF_EXTRA_NODES', `${proof.length - next} proof nodes past the path`)
    return value
  }
  let node = fetch(root)
  let pos = 0
  for (;;) {
    if (node instanceof Uint8Array) return fail('PROOF_BAD_NODE', `node ${next - 1} is a string, not a list`)
    let child: Raw
    if (node.length === 17) {
      if (pos === key.length) {
        const value = node[16] as Raw
        if (!(value instanceof Uint8Array)) return fail('PROOF_BAD_NODE', 'a branch value is a list')
        return done(value.length > 0 ? value : undefined)
      }
      child = node[key[pos] as number] as Raw
      pos++
    } else if (node.length === 2) {
      const [pathBytes, second] = node as [Raw, Raw]
      const hp = pathBytes instanceof Uint8Array ? decodeHexPrefix(pathBytes) : undefined
      if (!hp) return fail('PROOF_BAD_NODE', 'a bad hex-prefix path')
      const matches = samePath(key, pos, hp.path)
      if (hp.leaf) {
        if (!(second instanceof Uint8Array)) return fail('PROOF_BAD_NODE', 'a leaf value is a list')
        // A leaf for another key proves ours absent: the path to ours ends here.
        return done(matches && pos + hp.path.length === key.length ? second : undefined)
      }
      if (hp.path.length === 0) return fail('PROOF_BAD_NODE', 'an empty extension')
      if (!matches) return done(undefined)
      pos += hp.path.length
      child = second
    } else return fail('PROOF_BAD_NODE', `a node of ${node.length} items`)

    if (child instanceof Uint8Array) {
      if (child.length === 0) return done(undefined)
      if (child.length !== HASH_BYTES) return fail('PROOF_BAD_NODE', `a child reference of ${child.length} bytes`)
      node = fetch(child)
    } else {
      // Embedded in its parent (shorter than 32 bytes): proven by the parent already.
      const listed = proof[next]
      if (listed !== undefined && listed.length < HASH_BYTES && equalBytes(listed, encodeRlp(child))) next++
      node = child
    }
  }
}

/**
 * The account `proof` shows at `header`'s state root, or undefined for a
 * valid proof that there is none. With `claimedAccount` (an encoded account,
 * empty for none, as the server sent it) the claim must be what is proven.
 */
export function verifyAccountProof(
  header: Header,
  address: Uint8Array,
  proof: readonly Uint8Array[],
  claimedAccount?: Uint8Array,
): Account | undefined {
  if (address.byteLength !== ADDRESS_BYTES) throw new RangeError(`an address is ${ADDRESS_BYTES} bytes`)
  if (proof.length > LIGHT_PROOF_NODES_MAX) fail('PROOF_TOO_LARGE', `${proof.length} nodes > ${LIGHT_PROOF_NODES_MAX}`)
  for (const node of proof) {
    if (node.byteLength > LIGHT_PROOF_NODE_BYTES_MAX)
      fail('PROOF_TOO_LARGE', `a node of ${node.byteLength} bytes > ${LIGHT_PROOF_NODE_BYTES_MAX}`)
  }
  const value = walkProof(header.fields.stateRoot, address, proof)
  let account: Account | undefined
  if (value !== undefined) {
    try {
      account = accountFromBytes(value)
    } catch (err) {
      fail('PROOF_BAD_NODE', `the leaf is not an account: ${(err as Error).message}`)
    }
  }
  if (claimedAccount !== undefined) {
    const proven = value ?? new Uint8Array(0)
    if (!equalBytes(proven, claimedAccount)) {
      fail('PROOF_ACCOUNT_MISMATCH', `the account claimed is not the one the proof shows (${describe(account)})`)
    }
  }
  return account
}

const describe = (account: Account | undefined): string =>
  account ? `balance ${account.balance}, nonce ${account.nonce}` : 'none'

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
  if (path.length > LIGHT_TX_PATH_MAX) fail('PROOF_TOO_LARGE', `a path of ${path.length} > ${LIGHT_TX_PATH_MAX}`)
  if (path.some((h) => h.byteLength !== HASH_BYTES)) fail('PROOF_BAD_NODE', 'a path hash is not 32 bytes')
  let tx: Tx
  try {
    tx = Tx.fromBytes(txBytes)
  } catch (err) {
    return fail('TX_MALFORMED', (err as Error).message)
  }
  if (!verifyMerkleProof(tx.hash, index, txCount, [...path], header.fields.txRoot)) {
    fail('TX_NOT_IN_BLOCK', `tx ${tx.id} is not at ${index} of ${txCount} under the txRoot of ${header.id}`)
  }
  return tx
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
