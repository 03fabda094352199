/**
 * Strict, bounded decoding of the protobuf schema in peerchain.proto.
 *
 * Every decoder: (1) refuses input past its byte cap before parsing, (2) caps
 * repeated fields, (3) turns any parse failure into a DecodeError, and (4)
 * refuses every encoding but the one protons writes, so unknown fields,
 * non-minimal varints, explicit defaults and reordered fields are all refused
 * and every object has exactly one encoding. Transactions, headers and blocks
 * (read by the thousand from peers) are checked while they are parsed, by the
 * hand-written decoders of strict-decode.ts; accounts and the wire messages
 * (wire-codec.ts) are parsed by protons, re-encoded and compared (`strictDecode`).
 * Encoding is protons' throughout.
 */
import { equalBytes } from '../../util/bytes.js'
import { DecodeError } from '../errors.js'
import { ABS_LIMITS } from '../limits.js'
import type { AccountStake } from '../stake.js'
import { readAccountBytes } from './account-bytes.js'
import { writeAccount } from './account-encode.js'
import * as pb from './peerchain.js'
import { TruncatedError } from './stake-codec.js'
import { type DecodedBlock, strictDecodeBlock, strictDecodeHeader, strictDecodeTx } from './strict-decode.js'
import './uint64-fix.js'

// Field types as the rest of the code sees them (plain Uint8Array; the generated
// types pin Uint8Array<ArrayBuffer>). Every field is present after decoding.
export interface TxFields {
  chainId: string
  senderPubKey: Uint8Array
  recipient: Uint8Array
  amount: bigint
  fee: bigint
  nonce: bigint
  memo: Uint8Array
  signature: Uint8Array
  /** What the tx does (ledger/tx-kind.ts TX_KIND); 0, a transfer, is left out of the encoding. */
  kind: number
  /** Empty but for evidence: the encoded DuplicateVoteEvidence. */
  payload: Uint8Array
}

export interface HeaderFields {
  version: number
  height: bigint
  parentHash: Uint8Array
  timestamp: bigint
  txRoot: Uint8Array
  stateRoot: Uint8Array
  target: Uint8Array
  miner: Uint8Array
  reward: bigint
  nonce: bigint
  /**
   * Header version 2: the MMR root of every ancestor's hash (ledger/mmr.ts).
   * Empty (or absent when building one) in version 1, and then not encoded at
   * all; a decoded header always has it.
   */
  mmrRoot?: Uint8Array
  /**
   * Proof of stake only: the hash of the validator set that signs the next
   * height (ValidatorSet.hash, consensus/pos/validator-set.ts), so the last
   * block of an epoch commits to the next epoch's set. Empty (or absent when
   * building one) under proof of work, and then not encoded at all.
   */
  validatorsHash?: Uint8Array
}

export interface BlockFields {
  header?: HeaderFields
  txs: TxFields[]
}

export interface AccountFields {
  balance: bigint
  nonce: bigint
  stake?: AccountStake
}

export interface Codec<T> {
  encode(obj: T): Uint8Array
  decode(bytes: Uint8Array, opts?: object): T
}

const Transaction = pb.Transaction as unknown as Codec<TxFields>
const BlockHeader = pb.BlockHeader as unknown as Codec<HeaderFields>
const Block = pb.Block as unknown as Codec<BlockFields>

/** Step (1) of every decoder: bytes, and no more of them than `bytesMax`. */
function checkSize(what: string, bytes: Uint8Array, bytesMax: number): void {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('DECODE_MALFORMED', `${what}: not bytes`)
  if (bytes.byteLength > bytesMax) {
    throw new DecodeError('DECODE_TOO_LARGE', `${what}: ${bytes.byteLength} bytes > ${bytesMax}`)
  }
}

