/**
 * The serving side of `/peerchain/<chainId>/light/1`, on full nodes: account
 * proofs at a recent main-chain block, tx inclusion proofs, and main-chain
 * headers by range, and on proof-of-stake chains a block's commit with the
 * set it chose at an epoch end. A malformed request throws DecodeError (the net layer
 * resets the stream; `reportPeer` charges the sender, as sync's handler
 * does); a request past the peer's quota throws LightServeRefused (reset too,
 * charged past a grace: quota.ts). What we cannot or will not prove (an
 * unknown block, one off our main chain or older than the state window, an
 * unknown tx) is an empty answer, never an error.
 */
import type { HeaderEntry, HeaderIndex } from '../chain/header-index.js'
import type { Block } from '../ledger/block.js'
import { VerifyError } from '../ledger/errors.js'
import { merkleProof } from '../ledger/merkle.js'
import type { PeerIdString, RequestHandler } from '../net/network.js'
import { toHex } from '../util/bytes.js'
import {
  type AccountProofResponse,
  decodeLightRequest,
  encodeAccountProofResponse,
  encodeHeadersResponse,
  encodePosProofResponse,
  encodeTxProofResponse,
  type LightRequest,
  type PosProofResponse,
  type TxProofResponse,
} from './codec.js'
import { FlyServer } from './fly-serve.js'
import { DEFAULT_LIGHT_SERVE_LIMITS, HEADERS_RESPONSE_BYTES_MAX, type LightServeLimits } from './limits.js'
import type { LightQuota } from './quota.js'
import { encodeProvenAccount, LightProofError, verifyAccountProof } from './verify.js'

/** The part of Chain the handler reads. */
export interface LightSource {
  readonly head: HeaderEntry
  readonly index: Pick<HeaderIndex, 'get' | 'mainAt' | 'onMain'>
  getBlock(id: string): Promise<Block | undefined>
  getTxLocation(txHash: Uint8Array): Promise<{ blockId: string; index: number } | undefined>
  /** Proof of stake: the commit stored with a block. */
  getCommit?(id: string): Promise<Uint8Array | undefined>
  /** Proof of stake: the record of the set the epoch-ending block at `height` chose. */
  getEpochRecord?(height: number): Promise<Uint8Array | undefined>
}

/** Proves an account at any stored state root (chain/trie.ts StateTrie.prove). */
export interface StateProver {
  prove(root: Uint8Array, address: Uint8Array): Promise<Uint8Array[]>
}

export interface LightHandlerOptions {
  /** Charges the sender of a malformed request (the net layer only resets the stream). */
  reportPeer?(peer: PeerIdString, penalty: number, reason: string): void
  /** Per-peer quotas; without it every request is served. */
  quota?: LightQuota
}

const EMPTY = new Uint8Array(0)
const NO_ACCOUNT_PROOF: AccountProofResponse = { header: EMPTY, proof: [], account: EMPTY }
const NO_TX_PROOF: TxProofResponse = { tx: EMPTY, blockHash: EMPTY, header: EMPTY, index: 0, txCount: 0, path: [] }

export function createLightHandler(
  chain: LightSource,
  prover: StateProver,
  limits: Partial<LightServeLimits> = {},
  opts: LightHandlerOptions = {},
): RequestHandler {
  const serve: LightServeLimits = { ...DEFAULT_LIGHT_SERVE_LIMITS, ...limits }
  const fly = new FlyServer(chain)
  return async (request, peer) => {
    let req: LightRequest
    try {
      req = decodeLightRequest(request)
    } catch (err) {
      if (err instanceof VerifyError && err.penalty > 0)
        opts.reportPeer?.(peer, err.penalty, `light request: ${err.message}`)
      throw err
    }
    const release =
      req.kind === 'headers'
        ? opts.quota?.admit(peer, 'headers', Math.min(req.count, serve.headersMax))
        : opts.quota?.admit(peer, 'proof', 1)
    try {
      let bytes: Uint8Array
      if (req.kind === 'account') bytes = encodeAccountProofResponse(await answerAccount(chain, prover, req, serve))
      else if (req.kind === 'tx') bytes = encodeTxProofResponse(await answerTx(chain, req.txHash))
      else if (req.kind === 'fly') bytes = fly.answer(req.samples)
      else if (req.kind === 'pos') bytes = encodePosProofResponse(await answerPos(chain, req.height))
      else bytes = encodeHeadersResponse({ headers: answerHeaders(chain, req.fromHeight, req.count, serve) })
      opts.quota?.served(peer, bytes.byteLength)
      return bytes
    } finally {
      release?.()
    }
  }
}

