/**
 * The strict, bounded codec of the compact-block protocol's messages
 * (cmpct.proto → cmpct.ts by protons). Every message is size-checked before
 * it is parsed, repeated fields are capped by the chain's block limits, and
 * the bytes must be exactly what protons writes for the decoded object (the
 * same rule as every wire message), so each message has one encoding. A
 * message that breaks any of this is a DecodeError, charged to its sender.
 */
import { type Codec, strictDecode } from '../../ledger/codec/codec.js'
import { DecodeError } from '../../ledger/errors.js'
import { ABS_LIMITS, HASH_BYTES } from '../../ledger/limits.js'
import * as pb from './cmpct.js'
import { SHORT_ID_BYTES } from './short-ids.js'

/** The chain limits the codec bounds messages by (genesis `limits`). */
export interface CompactLimits {
  blockTxsMax: number
  blockBytesMax: number
  txBytesMax: number
}

export interface PrefilledTx {
  /** The tx's index in the block. */
  index: number
  /** Its encoding (decoded strictly by the receiver). */
  tx: Uint8Array
}

/** A block as its header, the short ids of the txs the receiver should hold, and the txs it may lack. */
export interface CompactBlockMessage {
  header: Uint8Array
  nonce: bigint
  /** 6 bytes per tx not prefilled, in block order. */
  shortIds: Uint8Array
  /** Strictly increasing indexes. */
  prefilled: PrefilledTx[]
}

export interface GetBlockTxsMessage {
  blockHash: Uint8Array
  /** Strictly increasing indexes into the block. */
  indexes: number[]
}

export interface BlockTxsMessage {
  blockHash: Uint8Array
  txs: Uint8Array[]
}

/** One request of the protocol: exactly one kind. */
export type CompactRequest =
  | { kind: 'block'; block: CompactBlockMessage }
  /** Low-bandwidth: a block hash (BIP152's inv); the receiver asks for the compact block if it lacks it. */
  | { kind: 'announce'; blockHash: Uint8Array }
  | { kind: 'getBlock'; blockHash: Uint8Array }
  | { kind: 'getBlockTxs'; get: GetBlockTxsMessage }
  /** BIP152's sendcmpct: push new blocks to the sender (high-bandwidth), or announce them. */
  | { kind: 'mode'; highBandwidth: boolean }

/** Tag and length of one field, at most (a length below 2^35). */
const FIELD_FRAMING_BYTES_MAX = 6
/** The nonce field, at most: tag and a 10-byte varint. */
const NONCE_FIELD_BYTES_MAX = 11
/** A varint index field (tag + 5 bytes) and its framing, at most. */
const INDEX_FIELD_BYTES_MAX = 6

/** The largest CmpctBlock: a header, a nonce, every tx as a short id, and prefilled txs as large as a block. */
export function compactBlockBytesMax(limits: CompactLimits): number {
  return (
    ABS_LIMITS.headerBytesMax +
    NONCE_FIELD_BYTES_MAX +
    limits.blockTxsMax * (SHORT_ID_BYTES + 2 * FIELD_FRAMING_BYTES_MAX + INDEX_FIELD_BYTES_MAX) +
    limits.blockBytesMax +
    4 * FIELD_FRAMING_BYTES_MAX
  )
}

/** The largest CmpctRequest (a pushed compact block is the largest kind). */
export function compactRequestBytesMax(limits: CompactLimits): number {
  return compactBlockBytesMax(limits) + FIELD_FRAMING_BYTES_MAX
}

/** The largest CmpctBlockTxs: every tx of a block, each framed. */
export function blockTxsBytesMax(limits: CompactLimits): number {
  return limits.blockBytesMax + limits.blockTxsMax * FIELD_FRAMING_BYTES_MAX + HASH_BYTES + FIELD_FRAMING_BYTES_MAX
}

const Request = pb.CmpctRequest as unknown as Codec<pb.CmpctRequest>
const Block = pb.CmpctBlock as unknown as Codec<pb.CmpctBlock>
const BlockTxs = pb.CmpctBlockTxs as unknown as Codec<pb.CmpctBlockTxs>

function malformed(what: string, why: string): never {
  throw new DecodeError('DECODE_MALFORMED', `${what}: ${why}`)
}

function checkHash(what: string, hash: Uint8Array): void {
  if (hash.byteLength !== HASH_BYTES) malformed(what, `a block hash of ${hash.byteLength} bytes`)
}

function checkIncreasing(what: string, indexes: readonly number[], end: number): void {
  let last = -1
  for (const index of indexes) {
    if (index <= last) malformed(what, 'indexes not strictly increasing')
    if (index >= end) malformed(what, `index ${index} past the block's ${end} txs`)
    last = index
  }
}