/** Decodes with a protons codec, then refuses bytes that do not re-encode to themselves. */
export function strictDecode<T>(
  codec: Codec<T>,
  what: string,
  bytes: Uint8Array,
  bytesMax: number,
  check?: (obj: T) => void,
  opts?: object,
): T {
  checkSize(what, bytes, bytesMax)
  let obj: T
  try {
    obj = codec.decode(bytes, opts)
  } catch (err) {
    if ((err as Error).name === 'MaxLengthError') {
      throw new DecodeError('DECODE_TOO_MANY', `${what}: ${(err as Error).message}`)
    }
    throw new DecodeError('DECODE_MALFORMED', `${what}: ${(err as Error).message}`)
  }
  check?.(obj)
  let again: Uint8Array
  try {
    again = codec.encode(obj)
  } catch (err) {
    throw new DecodeError('DECODE_MALFORMED', `${what}: ${(err as Error).message}`)
  }
  // compared in place: Buffer.from(again) would copy every decoded block once more
  if (!equalBytes(again, bytes)) {
    throw new DecodeError('DECODE_NON_CANONICAL', `${what}: bytes are not the canonical encoding`)
  }
  return obj
}

export function encodeTx(tx: TxFields): Uint8Array {
  return Transaction.encode(tx)
}

export function decodeTx(bytes: Uint8Array, bytesMax: number = ABS_LIMITS.txBytesMax): TxFields {
  checkSize('transaction', bytes, Math.min(bytesMax, ABS_LIMITS.txBytesMax))
  return strictDecodeTx(bytes)
}

/**
 * The fields of a tx's bytes that a block decode has checked (decodeBlockParts):
 * the same strict read, without the tx size cap (a block's txs are bounded by
 * the block's). Never throws on bytes decodeBlockParts handed out.
 */
export function decodeCheckedTx(bytes: Uint8Array): TxFields {
  return strictDecodeTx(bytes)
}

export function encodeHeader(header: HeaderFields): Uint8Array {
  return BlockHeader.encode(header)
}

export function decodeHeader(bytes: Uint8Array): HeaderFields {
  checkSize('header', bytes, ABS_LIMITS.headerBytesMax)
  return strictDecodeHeader(bytes)
}

export function encodeBlock(block: BlockFields): Uint8Array {
  return Block.encode(block)
}

export interface BlockDecodeLimits {
  blockBytesMax?: number
  blockTxsMax?: number
}

export function decodeBlock(bytes: Uint8Array, limits: BlockDecodeLimits = {}): BlockFields {
  const { header, txs } = decodeBlockParts(bytes, limits)
  return { header, txs: txs.map((tx) => strictDecodeTx(tx)) }
}

/**
 * The strict decode of a block as its header's fields and the canonical bytes
 * of its header and of each tx (views into `bytes`), so Block.fromBytes builds
 * its Header and Tx objects without re-encoding anything (decodeCheckedTx reads
 * a tx's fields).
 */
export function decodeBlockParts(bytes: Uint8Array, limits: BlockDecodeLimits = {}): DecodedBlock {
  const bytesMax = Math.min(limits.blockBytesMax ?? ABS_LIMITS.blockBytesMax, ABS_LIMITS.blockBytesMax)
  const txsMax = Math.min(limits.blockTxsMax ?? ABS_LIMITS.blockTxsMax, ABS_LIMITS.blockTxsMax)
  checkSize('block', bytes, bytesMax)
  return strictDecodeBlock(bytes, txsMax)
}

export function encodeAccount(account: AccountFields): Uint8Array {
  return writeAccount(account.balance, account.nonce, account.stake)
}

/** Most bytes an account encodes to: balance and nonce, and a stake with every unbonding entry full. */
export const ACCOUNT_ENCODED_MAX = 512

/** Strict decode by the hand-written reader (account-bytes.ts), which a property test holds to protons' encoding. */
export function decodeAccount(bytes: Uint8Array): AccountFields {
  checkSize('account', bytes, ACCOUNT_ENCODED_MAX)
  try {
    return readAccountBytes(bytes)
  } catch (err) {
    const code = err instanceof TruncatedError ? 'DECODE_MALFORMED' : 'DECODE_NON_CANONICAL'
    throw new DecodeError(code, `account: ${(err as Error).message}`)
  }
}