/** The main-chain entry of `blockHash` if it is within the state window below the head. */
function provableEntry(chain: LightSource, blockHash: Uint8Array, window: number): HeaderEntry | undefined {
  const entry = chain.index.get(toHex(blockHash))
  if (!entry || !chain.index.onMain(entry)) return undefined
  return chain.head.height - entry.height < window ? entry : undefined
}

/** An account's proof at a main-chain block in the state window; empty when not provable (also the RPC's, rpc-proofs.ts). */
export async function answerAccount(
  chain: LightSource,
  prover: StateProver,
  req: { blockHash: Uint8Array; address: Uint8Array },
  serve: LightServeLimits,
): Promise<AccountProofResponse> {
  const entry = provableEntry(chain, req.blockHash, serve.stateWindow)
  if (!entry) return NO_ACCOUNT_PROOF
  const proof = await prover.prove(entry.header.fields.stateRoot, req.address)
  // Our own proof, checked as the client will check it: we never serve one that fails.
  let account: Uint8Array
  try {
    account = encodeProvenAccount(verifyAccountProof(entry.header, req.address, proof))
  } catch (err) {
    if (err instanceof LightProofError) throw new Error(`our own account proof fails: ${err.message}`)
    throw err
  }
  return { header: entry.header.bytes, proof, account }
}

/** A main-chain tx's inclusion proof; empty when there is none (also the RPC's, rpc-proofs.ts). */
export async function answerTx(chain: LightSource, txHash: Uint8Array): Promise<TxProofResponse> {
  const location = await chain.getTxLocation(txHash)
  if (!location) return NO_TX_PROOF
  const entry = chain.index.get(location.blockId)
  // The location index follows the main chain; a block that left it meanwhile is not proven.
  if (!entry || !chain.index.onMain(entry)) return NO_TX_PROOF
  const block = await chain.getBlock(location.blockId)
  const tx = block?.txs[location.index]
  if (!block || !tx || tx.id !== toHex(txHash)) return NO_TX_PROOF
  return {
    tx: tx.bytes,
    blockHash: block.hash,
    header: block.header.bytes,
    index: location.index,
    txCount: block.txs.length,
    path: merkleProof(
      block.txs.map((t) => t.hash),
      location.index,
    ),
  }
}

/** Main-chain headers from `from`, at most min(count, headersMax), stopping before the byte cap. */
function answerHeaders(chain: LightSource, from: number, count: number, serve: LightServeLimits): Uint8Array[] {
  // Synchronous from here: the head cannot move under us.
  const to = Math.min(chain.head.height, from + Math.min(count, serve.headersMax) - 1)
  const out: Uint8Array[] = []
  let bytes = 0
  for (let height = from; height <= to; height++) {
    const entry = chain.index.mainAt(height)
    if (!entry) break
    const size = entry.header.bytes.byteLength + 4
    if (bytes + size > HEADERS_RESPONSE_BYTES_MAX) break
    out.push(entry.header.bytes)
    bytes += size
  }
  return out
}

const NO_POS_PROOF: PosProofResponse = { header: EMPTY, commit: EMPTY, validators: EMPTY }

/** The main-chain header at `height` with its commit, and the set it chose when it ended an epoch. */
export async function answerPos(chain: LightSource, height: number): Promise<PosProofResponse> {
  const entry = chain.index.mainAt(height)
  if (!entry || !chain.getCommit) return NO_POS_PROOF
  const commit = await chain.getCommit(entry.id)
  if (!commit) return NO_POS_PROOF
  const validators = (await chain.getEpochRecord?.(height)) ?? EMPTY
  return { header: entry.header.bytes, commit, validators }
}
