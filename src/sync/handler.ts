/**
 * The serving side of `/peerchain/<chainId>/sync/1`: main-chain headers after
 * a locator, or blocks by hash. A malformed request throws DecodeError (the
 * net layer resets the stream; `reportPeer`, when given, charges the sender);
 * our serving limits only shorten answers. With a ServeQuota each peer is
 * served one request of a kind at a time within its quotas (serve-quota.ts);
 * with an UploadCap historical blocks stop once the period's budget is spent
 * (upload-cap.ts): they are left out of the answer, as blocks we lack are.
 * Under BFT finality each block is served with its commit (SyncResponse.commits,
 * parallel to blocks), and the commits count against the answer's byte cap.
 */
import type { HeaderEntry, HeaderIndex } from '../chain/header-index.js'
import {
  decodeSyncRequest,
  encodeSyncResponse,
  type SyncRequestFields,
  type SyncResponseFields,
} from '../ledger/codec/wire-codec.js'
import { DecodeError, VerifyError } from '../ledger/errors.js'
import { HASH_BYTES } from '../ledger/limits.js'
import type { PeerIdString, RequestHandler } from '../net/network.js'
import { toHex } from '../util/bytes.js'
import {
  BLOCKS_MAX,
  DEFAULT_SERVE_LIMITS,
  LOCATOR_MAX,
  SYNC_REQUEST_ITEMS_MAX,
  type SyncServeLimits,
} from './limits.js'
import type { ServeKind, ServeQuota } from './serve-quota.js'
import type { UploadCap } from './upload-cap.js'

/** The part of Chain the handler reads. */
export interface SyncSource {
  readonly head: HeaderEntry
  readonly index: Pick<HeaderIndex, 'get' | 'mainAt' | 'onMain'>
  /** Blocks are stored, and served, with their commits. */
  readonly hasFinality: boolean
  getBlockBytes(id: string): Promise<Uint8Array | undefined>
  getCommit(id: string): Promise<Uint8Array | undefined>
}

export interface SyncHandlerOptions {
  /** Charges the sender of a malformed request (the net layer only resets the stream). */
  reportPeer?(peer: PeerIdString, penalty: number, reason: string): void
  /** Per-peer turns and quotas; without it every request is served at once. */
  quota?: ServeQuota
  uploadCap?: UploadCap
}

export function createSyncHandler(
  chain: SyncSource,
  limits: Partial<SyncServeLimits> = {},
  opts: SyncHandlerOptions = {},
): RequestHandler {
  const serve: SyncServeLimits = { ...DEFAULT_SERVE_LIMITS, ...limits }
  return async (request, peer) => {
    let req: SyncRequestFields
    try {
      req = decodeSyncRequest(request, SYNC_REQUEST_ITEMS_MAX)
      checkRequest(req)
    } catch (err) {
      if (err instanceof VerifyError && err.penalty > 0)
        opts.reportPeer?.(peer, err.penalty, `sync request: ${err.message}`)
      throw err
    }
    const kind: ServeKind = req.blockHashes.length > 0 ? 'blocks' : 'headers'
    const release = await opts.quota?.admit(peer, kind)
    try {
      const response: SyncResponseFields =
        kind === 'blocks'
          ? { headers: [], ...(await answerBlocks(chain, req.blockHashes, serve, opts.uploadCap)) }
          : { headers: answerHeaders(chain, req.locator, req.max, serve), blocks: [] }
      const bytes = encodeSyncResponse(response)
      const items = kind === 'blocks' ? response.blocks.length : response.headers.length
      opts.quota?.served(peer, kind, items, bytes.byteLength)
      if (kind === 'headers') opts.uploadCap?.record(bytes.byteLength)
      return bytes
    } finally {
      release?.()
    }
  }
}

/** A request asks for exactly one thing, with well-formed hashes, within the protocol caps. */
function checkRequest(req: SyncRequestFields): void {
  const malformed = (why: string): never => {
    throw new DecodeError('DECODE_MALFORMED', `sync request: ${why}`)
  }
  if (req.blockHashes.length > 0) {
    if (req.locator.length > 0 || req.max !== 0) malformed('asks for blocks and headers at once')
    if (req.blockHashes.length > BLOCKS_MAX) {
      throw new DecodeError('DECODE_TOO_MANY', `sync request: ${req.blockHashes.length} hashes > ${BLOCKS_MAX}`)
    }
    if (req.blockHashes.some((h) => h.byteLength !== HASH_BYTES)) malformed('a block hash is not 32 bytes')
    return
  }
  if (req.locator.length === 0) malformed('asks for nothing (no locator, no block hashes)')
  if (req.locator.length > LOCATOR_MAX) {
    throw new DecodeError('DECODE_TOO_MANY', `sync request: locator of ${req.locator.length} > ${LOCATOR_MAX}`)
  }
  if (req.max === 0) malformed('asks for zero headers')
  if (req.locator.some((h) => h.byteLength !== HASH_BYTES)) malformed('a locator hash is not 32 bytes')
}

/** Encoded main-chain headers after the first locator hash on our main chain (after genesis if none is). */
function answerHeaders(chain: SyncSource, locator: Uint8Array[], max: number, serve: SyncServeLimits): Uint8Array[] {
  let fork = 0
  for (const hash of locator) {
    const entry = chain.index.get(toHex(hash))
    if (entry && chain.index.onMain(entry)) {
      fork = entry.height
      break
    }
  }
  // Synchronous from here: the head cannot move under us.
  const count = Math.max(0, Math.min(max, serve.headersMax, chain.head.height - fork))
  const out: Uint8Array[] = []
  for (let height = fork + 1; height <= fork + count; height++) {
    const entry = chain.index.mainAt(height)
    if (!entry) break
    out.push(entry.header.bytes)
  }
  return out
}

/**
 * Encoded blocks we hold and have validated, in request order, under finality
 * each with its commit; unknown hashes skipped, and historical ones once the
 * upload cap is reached; cut at the byte cap (commits included).
 */
async function answerBlocks(
  chain: SyncSource,
  hashes: Uint8Array[],
  serve: SyncServeLimits,
  uploadCap: UploadCap | undefined,
): Promise<{ blocks: Uint8Array[]; commits: Uint8Array[] }> {
  const blocks: Uint8Array[] = []
  const commits: Uint8Array[] = []
  let bytes = 0
  for (const hash of hashes.slice(0, serve.blocksMax)) {
    const entry = chain.index.get(toHex(hash))
    // Only blocks that connected: a stored side block may still be invalid, and serving it would get us charged.
    if (entry?.status !== 'valid') continue
    const block = await chain.getBlockBytes(entry.id)
    if (!block) continue
    const commit = chain.hasFinality ? await chain.getCommit(entry.id) : undefined
    // Under finality a block without its commit would be refused: served as one we lack.
    if (chain.hasFinality && !commit) continue
    const size = framedSize(block.byteLength) + (commit ? framedSize(commit.byteLength) : 0)
    if (blocks.length > 0 && bytes + size > serve.blocksResponseBytesMax) break
    if (uploadCap && !uploadCap.takeBlock(entry.height, chain.head.height, size)) continue
    blocks.push(block)
    if (commit) commits.push(commit)
    bytes += size
  }
  return { blocks, commits }
}

/** Bytes a repeated `bytes` field of `length` takes: tag, varint length, payload. */
function framedSize(length: number): number {
  let varint = 1
  for (let n = length; n >= 0x80; n >>>= 7) varint++
  return 1 + varint + length
}
