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

  get signingBytes(): Uint8Array {
    this.signingCache ??= signingBytes(this.fields)
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