/** The shape rules of a compact block beyond protobuf: header and tx sizes, short-id framing, indexes. */
function checkCompactBlock(block: pb.CmpctBlock, limits: CompactLimits): CompactBlockMessage {
  const what = 'compact block'
  if (block.header.byteLength === 0 || block.header.byteLength > ABS_LIMITS.headerBytesMax) {
    malformed(what, `a header of ${block.header.byteLength} bytes`)
  }
  if (block.shortIds.byteLength % SHORT_ID_BYTES !== 0) malformed(what, 'short ids not a multiple of 6 bytes')
  const total = block.shortIds.byteLength / SHORT_ID_BYTES + block.prefilled.length
  if (total > limits.blockTxsMax) {
    throw new DecodeError('DECODE_TOO_MANY', `${what}: ${total} txs, more than ${limits.blockTxsMax}`)
  }
  checkIncreasing(
    what,
    block.prefilled.map((p) => p.index),
    total,
  )
  for (const p of block.prefilled) {
    if (p.tx.byteLength > limits.txBytesMax) {
      throw new DecodeError('DECODE_TOO_LARGE', `${what}: a prefilled tx of ${p.tx.byteLength} bytes`)
    }
  }
  return { header: block.header, nonce: block.nonce, shortIds: block.shortIds, prefilled: block.prefilled }
}

export function encodeCompactRequest(request: CompactRequest): Uint8Array {
  switch (request.kind) {
    case 'block':
      return Request.encode({ block: toPb(request.block) })
    case 'announce':
      return Request.encode({ announce: request.blockHash as Uint8Array<ArrayBuffer> })
    case 'getBlock':
      return Request.encode({ getBlock: request.blockHash as Uint8Array<ArrayBuffer> })
    case 'getBlockTxs':
      return Request.encode({
        getBlockTxs: { blockHash: request.get.blockHash as Uint8Array<ArrayBuffer>, indexes: request.get.indexes },
      })
    case 'mode':
      return Request.encode({ highBandwidth: request.highBandwidth })
  }
}

export function decodeCompactRequest(bytes: Uint8Array, limits: CompactLimits): CompactRequest {
  const what = 'compact request'
  const txsMax = limits.blockTxsMax
  const request = strictDecode(Request, what, bytes, compactRequestBytesMax(limits), undefined, {
    limits: { block: { prefilled: txsMax }, getBlockTxs: { indexes: txsMax } },
  })
  const set = [request.block, request.announce, request.getBlock, request.getBlockTxs, request.highBandwidth].filter(
    (f) => f !== undefined,
  )
  if (set.length !== 1) malformed(what, `${set.length} kinds in one request`)
  if (request.highBandwidth !== undefined) return { kind: 'mode', highBandwidth: request.highBandwidth }
  if (request.block) return { kind: 'block', block: checkCompactBlock(request.block, limits) }
  if (request.announce) {
    checkHash(what, request.announce)
    return { kind: 'announce', blockHash: request.announce }
  }
  if (request.getBlock) {
    checkHash(what, request.getBlock)
    return { kind: 'getBlock', blockHash: request.getBlock }
  }
  const get = request.getBlockTxs as pb.CmpctGetBlockTxs
  checkHash(what, get.blockHash)
  if (get.indexes.length === 0) malformed(what, 'no tx asked for')
  checkIncreasing(what, get.indexes, txsMax)
  return { kind: 'getBlockTxs', get: { blockHash: get.blockHash, indexes: get.indexes } }
}

function toPb(block: CompactBlockMessage): pb.CmpctBlock {
  return {
    header: block.header as Uint8Array<ArrayBuffer>,
    nonce: block.nonce,
    shortIds: block.shortIds as Uint8Array<ArrayBuffer>,
    prefilled: block.prefilled.map((p) => ({ index: p.index, tx: p.tx as Uint8Array<ArrayBuffer> })),
  }
}

/** The answer to getBlock: a CmpctBlock (empty bytes when the server lacks the block). */
export const encodeCompactBlock = (block: CompactBlockMessage): Uint8Array => Block.encode(toPb(block))

export function decodeCompactBlock(bytes: Uint8Array, limits: CompactLimits): CompactBlockMessage {
  const block = strictDecode(Block, 'compact block', bytes, compactBlockBytesMax(limits), undefined, {
    limits: { prefilled: limits.blockTxsMax },
  })
  return checkCompactBlock(block, limits)
}

export const encodeBlockTxs = (txs: BlockTxsMessage): Uint8Array =>
  BlockTxs.encode({ blockHash: txs.blockHash as Uint8Array<ArrayBuffer>, txs: txs.txs as Uint8Array<ArrayBuffer>[] })

/** The answer to getBlockTxs: exactly `expected` txs for `blockHash`, each within the tx size cap. */
export function decodeBlockTxs(
  bytes: Uint8Array,
  limits: CompactLimits,
  blockHash: Uint8Array,
  expected: number,
): BlockTxsMessage {
  const what = 'block txs'
  const answer = strictDecode(BlockTxs, what, bytes, blockTxsBytesMax(limits), undefined, {
    limits: { txs: expected },
  })
  checkHash(what, answer.blockHash)
  if (!answer.blockHash.every((b, i) => b === blockHash[i])) malformed(what, 'txs of another block')
  if (answer.txs.length !== expected) malformed(what, `${answer.txs.length} txs for ${expected} asked`)
  for (const tx of answer.txs) {
    if (tx.byteLength > limits.txBytesMax)
      throw new DecodeError('DECODE_TOO_LARGE', `${what}: a tx of ${tx.byteLength} bytes`)
  }
  return { blockHash: answer.blockHash, txs: answer.txs }
}
