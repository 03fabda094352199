/**
 * The requesting side of the wire: SyncFns.requestHeaders / requestBlocks over
 * a byte transport (node/ passes Network.request with SYNC_REQUEST_LIMITS).
 * Responses are decoded strictly; bytes that are not exactly what was asked
 * for throw DecodeError, which the synchronizer charges to the peer. Under
 * BFT finality every block must come with its commit (the import checks it);
 * under proof of work a response carries none.
 */
import { Block, Header } from '../ledger/block.js'
import type { BlockDecodeLimits } from '../ledger/codec/codec.js'
import { decodeSyncResponse, encodeSyncRequest } from '../ledger/codec/wire-codec.js'
import { DecodeError } from '../ledger/errors.js'
import type { PeerIdString } from '../net/network.js'
import { SYNC_COMMIT_BYTES_MAX, SYNC_RESPONSE_BYTES_MAX } from './limits.js'
import type { SyncedBlock, SyncFns } from './types.js'

/** Sends one encoded SyncRequest to `peer` and returns the encoded response. */
export type SyncSend = (peer: PeerIdString, request: Uint8Array, signal?: AbortSignal) => Promise<Uint8Array>

export type SyncClient = Pick<SyncFns, 'requestHeaders' | 'requestBlocks'>

export interface SyncClientOptions {
  /** The chain's block limits (genesis `limits`), tighter than the absolute caps. */
  blockLimits?: BlockDecodeLimits
  responseBytesMax?: number
  /** The chain has BFT finality (chain.hasFinality): each block must come with its commit. */
  withCommits?: boolean
}

/** A downloaded block with the commit its server sent beside it. */
class BlockWithCommit extends Block {
  constructor(
    block: Block,
    readonly commit: Uint8Array,
  ) {
    super(block.header, block.txs, block.bytes)
  }
}

export function createSyncClient(send: SyncSend, opts: SyncClientOptions = {}): SyncClient {
  const bytesMax = opts.responseBytesMax ?? SYNC_RESPONSE_BYTES_MAX
  const malformed = (why: string): never => {
    throw new DecodeError('DECODE_MALFORMED', `sync response: ${why}`)
  }
  return {
    async requestHeaders(peer, locator, max, signal) {
      const bytes = await send(peer, encodeSyncRequest({ locator, max, blockHashes: [] }), signal)
      // More headers than asked for fails as DECODE_TOO_MANY before they are parsed.
      const response = decodeSyncResponse(bytes, bytesMax, max)
      if (response.blocks.length > 0) malformed('blocks for a headers request')
      if (response.commits.length > 0) malformed('commits for a headers request')
      return response.headers.map((h) => Header.fromBytes(h))
    },
    async requestBlocks(peer, hashes, signal) {
      const bytes = await send(peer, encodeSyncRequest({ locator: [], max: 0, blockHashes: hashes }), signal)
      const response = decodeSyncResponse(bytes, bytesMax, hashes.length)
      if (response.headers.length > 0) malformed('headers for a blocks request')
      if (!opts.withCommits) {
        if (response.commits.length > 0) malformed('commits on a chain without finality')
        return response.blocks.map((b) => Block.fromBytes(b, opts.blockLimits))
      }
      // Checked before any block is parsed: a missing or oversized commit fails the whole answer.
      if (response.commits.length !== response.blocks.length) {
        malformed(`${response.commits.length} commits for ${response.blocks.length} blocks`)
      }
      for (const commit of response.commits) {
        if (commit.byteLength > SYNC_COMMIT_BYTES_MAX) {
          throw new DecodeError('DECODE_TOO_LARGE', `sync response: a commit of ${commit.byteLength} bytes`)
        }
      }
      return response.blocks.map(
        (b, i): SyncedBlock =>
          new BlockWithCommit(Block.fromBytes(b, opts.blockLimits), response.commits[i] as Uint8Array),
      )
    },
  }
}
