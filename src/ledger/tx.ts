/**
 * A signed transaction in the account model: a transfer, or on a
 * proof-of-stake chain a stake, unstake or evidence tx (its `kind`,
 * tx-kind.ts). A `Tx` holds its fields together with its canonical bytes
 * and id (the hex SHA-256 of the bytes), computed once: every layer passes
 * `Tx`s, never raw fields, so nothing is encoded or hashed twice. The hash
 * as bytes is read back from the id when first asked for, and a tx decoded
 * as part of a block reads its fields from its (checked) bytes when first
 * asked for.
 */
import { toHex } from '../util/bytes.js'
import { addressFromPublicKey } from './address.js'
import { decodeCheckedTx, decodeTx, encodeTx, type TxFields } from './codec/codec.js'
import { hashFromHex, type KeyPair, sha256Hex, sign } from './crypto.js'
import { TX_KIND } from './tx-kind.js'

const SIGNING_DOMAIN = new TextEncoder().encode('peerchain/tx/v1\n')
const EMPTY = new Uint8Array(0)

export type { TxFields }

export class Tx {
  /** Hex of the hash: the id used in maps, RPC and logs. */
  readonly id: string
  private hashCache?: Uint8Array
  private senderCache?: Uint8Array
  private signingCache?: Uint8Array

  private constructor(
    readonly bytes: Uint8Array,
    private fieldsCache: Readonly<TxFields> | undefined,
  ) {
    this.id = sha256Hex(bytes)
  }

  /** Strict decode (see codec.ts): throws DecodeError. */
  static fromBytes(bytes: Uint8Array, bytesMax?: number): Tx {
    return new Tx(bytes, decodeTx(bytes, bytesMax))
  }

  /**
   * A tx the strict block decoder has checked (codec.ts decodeBlockParts):
   * `bytes` are a canonical encoding, a view into the block's bytes.
   */
  static fromDecoded(this: void, bytes: Uint8Array): Tx {
    return new Tx(bytes, undefined)
  }

  static fromFields(fields: TxFields): Tx {
    return new Tx(encodeTx(fields), fields)
  }

  get fields(): Readonly<TxFields> {
    this.fieldsCache ??= decodeCheckedTx(this.bytes)
    return this.fieldsCache
  }

  /** Builds and signs a transaction with `key`: a transfer unless `kind` says otherwise (payload: evidence only). */
  static create(
    unsigned: Omit<TxFields, 'senderPubKey' | 'signature' | 'memo' | 'kind' | 'payload'> & {
      memo?: Uint8Array
      kind?: number
      payload?: Uint8Array
    },
    key: KeyPair,
  ): Tx {
    const fields: TxFields = {
      ...unsigned,
      memo: unsigned.memo ?? EMPTY,
      kind: unsigned.kind ?? TX_KIND.transfer,
      payload: unsigned.payload ?? EMPTY,
      senderPubKey: key.publicKey,
      signature: EMPTY,
    }
    return Tx.fromFields({ ...fields, signature: sign(key.secretKey, signingBytes(fields)) })
  }

  /** SHA-256 of the canonical bytes. */
  get hash(): Uint8Array {
    this.hashCache ??= hashFromHex(this.id)
    return this.hashCache
  }

  get sender(): Uint8Array {
    this.senderCache ??= addressFromPublicKey(this.fields.senderPubKey)
    return this.senderCache
  }

  get senderHex(): string {
    return toHex(this.sender)
  }

  /** What the signature covers (`signingBytes`), cut from the canonical bytes when the signature is a view into them. */
  get signingBytes(): Uint8Array {
    this.signingCache ??= signingBytesFromCanonical(this.bytes, this.fields.signature) ?? signingBytes(this.fields)
    return this.signingCache
  }

  /** TX_KIND (tx-kind.ts): any uint32 as decoded; the stateless rules refuse an undefined one. */
  get kind(): number {
    return this.fields.kind
  }

  get isTransfer(): boolean {
    return this.fields.kind === TX_KIND.transfer
  }

  /**
   * What the sender's balance must cover: amount + fee for a transfer and a
   * stake (the amount leaves the balance), the fee alone for an unstake (its
   * amount comes out of bonded stake) and evidence (amount 0).
   */
  get cost(): bigint {
    const { kind, amount, fee } = this.fields
    return kind === TX_KIND.unstake || kind === TX_KIND.evidence ? fee : amount + fee
  }
}

/** The bytes a signature covers: a domain tag, then the tx encoded with an empty signature (kind and payload included). */
export function signingBytes(fields: TxFields): Uint8Array {
  const body = encodeTx({ ...fields, signature: EMPTY })
  const out = new Uint8Array(SIGNING_DOMAIN.byteLength + body.byteLength)
  out.set(SIGNING_DOMAIN, 0)
  out.set(body, SIGNING_DOMAIN.byteLength)
  return out
}

/** Field 8 (signature), length-delimited: its one-byte canonical tag. */
const SIGNATURE_TAG = 0x42

/**
 * `signingBytes` without encoding anything: `bytes` are the tx's canonical
 * encoding (every Tx's are: its own encoder's, or bytes the strict decoder
 * accepted only if protons writes them so), and the encoding with an empty
 * signature is that encoding with the signature field left out, as proto3
 * leaves out empty bytes. Undefined unless `signature` is a non-empty view
 * into `bytes` behind its canonical tag and length: the caller encodes then.
 */
export function signingBytesFromCanonical(bytes: Uint8Array, signature: Uint8Array): Uint8Array | undefined {
  const length = signature.byteLength
  if (length === 0 || signature.buffer !== bytes.buffer) return undefined
  const end = signature.byteOffset - bytes.byteOffset + length
  if (end > bytes.byteLength) return undefined
  const lengthBytes = varintLength(length)
  const start = end - length - lengthBytes - 1
  if (start < 0 || bytes[start] !== SIGNATURE_TAG || readVarint(bytes, start + 1, lengthBytes) !== length)
    return undefined
  const domain = SIGNING_DOMAIN.byteLength
  const out = new Uint8Array(domain + bytes.byteLength - (end - start))
  out.set(SIGNING_DOMAIN, 0)
  out.set(bytes.subarray(0, start), domain)
  out.set(bytes.subarray(end), domain + start)
  return out
}

function varintLength(n: number): number {
  let bytes = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    bytes++
  }
  return bytes
}

/** The varint of exactly `count` bytes at `at`, or -1 when it is not minimal there. */
function readVarint(bytes: Uint8Array, at: number, count: number): number {
  let value = 0
  for (let i = 0; i < count; i++) {
    const b = bytes[at + i] as number
    const continues = (b & 0x80) !== 0
    if (continues === (i === count - 1)) return -1
    value += (b & 0x7f) * 2 ** (7 * i)
  }
  return value
}
