/**
 * The requesting side of the light protocol: each function sends one request
 * over a byte transport (node/ would pass Network.request with
 * LIGHT_REQUEST_LIMITS, as sync's client does) and verifies the answer
 * against what the caller trusts (a header on its own most-work chain). A bad
 * answer charges the peer through the injected `report` and comes back as a
 * typed failure; nothing here throws for a peer's fault.
 *
 * `askTwo` asks several peers (the caller picks them from different network
 * groups) and returns what they agree on, or a disagreement between answers
 * that each verified, which the caller must report: it is never resolved here.
 */
import { encodeEpochRecord } from '../consensus/pos/epoch-record.js'
import { Header } from '../ledger/block.js'
import { sha256 } from '../ledger/crypto.js'
import { DecodeError, isVerifyError } from '../ledger/errors.js'
import type { ConsensusParams } from '../ledger/genesis.js'
import type { Account } from '../ledger/state.js'
import type { Tx } from '../ledger/tx.js'
import { type PeerIdString, RequestError } from '../net/network.js'
import { equalBytes } from '../util/bytes.js'
import {
  decodeAccountProofResponse,
  decodeFlyProofResponse,
  decodeHeadersResponse,
  decodePosProofResponse,
  decodeTxProofResponse,
  encodeLightRequest,
  type LightRequest,
} from './codec.js'
import { FlyProofError, type FlyVerified, powFlyRules, verifyFlyProof } from './flyclient.js'
import { epochEndOf, type PosRules, type PosTrust, verifyPosRun } from './pos-verify.js'
import {
  encodeProvenAccount,
  type HeaderChainOptions,
  LightProofError,
  verifyAccountProof,
  verifyHeaderChain,
  verifyTxProof,
} from './verify.js'

/** Sends one encoded LightRequest to `peer` and returns the encoded response. */
export type LightSend = (peer: PeerIdString, request: Uint8Array, signal?: AbortSignal) => Promise<Uint8Array>

/** What each fault costs the answering peer (a DecodeError carries its own penalty). */
export interface LightPenalties {
  /** A proof or header run that fails verification: a lie, or a broken server. */
  badProof: number
  /** More bytes than the protocol's cap. */
  tooLarge: number
  /** Refused the protocol or broke the stream framing. */
  protocol: number
}

export const DEFAULT_LIGHT_PENALTIES: LightPenalties = { badProof: 100, tooLarge: 100, protocol: 10 }

export interface LightClientDeps {
  send: LightSend
  report(peer: PeerIdString, penalty: number, reason: string): void
  penalties?: Partial<LightPenalties>
}

/**
 * Why an answer is not usable:
 * - `invalid`: the peer answered with something false or malformed (it was charged);
 * - `unavailable`: the peer said it cannot prove this (unknown tx, block outside its window);
 * - `unknown-block`: a valid-looking tx proof in a block not on our chain (not charged: forks happen);
 * - `transport`: timeout, reset (also a server's quota refusal) or a failed dial; charged only for
 *   oversize answers and protocol breaks.
 */
export type LightFailureKind = 'invalid' | 'unavailable' | 'unknown-block' | 'transport'

export interface LightFailure {
  ok: false
  peer: PeerIdString
  kind: LightFailureKind
  /** A LightProofError, DecodeError or RequestError code, or UNAVAILABLE / UNKNOWN_BLOCK. */
  code: string
  message: string
}

export type LightAnswer<T> = { ok: true; peer: PeerIdString; value: T } | LightFailure

export interface ProvenAccount {
  /** The account at the header's state root; undefined when the proof shows there is none. */
  account: Account | undefined
  header: Header
}

export interface ProvenTx {
  tx: Tx
  header: Header
  index: number
}

export interface ProvenHeaders {
  headers: Header[]
  work: bigint
  retargetsBounded: number
}

export interface LightClient {
  /** `address`'s account at `trusted`'s state root. */
  account(
    peer: PeerIdString,
    trusted: Header,
    address: Uint8Array,
    signal?: AbortSignal,
  ): Promise<LightAnswer<ProvenAccount>>
  /** The tx with `txHash` and its inclusion, in a block `trusted` knows (by block id) as on our chain. */
  tx(
    peer: PeerIdString,
    txHash: Uint8Array,
    trusted: (blockId: string) => Header | undefined,
    signal?: AbortSignal,
  ): Promise<LightAnswer<ProvenTx>>
  /** Up to `count` headers from `fromHeight`, linked to `opts.parent` when given, each with its proof of work. */
  headers(
    peer: PeerIdString,
    fromHeight: number,
    count: number,
    params: ConsensusParams,
    opts?: HeaderChainOptions,
    signal?: AbortSignal,
  ): Promise<LightAnswer<ProvenHeaders>>
  /**
   * The peer's FlyClient proof of its chain's work for `samples` points,
   * verified (flyclient.ts: sampled headers' proof of work, their inclusion in
   * the tip's MMR with the work it claims, the genesis ours); `unavailable`
   * when the peer has none (a version 1 chain, or only the genesis).
   */
  flyProof(
    peer: PeerIdString,
    samples: number,
    params: ConsensusParams,
    genesisHash: Uint8Array,
    signal?: AbortSignal,
  ): Promise<LightAnswer<FlyVerified>>
  /**
   * Proof of stake: up to `count` headers after `trust`'s, no further than
   * the end of its set's epoch, with the commit of the last (and the next set
   * at an epoch end), verified by pos-verify.ts; `unavailable` when the peer
   * has nothing past `trust`.
   */
  posRun(
    peer: PeerIdString,
    trust: PosTrust,
    count: number,
    rules: PosRules,
    signal?: AbortSignal,
  ): Promise<LightAnswer<PosVerifiedRun>>
}

