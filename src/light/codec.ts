/**
 * Strict, bounded codecs of the light protocol's messages (light.proto), by
 * the rules of every peer-facing decoder (ledger/codec/codec.ts strictDecode):
 * a byte cap before parsing, caps on repeated fields, canonical bytes only,
 * and every fault a DecodeError. A request asks for exactly one thing, with
 * well-formed hashes and within the protocol caps.
 */
import { Header } from '../ledger/block.js'
import { type Codec, strictDecode } from '../ledger/codec/codec.js'
import * as pb from '../ledger/codec/light.js'
import { DecodeError } from '../ledger/errors.js'
import { ADDRESS_BYTES, HASH_BYTES } from '../ledger/limits.js'
import type { MmrNode } from '../ledger/mmr.js'
import { bigintToBytes, bytesToBigint, concatBytes } from '../util/bytes.js'
import type { FlyProof } from './flyclient.js'
import {
  ACCOUNT_PROOF_RESPONSE_BYTES_MAX,
  FLY_PROOF_RESPONSE_BYTES_MAX,
  HEADERS_RESPONSE_BYTES_MAX,
  LIGHT_FLY_NODE_BYTES,
  LIGHT_FLY_PROOF_NODES_MAX,
  LIGHT_FLY_SAMPLES_MAX,
  LIGHT_HEADERS_MAX,
  LIGHT_PROOF_NODES_MAX,
  LIGHT_REQUEST_BYTES_MAX,
  LIGHT_TX_PATH_MAX,
  POS_PROOF_RESPONSE_BYTES_MAX,
  TX_PROOF_RESPONSE_BYTES_MAX,
} from './limits.js'

/** One request of the light protocol, as both sides see it. */
export type LightRequest =
  | { kind: 'account'; blockHash: Uint8Array; address: Uint8Array }
  | { kind: 'tx'; txHash: Uint8Array }
  | { kind: 'headers'; fromHeight: number; count: number }
  | { kind: 'fly'; samples: number }
  | { kind: 'pos'; height: number }

/** Proof of stake: a main-chain header, its commit, and at an epoch end the set it chose; all empty when unknown. */
export interface PosProofResponse {
  header: Uint8Array
  commit: Uint8Array
  validators: Uint8Array
}

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
  fly?: { samples: number }
  pos?: { height: bigint }
}

interface FlySampleFields {
  header: Uint8Array
  siblings: Uint8Array
  peaks: Uint8Array
}

/** A FlyProofResponse as on the wire; `tip` empty when the server has no proof. */
export interface FlyProofResponse {
  tip: Uint8Array
  mmrWork: Uint8Array
  samples: FlySampleFields[]
}

const Request = pb.LightRequest as unknown as Codec<LightRequestFields>
const AccountResponse = pb.AccountProofResponse as unknown as Codec<AccountProofResponse>
const TxResponse = pb.TxProofResponse as unknown as Codec<TxProofResponse>
const HeadersResponseCodec = pb.HeadersResponse as unknown as Codec<HeadersResponse>
const FlyResponse = pb.FlyProofResponse as unknown as Codec<FlyProofResponse>
const PosResponse = pb.PosProofResponse as unknown as Codec<PosProofResponse>

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
    case 'fly':
      return Request.encode({ fly: { samples: req.samples } })
    case 'pos':
      return Request.encode({ pos: { height: BigInt(req.height) } })
  }
}

