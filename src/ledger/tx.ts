/**
 * A signed transfer in the account model. A `Tx` holds its fields together with
 * its canonical bytes and id (the hex SHA-256 of the bytes), computed once:
 * every layer passes `Tx`s, never raw fields, so nothing is encoded or hashed
 * twice. The hash as bytes is read back from the id when first asked for, and
 * a tx decoded as part of a block reads its fields from its (checked) bytes
 * when first asked for.
 */
import { toHex } from '../util/bytes.js'
import { addressFromPublicKey } from './address.js'
import { decodeCheckedTx, decodeTx, encodeTx, type TxFields } from './codec/codec.js'
import { hashFromHex, type KeyPair, sha256Hex, sign } from './crypto.js'

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

  /** Builds and signs a transaction with `key`. */
  static create(
    unsigned: Omit<TxFields, 'senderPubKey' | 'signature' | 'memo'> & { memo?: Uint8Array },
    key: KeyPair,
  ): Tx {
    const fields: TxFields = {
      ...unsigned,
      memo: unsigned.memo ?? EMPTY,
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

  get signingBytes(): Uint8Array {
    this.signingCache ??= signingBytes(this.fields)
    return this.signingCache
  }

  /** amount + fee: what the sender's balance must cover. */
  get cost(): bigint {
    return this.fields.amount + this.fields.fee
  }
}

/** The bytes a signature covers: a domain tag, then the tx encoded with an empty signature. */
export function signingBytes(fields: TxFields): Uint8Array {
  const body = encodeTx({ ...fields, signature: EMPTY })
  const out = new Uint8Array(SIGNING_DOMAIN.byteLength + body.byteLength)
  out.set(SIGNING_DOMAIN, 0)
  out.set(body, SIGNING_DOMAIN.byteLength)
  return out
}
