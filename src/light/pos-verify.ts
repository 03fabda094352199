/**
 * Proof-of-stake header verification for light clients, sequential by epoch
 * (CometBFT's light client without skipping): the client trusts the
 * genesis set and, from a verified header, takes a run of headers that stays
 * within the epoch of the height after it, checks that they are hash-linked,
 * that each carries the fixed PoS fields and commits to the set signing the
 * next height, and that ⅔+ of the voting power of the trusted set signed the
 * commit of the run's last header (consensus/bft/commit.ts). Committed means
 * final, and the run's hash chain fixes every header below the committed
 * one. When the run ends an epoch, its last header's `validatorsHash` names
 * the next epoch's set: the client takes a set only when it hashes to that.
 *
 * Pure functions over bytes a peer sent: every fault is a LightProofError
 * with a stable code, which the caller charges the peer for.
 */
import { decodeCommit, verifyCommit } from '../consensus/bft/commit.js'
import type { Validator } from '../consensus/bft/validators.js'
import { POS_TARGET } from '../consensus/pos/engine.js'
import { decodeEpochRecord } from '../consensus/pos/epoch-record.js'
import { ValidatorSet } from '../consensus/pos/validator-set.js'
import type { Header } from '../ledger/block.js'
import { isVerifyError } from '../ledger/errors.js'
import { checkHeaderFields } from '../ledger/rules/block.js'
import { equalBytes, toHex } from '../util/bytes.js'
import { type LightProofCode, LightProofError } from './verify.js'

/** What a PoS light client trusts: a verified header and the set that signs the height after it. */
export interface PosTrust {
  readonly header: Header
  /** Its members hash to `header.fields.validatorsHash`. */
  readonly nextSet: ValidatorSet
}

export interface PosRules {
  readonly chainId: string
  /** The chain's header version (genesis consensus.headerVersion). */
  readonly headerVersion: number
  /** consensus.epochLength; Infinity for a chain whose genesis set signs every height. */
  readonly epochLength: number
}

/** A run to verify: headers after the trusted one, the commit of the last, and the next epoch's set when it ends one. */
export interface PosRun {
  readonly headers: readonly Header[]
  /** The encoded commit of the last header. */
  readonly commit: Uint8Array
  /** The set record (consensus/pos/epoch-record.ts) the last header commits to, when it ends an epoch. */
  readonly nextValidators?: Uint8Array
}

const fail = (code: LightProofCode, message: string): never => {
  throw new LightProofError(code, message)
}

/** The trust of a PoS chain's genesis: its header and the genesis set. */
export function genesisTrust(genesisHeader: Header, validators: readonly Validator[]): PosTrust {
  const nextSet = ValidatorSet.create(validators)
  if (!equalBytes(genesisHeader.fields.validatorsHash ?? new Uint8Array(0), nextSet.hash())) {
    throw new Error('the genesis header does not commit to the genesis set')
  }
  return { header: genesisHeader, nextSet }
}

/** True when the block at `height` is the last of its epoch (its header commits to the next epoch's set). */
export function isEpochEndHeight(height: number, epochLength: number): boolean {
  return Number.isFinite(epochLength) && (height + 1) % epochLength === 0
}

/** The last height of the epoch holding `height`. */
export function epochEndOf(height: number, epochLength: number): number {
  if (!Number.isFinite(epochLength)) return Number.MAX_SAFE_INTEGER
  return (Math.floor(height / epochLength) + 1) * epochLength - 1
}

/**
 * Verifies `run` on top of `trust` and returns the trust at its last header.
 * Refuses (LightProofError): an empty run or one past the end of the epoch
 * of trust.height + 1 (HEADERS_PAST_EPOCH), headers that do not link
 * (HEADERS_NOT_LINKED), a malformed PoS header (HEADERS_BAD_FIELD), a
 * header that commits to another set than the trusted one inside the epoch
 * (HEADERS_BAD_VALIDATORS_HASH), a commit that does not hold under the
 * trusted set (COMMIT_*: short of ⅔, a signer outside the set, a bad
 * signature, another block), and at an epoch end a next set that is missing,
 * malformed or does not hash to the committed hash (VALIDATORS_*).
 */
