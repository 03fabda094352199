/**
 * Block headers and blocks, each holding its canonical bytes and hash.
 * The block hash is SHA-256 of the encoded header; the header commits to the
 * transactions through `txRoot` and to the resulting state through `stateRoot`.
 */
import { bytesToBigint, toHex } from '../util/bytes.js'
import {
  type BlockDecodeLimits,
  decodeBlockParts,
  decodeHeader,
  encodeBlock,
  encodeHeader,
  type HeaderFields,
} from './codec/codec.js'
import { sha256 } from './crypto.js'
import { merkleRoot } from './merkle.js'
import { Tx } from './tx.js'

export type { HeaderFields }

/** The header version of a chain whose genesis sets none. */
export const BLOCK_VERSION = 1
/** The header version that carries `mmrRoot`, the commitment to every ancestor (ledger/mmr.ts). */
export const BLOCK_VERSION_MMR = 2

/**
 * The fields that follow the nonce (field 10) in a header's encoding: none in
 * version 1, `mmrRoot` in 2, and `validatorsHash` under proof of stake.
 */
const AFTER_NONCE: HeaderFields = {
  version: 0,
  height: 0n,
  parentHash: new Uint8Array(0),
  timestamp: 0n,
  txRoot: new Uint8Array(0),
  stateRoot: new Uint8Array(0),
  target: new Uint8Array(0),
  miner: new Uint8Array(0),
  reward: 0n,
  nonce: 0n,
}

/**
 * The encoding of `fields` with nonce 0 split where the nonce goes: the
 * header with nonce n >= 1 encodes as prefix ‖ 0x50 ‖ varint(n) ‖ tail (a
 * proof-of-work miner hashes the fixed parts around each nonce).
 */
export function headerNonceSplit(fields: HeaderFields): { prefix: Uint8Array; tail: Uint8Array } {
  const bytes = encodeHeader({ ...fields, nonce: 0n })
  const tail = encodeHeader({
    ...AFTER_NONCE,
    mmrRoot: fields.mmrRoot ?? new Uint8Array(0),
    validatorsHash: fields.validatorsHash ?? new Uint8Array(0),
  })
  return { prefix: bytes.subarray(0, bytes.byteLength - tail.byteLength), tail }
}

export class Header {
  readonly hash: Uint8Array
  readonly id: string

  private constructor(
    readonly fields: Readonly<HeaderFields>,
    readonly bytes: Uint8Array,
  ) {
    this.hash = sha256(bytes)
    this.id = toHex(this.hash)
  }

  static fromBytes(bytes: Uint8Array): Header {
    return new Header(decodeHeader(bytes), bytes)
  }

  static fromFields(fields: HeaderFields): Header {
    return new Header(fields, encodeHeader(fields))
  }

  /** A header the strict block decoder read: `bytes` are the canonical encoding of `fields`. */
  static fromDecoded(fields: HeaderFields, bytes: Uint8Array): Header {
    return new Header(fields, bytes)
  }

  get height(): number {
    return Number(this.fields.height)
  }

  get parentId(): string {
    return toHex(this.fields.parentHash)
  }

  get target(): bigint {
    return bytesToBigint(this.fields.target)
  }

  get timestampMs(): number {
    return Number(this.fields.timestamp)
  }
}

export class Block {
  private bytesCache?: Uint8Array
  private txRootCache?: Uint8Array

  constructor(
    readonly header: Header,
    readonly txs: readonly Tx[],
    bytes?: Uint8Array,
  ) {
    this.bytesCache = bytes
  }

  /**
   * Strict decode (see codec.ts): throws DecodeError. The strict decode proves
   * every part canonical, so the header and each tx keep their slice of `bytes`
   * as their encoding; each tx's id is hashed once the whole block has passed.
   */
  static fromBytes(bytes: Uint8Array, limits: BlockDecodeLimits = {}): Block {
    const { header, headerBytes, txs } = decodeBlockParts(bytes, limits)
    return new Block(Header.fromDecoded(header, headerBytes), txs.map(Tx.fromDecoded), bytes)
  }

  get hash(): Uint8Array {
    return this.header.hash
  }

  get id(): string {
    return this.header.id
  }

  get height(): number {
    return this.header.height
  }

  /** The Merkle root of this block's txs, computed once (a block is checked ahead of its import and again in it). */
  get computedTxRoot(): Uint8Array {
    this.txRootCache ??= txRootOf(this.txs)
    return this.txRootCache
  }

  get bytes(): Uint8Array {
    this.bytesCache ??= encodeBlock({ header: this.header.fields, txs: this.txs.map((tx) => tx.fields) })
    return this.bytesCache
  }
}

export function txRootOf(txs: readonly Tx[]): Uint8Array {
  return merkleRoot(txs.map((tx) => tx.hash))
}
