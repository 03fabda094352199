/**
 * A signed transfer in the account model. A `Tx` holds its fields together with
 * its canonical bytes and hash, computed once: every layer passes `Tx`s, never
 * raw fields, so nothing is encoded or hashed twice.
 */
import { toHex } from '../util/bytes.js'
import { addressFromPublicKey } from './address.js'
import { decodeTx, encodeTx, type TxFields } from './codec/codec.js'
import { type KeyPair, sha256, sign } from './crypto.js'

const SIGNING_DOMAIN = new TextEncoder().encode('peerchain/tx/v1\n')
const EMPTY = new Uint8Array(0)

export type { TxFields }

export class Tx {
  readonly hash: Uint8Array
  /** Hex of the hash: the id used in maps, RPC and logs. */
  readonly id: string
  private senderCache?: Uint8Array
  private signingCache?: Uint8Array

  private constructor(
    readonly fields: Readonly<TxFields>,
    readonly bytes: Uint8Array,
  ) {
    this.hash = sha256(bytes)
    this.id = toHex(this.hash)
  }

  /** Strict decode (see codec.ts): throws DecodeError. */
  static fromBytes(bytes: Uint8Array, bytesMax?: number): Tx {
    return new Tx(decodeTx(bytes, bytesMax), bytes)
  }

  static fromFields(fields: TxFields): Tx {
    return new Tx(fields, encodeTx(fields))
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