/** Decodes a request and checks it asks for one thing within the caps; throws DecodeError. */
export function decodeLightRequest(bytes: Uint8Array): LightRequest {
  const what = 'light request'
  const fields = strictDecode(Request, what, bytes, LIGHT_REQUEST_BYTES_MAX)
  const asked = [fields.account, fields.tx, fields.headers, fields.fly, fields.pos].filter(
    (f) => f !== undefined,
  ).length
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
  if (fields.fly) {
    const { samples } = fields.fly
    if (samples === 0) malformed(what, 'asks for zero sample points')
    if (samples > LIGHT_FLY_SAMPLES_MAX)
      throw new DecodeError('DECODE_TOO_MANY', `${what}: ${samples} sample points > ${LIGHT_FLY_SAMPLES_MAX}`)
    return { kind: 'fly', samples }
  }
  if (fields.pos) {
    const { height } = fields.pos
    if (height === 0n) malformed(what, 'the genesis has no commit')
    if (height > BigInt(Number.MAX_SAFE_INTEGER)) malformed(what, `height ${height} is past 2^53 - 1`)
    return { kind: 'pos', height: Number(height) }
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
export const encodePosProofResponse = (r: PosProofResponse): Uint8Array => PosResponse.encode(r)

/** Well-formed only (the commit and the set are pos-verify.ts's to check); all fields empty when the server has none. */
export function decodePosProofResponse(bytes: Uint8Array): PosProofResponse {
  const what = 'pos proof response'
  const r = strictDecode(PosResponse, what, bytes, POS_PROOF_RESPONSE_BYTES_MAX)
  if (r.header.byteLength === 0 && (r.commit.byteLength > 0 || r.validators.byteLength > 0))
    malformed(what, 'a commit without its header')
  if (r.header.byteLength > 0 && r.commit.byteLength === 0) malformed(what, 'a header without its commit')
  return r
}

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

const EMPTY = new Uint8Array(0)

const encodeNodes = (nodes: readonly MmrNode[]): Uint8Array =>
  concatBytes(...nodes.map((n) => concatBytes(n.hash, bigintToBytes(n.work, 32))))

function decodeNodes(what: string, bytes: Uint8Array): MmrNode[] {
  if (bytes.byteLength % LIGHT_FLY_NODE_BYTES !== 0) malformed(what, 'MMR nodes are not 64 bytes each')
  const nodes: MmrNode[] = []
  for (let at = 0; at < bytes.byteLength; at += LIGHT_FLY_NODE_BYTES) {
    nodes.push({ hash: bytes.slice(at, at + 32), work: bytesToBigint(bytes.subarray(at + 32, at + 64)) })
  }
  return nodes
}

/** The FlyProofResponse of `proof`; an empty one (no proof) for undefined. */
export function encodeFlyProofResponse(proof: FlyProof | undefined): Uint8Array {
  if (!proof) return FlyResponse.encode({ tip: EMPTY, mmrWork: EMPTY, samples: [] })
  return FlyResponse.encode({
    tip: proof.tip.bytes,
    mmrWork: bigintToBytes(proof.mmrWork, 32),
    samples: proof.samples.map((s) => ({
      header: s.header.bytes,
      siblings: encodeNodes(s.proof.siblings),
      peaks: encodeNodes(s.proof.peaks),
    })),
  })
}

/**
 * Decodes a FlyProofResponse of at most `samplesMax` points (the count asked
 * for; the proof holds one more, the genesis): undefined when the server has
 * no proof. Well-formed only: the proof itself is verifyFlyProof's to check.
 */
export function decodeFlyProofResponse(bytes: Uint8Array, samplesMax: number): FlyProof | undefined {
  const what = 'fly proof response'
  const r = strictDecode(FlyResponse, what, bytes, FLY_PROOF_RESPONSE_BYTES_MAX, undefined, {
    limits: { samples: Math.min(samplesMax, LIGHT_FLY_SAMPLES_MAX) + 1 },
  })
  if (r.tip.byteLength === 0) {
    if (r.mmrWork.byteLength > 0 || r.samples.length > 0) malformed(what, 'a proof without its tip')
    return undefined
  }
  if (r.mmrWork.byteLength !== 32) malformed(what, 'the work is not 32 bytes')
  return {
    tip: Header.fromBytes(r.tip),
    mmrWork: bytesToBigint(r.mmrWork),
    samples: r.samples.map((s) => {
      const siblings = decodeNodes(what, s.siblings)
      const peaks = decodeNodes(what, s.peaks)
      if (siblings.length + peaks.length > LIGHT_FLY_PROOF_NODES_MAX)
        throw new DecodeError(
          'DECODE_TOO_MANY',
          `${what}: more than ${LIGHT_FLY_PROOF_NODES_MAX} MMR nodes in a sample`,
        )
      return { header: Header.fromBytes(s.header), proof: { siblings, peaks } }
    }),
  }
}