/** A PoS run that verified: its headers, the trust at its last, and the record of that trust's set. */
export interface PosVerifiedRun {
  headers: Header[]
  trust: PosTrust
  nextSetRecord: Uint8Array
}

export function createLightClient(deps: LightClientDeps): LightClient {
  const penalties: LightPenalties = { ...DEFAULT_LIGHT_PENALTIES, ...deps.penalties }

  /** Sends the request, runs `check` on the answer, and turns each peer fault into a charged failure. */
  async function exchange<T>(
    peer: PeerIdString,
    req: LightRequest,
    signal: AbortSignal | undefined,
    check: (bytes: Uint8Array) => T | LightFailure,
  ): Promise<LightAnswer<T>> {
    let bytes: Uint8Array
    try {
      bytes = await deps.send(peer, encodeLightRequest(req), signal)
    } catch (err) {
      if (!(err instanceof RequestError)) throw err
      const penalty = err.code === 'TOO_LARGE' ? penalties.tooLarge : err.code === 'PROTOCOL' ? penalties.protocol : 0
      if (penalty > 0) deps.report(peer, penalty, `light ${req.kind}: ${err.message}`)
      return { ok: false, peer, kind: 'transport', code: err.code, message: err.message }
    }
    try {
      const value = check(bytes)
      if (isFailure(value)) return value
      return { ok: true, peer, value }
    } catch (err) {
      let penalty: number
      let code: string
      if (err instanceof LightProofError) {
        penalty = penalties.badProof
        code = err.code
      } else if (err instanceof FlyProofError) {
        penalty = penalties.badProof
        code = 'FLY_BAD_PROOF'
      } else if (err instanceof DecodeError || isVerifyError(err)) {
        penalty = err.penalty
        code = err.code
      } else throw err
      deps.report(peer, penalty, `light ${req.kind}: ${(err as Error).message}`)
      return { ok: false, peer, kind: 'invalid', code, message: (err as Error).message }
    }
  }

  const unavailable = (peer: PeerIdString, message: string): LightFailure => ({
    ok: false,
    peer,
    kind: 'unavailable',
    code: 'UNAVAILABLE',
    message,
  })

  return {
    account(peer, trusted, address, signal) {
      return exchange(peer, { kind: 'account', blockHash: trusted.hash, address }, signal, (bytes) => {
        const r = decodeAccountProofResponse(bytes)
        if (r.header.byteLength === 0) return unavailable(peer, `no proof at ${trusted.id}`)
        if (!equalBytes(r.header, trusted.bytes)) {
          throw new LightProofError('PROOF_WRONG_HEADER', `answered with another header than ${trusted.id}`)
        }
        return { account: verifyAccountProof(trusted, address, r.proof, r.account), header: trusted }
      })
    },

    tx(peer, txHash, trusted, signal) {
      return exchange(peer, { kind: 'tx', txHash }, signal, (bytes) => {
        const r = decodeTxProofResponse(bytes)
        if (r.tx.byteLength === 0) return unavailable(peer, 'tx not found')
        const header = Header.fromBytes(r.header)
        if (!equalBytes(sha256(r.header), r.blockHash)) {
          throw new LightProofError('TX_BAD_BLOCK_HASH', 'the header is not the block it names')
        }
        const tx = verifyTxProof(header, r.tx, r.index, r.txCount, r.path)
        if (!equalBytes(tx.hash, txHash))
          throw new LightProofError('TX_WRONG_TX', `proved ${tx.id}, not the tx asked for`)
        const known = trusted(header.id)
        if (!known || !equalBytes(known.bytes, header.bytes)) {
          return {
            ok: false,
            peer,
            kind: 'unknown-block',
            code: 'UNKNOWN_BLOCK',
            message: `block ${header.id} at ${header.height} is not on our chain`,
          } satisfies LightFailure
        }
        return { tx, header: known, index: r.index }
      })
    },

    headers(peer, fromHeight, count, params, opts = {}, signal) {
      if (opts.parent && opts.parent.height !== fromHeight - 1) {
        throw new RangeError(`the parent is at ${opts.parent.height}, not ${fromHeight - 1}`)
      }
      return exchange(peer, { kind: 'headers', fromHeight, count }, signal, (bytes) => {
        const r = decodeHeadersResponse(bytes, count)
        const headers = r.headers.map((h) => Header.fromBytes(h))
        if (headers.length > 0 && headers[0]?.height !== fromHeight) {
          throw new LightProofError(
            'HEADERS_UNEXPECTED',
            `first header at ${headers[0]?.height}, asked from ${fromHeight}`,
          )
        }
        const { work, retargetsBounded } = verifyHeaderChain(headers, params, opts)
        return { headers, work, retargetsBounded }
      })
    },

    async posRun(peer, trust, count, rules, signal) {
      const fromHeight = trust.header.height + 1
      const wanted = Math.min(count, epochEndOf(fromHeight, rules.epochLength) - trust.header.height)
      const got = await exchange(peer, { kind: 'headers', fromHeight, count: wanted }, signal, (bytes) => {
        const headers = decodeHeadersResponse(bytes, wanted).headers.map((h) => Header.fromBytes(h))
        if (headers.length > 0 && headers[0]?.height !== fromHeight) {
          throw new LightProofError(
            'HEADERS_UNEXPECTED',
            `first header at ${headers[0]?.height}, asked from ${fromHeight}`,
          )
        }
        return headers
      })
      if (!got.ok) return got
      const headers = got.value
      const last = headers.at(-1)
      if (!last) return unavailable(peer, `no header past ${trust.header.height}`)
      return exchange(peer, { kind: 'pos', height: last.height }, signal, (bytes) => {
        const r = decodePosProofResponse(bytes)
        if (r.header.byteLength === 0) return unavailable(peer, `no commit at ${last.height}`)
        if (!equalBytes(r.header, last.bytes)) {
          throw new LightProofError('HEADERS_UNEXPECTED', `the commit's header is not the ${last.id} it served`)
        }
        const nextValidators = r.validators.byteLength > 0 ? r.validators : undefined
        const next = verifyPosRun(trust, { headers, commit: r.commit, nextValidators }, rules)
        return { headers, trust: next, nextSetRecord: encodeEpochRecord(next.nextSet.validators) }
      })
    },

    flyProof(peer, samples, params, genesisHash, signal) {
      return exchange(peer, { kind: 'fly', samples }, signal, (bytes) => {
        const proof = decodeFlyProofResponse(bytes, samples)
        if (!proof) return unavailable(peer, 'no sampling proof')
        return verifyFlyProof(proof, powFlyRules(params), genesisHash, samples)
      })
    },
  }
}

