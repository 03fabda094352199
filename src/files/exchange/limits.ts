/**
 * Caps and defaults of the files exchange, `/peerchain/<chainId>/files/1`, in
 * one place. Protocol caps are what a peer may ask of us and send us; the
 * download caps bound what one fetch holds in memory. Each is listed in
 * docs/LIMITS.md.
 */
import type { RequestLimits } from '../../net/network.js'
import type { ServeQuotaLimits } from '../../sync/serve-quota.js'

/** The files exchange's protocol id (one per chain, like sync's). */
export const filesProtocol = (chainId: string): string => `/peerchain/${chainId}/files/1`

/** Largest CID accepted on the wire (a CIDv1 of sha2-256 is 36 bytes). */
export const CID_BYTES_MAX = 64
/** Largest block stored or sent: kubo's and Bitswap's 2 MiB (ours are 256 KiB chunks). */
export const BLOCK_BYTES_MAX = 2 * 1024 * 1024
/** Most CIDs in one HAVE request (and bits in its answer). */
export const HAVE_CIDS_MAX = 1024
/** Most CIDs in one WANT request. */
export const WANT_CIDS_MAX = 32
/** A WANT answer stops before passing this many block bytes, but always carries at least one block. */
export const WANT_RESPONSE_BYTES_SOFT_MAX = 4 * 1024 * 1024

/** Framing of one length-prefixed item: its varint (≤ 5 bytes here). */
const ITEM_FRAMING = 5
/** The largest request: a HAVE of HAVE_CIDS_MAX CIDs of CID_BYTES_MAX bytes (~70 KB). */
export const FILES_REQUEST_BYTES_MAX = 1 + ITEM_FRAMING + HAVE_CIDS_MAX * (ITEM_FRAMING + CID_BYTES_MAX)
/** The largest answer: a WANT answer just under the soft cap plus one largest block, with its framing. */
export const FILES_RESPONSE_BYTES_MAX =
  1 +
  ITEM_FRAMING +
  Math.ceil(WANT_CIDS_MAX / 8) +
  ITEM_FRAMING +
  WANT_CIDS_MAX * 2 * ITEM_FRAMING +
  WANT_RESPONSE_BYTES_SOFT_MAX +
  BLOCK_BYTES_MAX
/** One exchange, stream open to last byte: the transport's bound; the fetcher's stall timer is shorter. */
export const FILES_TIMEOUT_MS = 30_000

/** What a fetcher passes to Network.request and a server to Network.handle. */
export const FILES_REQUEST_LIMITS: RequestLimits = {
  requestBytesMax: FILES_REQUEST_BYTES_MAX,
  responseBytesMax: FILES_RESPONSE_BYTES_MAX,
  timeoutMs: FILES_TIMEOUT_MS,
}
export const FILES_SERVE_LIMITS: RequestLimits = FILES_REQUEST_LIMITS

/** The deepest DAG fetched: levels below the root (a 1,024-wide file tree 4 deep holds 256 TiB). */
export const DAG_DEPTH_MAX = 64
/** Most links in one dag-pb node (files have ≤ 1,024; a flat directory of short names ~5,000). */
export const DAG_LINKS_MAX = 8192

/**
 * Serving quota per peer: sync's ServeQuota (sync/serve-quota.ts), with its
 * `headers` lane for HAVE queries (CIDs asked) and its `blocks` lane for
 * WANTs (blocks and bytes sent). A peer can take up to 256 MiB/s of blocks
 * after a 64 MiB burst; WANTS_IN_FLIGHT_PER_PEER_MAX of its requests may wait.
 */
export const FILES_SERVE_QUOTA: ServeQuotaLimits = {
  headers: { capacity: 64 * HAVE_CIDS_MAX, ratePerSec: 32 * HAVE_CIDS_MAX },
  blocks: { capacity: 2048, ratePerSec: 1024 },
  bytes: { capacity: 64 * 1024 * 1024, ratePerSec: 256 * 1024 * 1024 },
  queueMax: 16,
  waitMaxMs: 5_000,
  grace: { capacity: 32, ratePerSec: 1 },
  overQuotaPenalty: 1,
}

/** How one fetch behaves; every field bounds time or memory. */
export interface FetchLimits {
  /** Providers in one session at once. */
  peersMax: number
  /** Blocks requested and not yet arrived (or arrived and not yet stored), all peers together. */
  inFlightBlocksMax: number
  /** Blocks in flight at one peer: the top of its adaptive depth. */
  peerDepthMax: number
  /** Blocks in flight at a peer whose throughput is not known yet. */
  peerDepthInitial: number
  /** The floor of a peer's depth, however slow it is. */
  peerDepthMin: number
  /**
   * A peer's depth covers this much of its measured throughput: enough
   * queued at it to keep it busy while answers travel (it must exceed the
   * round trip, or the depth measured through would shrink itself), no more
   * (a slow peer holds few blocks, so the tail waits on no one for long).
   */
  depthTargetMs: number
  /** Requests in flight at one peer (below the server's FILES_SERVE_QUOTA.queueMax, so none is refused). */
  peerRequestsMax: number
  /** Blocks asked in one WANT (≤ WANT_CIDS_MAX). */
  wantBatchMax: number
  /** Rarest-first picks at random among this many rarest candidates. */
  rarestChoice: number
  /** Endgame: copies of one block requested at once. */
  endgameCopiesMax: number
  /** Endgame: duplicate requests one peer holds at once. */
  endgamePerPeerMax: number
  /**
   * Endgame: a block is copied only when its request is late: older than
   * twice the time its provider needs, at its measured rate, to deliver all
   * it holds, and at least this old. Equal providers finish with no copies.
   */
  endgameAfterMs: number
  /** Blocks known and not yet fetched: the DAG is expanded only while fewer are pending. */
  pendingWindow: number
  /** A request with no answer after this long is abandoned and its blocks asked elsewhere. */
  stallTimeoutMs: number
  /** Failed requests in a row after which a peer leaves the session. */
  peerFailuresMax: number
  /** Progress is reported at most this often (and once at the end). */
  progressIntervalMs: number
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  peersMax: 32,
  inFlightBlocksMax: 128,
  peerDepthMax: 32,
  peerDepthInitial: 16,
  peerDepthMin: 2,
  depthTargetMs: 500,
  peerRequestsMax: 8,
  wantBatchMax: 16,
  rarestChoice: 4,
  endgameCopiesMax: 2,
  endgamePerPeerMax: 1,
  endgameAfterMs: 200,
  pendingWindow: 4096,
  stallTimeoutMs: 10_000,
  peerFailuresMax: 3,
  progressIntervalMs: 250,
}

/** What each fault costs the provider (Network.reportPeer). */
export const FILES_PENALTIES = {
  /** Bytes that do not hash to the CID asked: a lie, never the network's fault. */
  wrongBlock: 100,
  /** A malformed or inconsistent answer (bad framing, an index not asked, a block over the cap). */
  protocol: 20,
  /** No answer within the stall timeout: could be congestion, so small. */
  timeout: 2,
} as const
