/**
 * Strict, bounded codecs of the light protocol's messages (light.proto), by
 * the rules of every peer-facing decoder (ledger/codec/codec.ts strictDecode):
 * a byte cap before parsing, caps on repeated fields, canonical bytes only,
 * and every fault a DecodeError. A request asks for exactly one thing, with
 * well-formed hashes and within the protocol caps.
 */
import { type Codec, strictDecode } from '../ledger/codec/codec.js'
import * as pb from '../ledger/codec/light.js'
import { DecodeError } from '../ledger/errors.js'
import { ADDRESS_BYTES, HASH_BYTES } from '../ledger/limits.js'
import {
  ACCOUNT_PROOF_RESPONSE_BYTES_MAX,
  HEADERS_RESPONSE_BYTES_MAX,
  LIGHT_HEADERS_MAX,
  LIGHT_PROOF_NODES_MAX,
  LIGHT_REQUEST_BYTES_MAX,
  LIGHT_TX_PATH_MAX,
  TX_PROOF_RESPONSE_BYTES_MAX,
} from './limits.js'

/** One request of the light protocol, as both sides see it. */
export type LightRequest =
  | { kind: 'account'; blockHash: Uint8Array; address: Uint8Array }
  | { kind: 'tx'; txHash: Uint8Array }
  | { kind: 'headers'; fromHeight: number; count: number }

export interface AccountProofResponse {
  /** Encoded header of the block asked for; empty when the server will not prove there. */
  header: Uint8Array
  proof: Uint8Array[]
  /** Encoded account; empty when the proof shows no account. */
  account: Uint8Array
}

export interface TxProofResponse {
  /** Encoded tx; empty (and everything else with it) when the server knows no such main-chain tx. */
  tx: Uint8Array
  blockHash: Uint8Array
  header: Uint8Array
  index: number
  txCount: number
  path: Uint8Array[]
}

export interface HeadersResponse {
  headers: Uint8Array[]
}

interface LightRequestFields {
  account?: { blockHash: Uint8Array; address: Uint8Array }
  tx?: { txHash: Uint8Array }
  headers?: { fromHeight: bigint; count: number }
}

const Request = pb.LightRequest as unknown as Codec<LightRequestFields>
const AccountResponse = pb.AccountProofResponse as unknown as Codec<AccountProofResponse>
const TxResponse = pb.TxProofResponse as unknown as Codec<TxProofResponse>
const HeadersResponseCodec = pb.HeadersResponse as unknown as Codec<HeadersResponse>

const malformed = (what: string, why: string): never => {
  throw new DecodeError('DECODE_MALFORMED', `${what}: ${why}`)
}

export function encodeLightRequest(req: LightRequest): Uint8Array {
  switch (req.kind) {
    case 'account':
      return Request.encode({ account: { blockHash: req.blockHash, address: req.address } })
    case 'tx':
      return Request.encode({ tx: { txHash: req.txHash } })
    case 'headers':
      return Request.encode({ headers: { fromHeight: BigInt(req.fromHeight), count: req.count } })
  }
}

/** Decodes a request and checks it asks for one thing within the caps; throws DecodeError. */
export function decodeLightRequest(bytes: Uint8Array): LightRequest {
  const what = 'light request'
  const fields = strictDecode(Request, what, bytes, LIGHT_REQUEST_BYTES_MAX)
  const asked = [fields.account, fields.tx, fields.headers].filter((f) => f !== undefined).length
  if (asked !== 1) malformed(what, asked === 0 ? 'asks for nothing' : 'asks for more than one thing')
  if (fields.account) {
    const { blockHash, address } = fields.account
    if (blockHash.byteLength !== HASH_BYTES) malformed(what, 'the block hash is not 32 bytes')
    if (address.byteLength !== ADDRESS_BYTES) malformed(what, `the address is not ${ADDRESS_BYTES} bytes`)
    return { kind: 'account', blockHash, address }
  }
  if (fields.tx) {
    if (fields.tx.txHash.byteLength !== HASH_BYTES) malformed(what, 'the tx hash is not 32 bytes')
    return { kind: 'tx', txHash: fields.tx.txHash }
  }
  const { fromHeight, count } = fields.headers as { fromHeight: bigint; count: number }
  if (count === 0) malformed(what, 'asks for zero headers')
  if (count > LIGHT_HEADERS_MAX)
    throw new DecodeError('DECODE_TOO_MANY', `${what}: ${count} headers > ${LIGHT_HEADERS_MAX}`)
  if (fromHeight > BigInt(Number.MAX_SAFE_INTEGER)) malformed(what, `fromHeight ${fromHeight} is past 2^53 - 1`)
  return { kind: 'headers', fromHeight: Number(fromHeight), count }
}

export const encodeAccountProofResponse = (r: AccountProofResponse): Uint8Array => AccountResponse.encode(r)
export const encodeTxProofResponse = (r: TxProofResponse): Uint8Array => TxResponse.encode(r)
export const encodeHeadersResponse = (r: HeadersResponse): Uint8Array => HeadersResponseCodec.encode(r)

export function decodeAccountProofResponse(bytes: Uint8Array): AccountProofResponse {
  const what = 'account proof response'
  const r = strictDecode(AccountResponse, what, bytes, ACCOUNT_PROOF_RESPONSE_BYTES_MAX, undefined, {
    limits: { proof: LIGHT_PROOF_NODES_MAX },
  })
  if (r.header.byteLength === 0 && (r.proof.length > 0 || r.account.byteLength > 0))
    malformed(what, 'a proof without its header')
  return r
}

export function decodeTxProofResponse(bytes: Uint8Array): TxProofResponse {
  const what = 'tx proof response'
  const r = strictDecode(TxResponse, what, bytes, TX_PROOF_RESPONSE_BYTES_MAX, undefined, {
    limits: { path: LIGHT_TX_PATH_MAX },
  })
  if (r.tx.byteLength === 0) {
    if (r.blockHash.byteLength > 0 || r.header.byteLength > 0 || r.txCount > 0 || r.path.length > 0)
      malformed(what, 'a proof without its tx')
    return r
  }
  if (r.blockHash.byteLength !== HASH_BYTES) malformed(what, 'the block hash is not 32 bytes')
  if (r.header.byteLength === 0) malformed(what, 'no header')
  return r
}

/** Decodes a headers response of at most `countMax` headers (the count asked for). */
export function decodeHeadersResponse(bytes: Uint8Array, countMax: number): HeadersResponse {
  return strictDecode(HeadersResponseCodec, 'headers response', bytes, HEADERS_RESPONSE_BYTES_MAX, undefined, {
    limits: { headers: Math.min(countMax, LIGHT_HEADERS_MAX) },
  })
}