export function verifyPosRun(trust: PosTrust, run: PosRun, rules: PosRules): PosTrust {
  const { headers } = run
  const last = headers.at(-1)
  if (!last) return fail('HEADERS_UNEXPECTED', 'an empty run of headers')
  const first = trust.header.height + 1
  const epochEnd = epochEndOf(first, rules.epochLength)
  if (last.height > epochEnd) {
    fail('HEADERS_PAST_EPOCH', `the run ends at ${last.height}, past ${epochEnd}, the end of the trusted set's epoch`)
  }
  const trustedHash = trust.nextSet.hash()
  let parent = trust.header
  for (const [i, header] of headers.entries()) {
    if (header.height !== parent.height + 1 || !equalBytes(header.fields.parentHash, parent.hash)) {
      fail('HEADERS_NOT_LINKED', `header ${i} (${header.id}) does not follow ${parent.id}`)
    }
    checkPosFields(header, i, rules.headerVersion)
    if (header !== last || !isEpochEndHeight(header.height, rules.epochLength)) {
      // inside an epoch the set does not change: every header commits to the trusted one
      if (!equalBytes(header.fields.validatorsHash as Uint8Array, trustedHash)) {
        fail('HEADERS_BAD_VALIDATORS_HASH', `header ${i} at ${header.height} commits to another set inside its epoch`)
      }
    }
    parent = header
  }
  checkCommit(last, run.commit, trust.nextSet, rules.chainId)
  if (!isEpochEndHeight(last.height, rules.epochLength)) return { header: last, nextSet: trust.nextSet }
  return { header: last, nextSet: nextSetOf(last, run.nextValidators, trust.nextSet) }
}

function checkPosFields(header: Header, i: number, version: number): void {
  try {
    checkHeaderFields(header, version, true)
  } catch (err) {
    if (!isVerifyError(err)) throw err
    fail('HEADERS_BAD_FIELD', `header ${i}: ${err.message}`)
  }
  if (header.target !== POS_TARGET || header.fields.nonce !== 0n) {
    fail('HEADERS_BAD_FIELD', `header ${i}: a proof-of-stake header carries the fixed target and nonce 0`)
  }
}

/** ⅔+ of `set`'s power precommitted exactly `header`. */
function checkCommit(header: Header, bytes: Uint8Array, set: ValidatorSet, chainId: string): void {
  try {
    const commit = decodeCommit(bytes, set.size)
    if (commit.height !== BigInt(header.height) || !equalBytes(commit.blockHash, header.hash)) {
      fail('COMMIT_BAD_FIELD', `the commit is for another block than ${header.id} at ${header.height}`)
    }
    verifyCommit(commit, set, chainId)
  } catch (err) {
    if (err instanceof LightProofError) throw err
    if (isVerifyError(err) && isCommitCode(err.code)) fail(err.code, err.message)
    // a DecodeError: bytes that are no commit at all
    if (err instanceof Error && 'code' in err) fail('COMMIT_BAD_FIELD', `the commit does not decode: ${err.message}`)
    throw err
  }
}

const COMMIT_CODES = new Set<string>([
  'COMMIT_BAD_FIELD',
  'COMMIT_NO_QUORUM',
  'COMMIT_UNKNOWN_VALIDATOR',
  'COMMIT_DUPLICATE_VALIDATOR',
  'COMMIT_BAD_SIGNATURE',
])
const isCommitCode = (code: string): code is LightProofCode => COMMIT_CODES.has(code)

/** The set an epoch's last header commits to: the record sent, checked against its hash (empty: the set goes on). */
function nextSetOf(last: Header, record: Uint8Array | undefined, current: ValidatorSet): ValidatorSet {
  const committed = last.fields.validatorsHash as Uint8Array
  if (record === undefined) return fail('VALIDATORS_MISMATCH', `no set sent for the epoch after ${last.height}`)
  let chosen: Validator[]
  let next: ValidatorSet
  try {
    chosen = decodeEpochRecord(record)
    next = chosen.length === 0 ? current : ValidatorSet.create(chosen)
  } catch (err) {
    return fail('VALIDATORS_MALFORMED', `the set after ${last.height}: ${(err as Error).message}`)
  }
  if (!equalBytes(next.hash(), committed)) {
    fail(
      'VALIDATORS_MISMATCH',
      `the set sent hashes to ${toHex(next.hash())}, the header commits to ${toHex(committed)}`,
    )
  }
  return next
}
