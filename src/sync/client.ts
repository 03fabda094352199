/**
 * The requesting side of the wire: SyncFns.requestHeaders / requestBlocks over
 * a byte transport (node/ passes Network.request with SYNC_REQUEST_LIMITS).
 * Responses are decoded strictly; bytes that are not exactly what was asked
 * for throw DecodeError, which the synchronizer charges to the peer.
 */
import { Block, Header } from '../ledger/block.js'
import type { BlockDecodeLimits } from '../ledger/codec/codec.js'
import { decodeSyncResponse, encodeSyncRequest } from '../ledger/codec/wire-codec.js'
import { DecodeError } from '../ledger/errors.js'
import type { PeerIdString } from '../net/network.js'
import { SYNC_RESPONSE_BYTES_MAX } from './limits.js'
import type { SyncFns } from './types.js'

/** Sends one encoded SyncRequest to `peer` and returns the encoded response. */
export type SyncSend = (peer: PeerIdString, request: Uint8Array, signal?: AbortSignal) => Promise<Uint8Array>

export type SyncClient = Pick<SyncFns, 'requestHeaders' | 'requestBlocks'>

export interface SyncClientOptions {
  /** The chain's block limits (genesis `limits`), tighter than the absolute caps. */
  blockLimits?: BlockDecodeLimits
  responseBytesMax?: number
}

export function createSyncClient(send: SyncSend, opts: SyncClientOptions = {}): SyncClient {
  const bytesMax = opts.responseBytesMax ?? SYNC_RESPONSE_BYTES_MAX
  return {
    async requestHeaders(peer, locator, max, signal) {
      const bytes = await send(peer, encodeSyncRequest({ locator, max, blockHashes: [] }), signal)
      // More headers than asked for fails as DECODE_TOO_MANY before they are parsed.
      const response = decodeSyncResponse(bytes, bytesMax, max)
      if (response.blocks.length > 0)
        throw new DecodeError('DECODE_MALFORMED', 'sync response: blocks for a headers request')
      return response.headers.map((h) => Header.fromBytes(h))
    },
    async requestBlocks(peer, hashes, signal) {
      const bytes = await send(peer, encodeSyncRequest({ locator: [], max: 0, blockHashes: hashes }), signal)
      const response = decodeSyncResponse(bytes, bytesMax, hashes.length)
      if (response.headers.length > 0)
        throw new DecodeError('DECODE_MALFORMED', 'sync response: headers for a blocks request')
      return response.blocks.map((b) => Block.fromBytes(b, opts.blockLimits))
    },
  }
}