function isFailure(value: unknown): value is LightFailure {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false
}

export type AskTwoResult<T> =
  /** Every usable answer (two at least) is the same. `failures` lists the peers that gave none. */
  | { kind: 'agreed'; value: T; peers: PeerIdString[]; failures: LightFailure[] }
  /** Two or more answers that each verified differ: the caller must report it, never pick one silently. */
  | { kind: 'disagreement'; answers: Array<{ peer: PeerIdString; value: T }>; failures: LightFailure[] }
  /** Fewer than two usable answers. */
  | { kind: 'insufficient'; answers: Array<{ peer: PeerIdString; value: T }>; failures: LightFailure[] }

/**
 * Asks every one of `peers` (two at least, distinct; the caller chose them
 * from different network groups) at once, and compares the answers that
 * verified with `same`.
 */
export async function askTwo<T>(
  peers: readonly PeerIdString[],
  ask: (peer: PeerIdString) => Promise<LightAnswer<T>>,
  same: (a: T, b: T) => boolean,
): Promise<AskTwoResult<T>> {
  if (peers.length < 2) throw new RangeError(`askTwo needs two peers at least, got ${peers.length}`)
  if (new Set(peers).size !== peers.length) throw new RangeError('askTwo needs distinct peers')
  const results = await Promise.all(peers.map((peer) => ask(peer)))
  const answers: Array<{ peer: PeerIdString; value: T }> = []
  const failures: LightFailure[] = []
  for (const r of results) {
    if (r.ok) answers.push({ peer: r.peer, value: r.value })
    else failures.push(r)
  }
  if (answers.length < 2) return { kind: 'insufficient', answers, failures }
  const first = answers[0] as { peer: PeerIdString; value: T }
  if (answers.some((a) => !same(first.value, a.value))) return { kind: 'disagreement', answers, failures }
  return { kind: 'agreed', value: first.value, peers: answers.map((a) => a.peer), failures }
}

/** Two proofs at one header can only agree (the root fixes the account); compared anyway, never assumed. */
export const sameAccount = (a: ProvenAccount, b: ProvenAccount): boolean =>
  equalBytes(a.header.hash, b.header.hash) && equalBytes(encodeProvenAccount(a.account), encodeProvenAccount(b.account))

/** The same tx in the same block at the same place (two forks may both hold it). */
export const sameTx = (a: ProvenTx, b: ProvenTx): boolean =>
  equalBytes(a.header.hash, b.header.hash) && a.index === b.index && equalBytes(a.tx.hash, b.tx.hash)

/** The same run of headers (two tips of equal height but different blocks are a disagreement). */
export const sameHeaders = (a: ProvenHeaders, b: ProvenHeaders): boolean =>
  a.headers.length === b.headers.length && a.headers.every((h, i) => equalBytes(h.hash, (b.headers[i] as Header).hash))
