/**
 * Caps and defaults of the `/peerchain/<chainId>/sync/1` protocol (its id is
 * `syncProtocol` in relay/topics.ts), in one place. Protocol caps are what a
 * peer may ask of us and send us; serving limits only shorten our answers.
 */
import { commitBytesMax } from '../consensus/bft/limits.js'
import { WIRE_COMMIT_VALIDATORS_MAX } from '../ledger/codec/wire-codec.js'
import { ABS_LIMITS } from '../ledger/limits.js'
import type { RequestLimits } from '../net/network.js'

/** Most headers in one response (and the largest `max` honoured). */
export const HEADERS_MAX = 2000
/** Most block hashes in one request, and blocks in one response. */
export const BLOCKS_MAX = 128
/** Most hashes in one locator (Bitcoin's cap: enough for any height with doubling steps). */
export const LOCATOR_MAX = 101
/**
 * A blocks response stops before passing this size, commits included, but
 * always carries at least one block.
 */
export const BLOCKS_RESPONSE_BYTES_SOFT_MAX = 4 * 1024 * 1024
/** The largest commit a sync response may carry beside a block (the exact bound is the engine's). */
export const SYNC_COMMIT_BYTES_MAX = commitBytesMax(WIRE_COMMIT_VALIDATORS_MAX)

/** Items decodeSyncRequest allows in either repeated field. */
export const SYNC_REQUEST_ITEMS_MAX = Math.max(LOCATOR_MAX, BLOCKS_MAX)
/** The byte cap decodeSyncRequest applies for SYNC_REQUEST_ITEMS_MAX (see wire-codec.ts). */
export const SYNC_REQUEST_BYTES_MAX = 64 + SYNC_REQUEST_ITEMS_MAX * 40
/**
 * Largest response: one block of the absolute maximum size (a lone block may
 * pass the soft cap) with, under finality, its commit, plus framing. A full
 * headers response is ~1 MB.
 */
export const SYNC_RESPONSE_BYTES_MAX = ABS_LIMITS.blockBytesMax + SYNC_COMMIT_BYTES_MAX + 1024
/**
 * The transport's own bound on one sync request: as long as the longest stall
 * deadline (SYNC_DEFAULTS.requestTimeoutMaxMs), which is what really governs.
 */
export const SYNC_TIMEOUT_MS = 80_000
/** How long we keep serving one request (stream open to last byte written). */
export const SYNC_SERVE_TIMEOUT_MS = 20_000

/** What node/ passes to Network.request for the sync protocol. */
export const SYNC_REQUEST_LIMITS: RequestLimits = {
  requestBytesMax: SYNC_REQUEST_BYTES_MAX,
  responseBytesMax: SYNC_RESPONSE_BYTES_MAX,
  timeoutMs: SYNC_TIMEOUT_MS,
}

/** What node/ passes to Network.handle for the sync protocol. */
export const SYNC_SERVE_LIMITS: RequestLimits = { ...SYNC_REQUEST_LIMITS, timeoutMs: SYNC_SERVE_TIMEOUT_MS }

/** How much the handler serves; lower values shorten answers (peers just ask again). */
export interface SyncServeLimits {
  headersMax: number
  blocksMax: number
  blocksResponseBytesMax: number
}

export const DEFAULT_SERVE_LIMITS: SyncServeLimits = {
  headersMax: HEADERS_MAX,
  blocksMax: BLOCKS_MAX,
  blocksResponseBytesMax: BLOCKS_RESPONSE_BYTES_SOFT_MAX,
}

/** What each sync fault costs the peer (VerifyErrors carry their own penalty). */
export interface SyncPenalties {
  /** Timed out or stalled: could be congestion, so small. */
  timeout: number
  /** Refused the protocol or broke the stream framing. */
  protocol: number
  /** Sent more than the response cap. */
  tooLarge: number
  /** Headers that do not link to each other or to our locator. */
  unlinkedHeaders: number
  /** More items than asked for. */
  tooMany: number
  /** A block we did not ask for (its hash matches none of the requested ones). */
  unrequestedBlock: number
  /** Claimed more work in its status than its headers show: a lie, not a fault of the network. */
  claimRefuted: number
}

export const DEFAULT_PENALTIES: SyncPenalties = {
  timeout: 5,
  protocol: 10,
  tooLarge: 100,
  unlinkedHeaders: 100,
  tooMany: 100,
  unrequestedBlock: 100,
  claimRefuted: 50,
}
