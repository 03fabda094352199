/**
 * Caps and defaults of the `/peerchain/<chainId>/light/1` protocol (its id is
 * `lightProtocol` in relay/topics.ts), in one place. Protocol caps are what a
 * peer may ask of us and send us; every answer is bounded by them.
 */
import { commitBytesMax } from '../consensus/bft/limits.js'
import { ACCOUNT_ENCODED_MAX } from '../ledger/codec/codec.js'
import { ABS_LIMITS, HASH_BYTES } from '../ledger/limits.js'
import type { RequestLimits } from '../net/network.js'

/** Most headers one HeadersRequest may ask for (as sync's HEADERS_MAX). */
export const LIGHT_HEADERS_MAX = 2000
/**
 * How far below the head an account proof is served: the last 1,024 main-chain
 * blocks (the head and 1,023 below it). Trie nodes are content-addressed and
 * never pruned today (chain/trie.ts), so older roots still prove; the window
 * is the protocol's promise, kept small so that pruning old state later needs
 * no new protocol version (Ethereum's light servers keep ~128 states).
 */
export const LIGHT_STATE_WINDOW = 1024
/**
 * Headers a fresh light node downloads below the tip a sampling proof
 * proved (fly-sync.ts): enough for its account queries (the tip and a few
 * below) and recent tx proofs; the proofs vouch for the work beneath. 256
 * headers are ~54 KB, beside two proofs of ~50 KB each.
 */
export const LIGHT_FLY_WINDOW = 256
/**
 * Most trie nodes in an account proof. A key is 64 nibbles, so no honest path
 * is longer than 65 nodes, and a real one is ~log16(accounts) + 2 (finding
 * two addresses whose SHA-256 share 60 nibbles is out of reach).
 */
export const LIGHT_PROOF_NODES_MAX = 64
/** A full branch: 16 hash references (33 bytes each), an empty value, a 3-byte list header. */
const BRANCH_BYTES_MAX = 3 + 16 * 33 + 1
/** A leaf: its list header, a hex-prefix path of up to 33 bytes, an account of up to ACCOUNT_ENCODED_MAX bytes. */
const LEAF_BYTES_MAX = 3 + (1 + 33) + (3 + ACCOUNT_ENCODED_MAX)
/** The largest trie node (532 for a branch; a leaf holding the largest account is a little larger). */
export const LIGHT_PROOF_NODE_BYTES_MAX = Math.max(BRANCH_BYTES_MAX, LEAF_BYTES_MAX)
/** Most sibling hashes in a tx's Merkle path: enough for 2^32 txs, far past ABS_LIMITS.blockTxsMax (15 levels). */
export const LIGHT_TX_PATH_MAX = 32

/** Tag and length varint of a `bytes` field of up to 2^21 bytes. */
const FRAMING = 4
/** The largest LightRequest: an AccountProofRequest with its 32-byte hash and 20-byte address, with slack. */
export const LIGHT_REQUEST_BYTES_MAX = 128
export const ACCOUNT_PROOF_RESPONSE_BYTES_MAX =
  FRAMING +
  ABS_LIMITS.headerBytesMax +
  LIGHT_PROOF_NODES_MAX * (FRAMING + LIGHT_PROOF_NODE_BYTES_MAX) +
  FRAMING +
  ACCOUNT_ENCODED_MAX
export const TX_PROOF_RESPONSE_BYTES_MAX =
  FRAMING +
  ABS_LIMITS.txBytesMax +
  2 * (FRAMING + HASH_BYTES) +
  FRAMING +
  ABS_LIMITS.headerBytesMax +
  2 * 6 +
  LIGHT_TX_PATH_MAX * (FRAMING + HASH_BYTES)
export const HEADERS_RESPONSE_BYTES_MAX = LIGHT_HEADERS_MAX * (FRAMING + ABS_LIMITS.headerBytesMax)
/** Most validators in a set a PoS light client takes from a peer (a commit's signatures, an epoch record's entries). */
export const LIGHT_POS_VALIDATORS_MAX = 1_000 // genesis-pos.ts VALIDATORS_MAX_LIMIT (not imported: this module goes to the browser)
/** A PosProofResponse: a header, a commit of the largest set (64 + 76·N bytes), its epoch record (4 + 40·N). */
export const POS_PROOF_RESPONSE_BYTES_MAX =
  FRAMING +
  ABS_LIMITS.headerBytesMax +
  FRAMING +
  commitBytesMax(LIGHT_POS_VALIDATORS_MAX) +
  FRAMING +
  4 +
  40 * LIGHT_POS_VALIDATORS_MAX
/** Most sample points a FlyProofRequest may ask for (the proof holds one header per point, and the genesis). */
export const LIGHT_FLY_SAMPLES_MAX = 128
/** Sample points a light client asks for (flyclient.ts's default). */
export const LIGHT_FLY_SAMPLES = 64
/**
 * Most MMR nodes (siblings and other peaks) in one sample's inclusion proof:
 * a leaf's siblings are at most its peak's height and the peaks at most the
 * bits of the size, so 64 holds any chain shorter than 2^32 blocks.
 */
export const LIGHT_FLY_PROOF_NODES_MAX = 64
/** An MMR node on the wire: hash ‖ work as 32 bytes big-endian. */
export const LIGHT_FLY_NODE_BYTES = 64
const FLY_SAMPLE_BYTES_MAX =
  FRAMING + (FRAMING + ABS_LIMITS.headerBytesMax) + 2 * FRAMING + LIGHT_FLY_PROOF_NODES_MAX * LIGHT_FLY_NODE_BYTES
/** A proof of LIGHT_FLY_SAMPLES_MAX points: ~600 KB at most, ~150 KB for 64 points at 100,000 headers. */
export const FLY_PROOF_RESPONSE_BYTES_MAX =
  FRAMING + ABS_LIMITS.headerBytesMax + FRAMING + 32 + (LIGHT_FLY_SAMPLES_MAX + 1) * FLY_SAMPLE_BYTES_MAX
/** The largest response of any kind: a full headers response (~1 MB). */
export const LIGHT_RESPONSE_BYTES_MAX = Math.max(
  ACCOUNT_PROOF_RESPONSE_BYTES_MAX,
  TX_PROOF_RESPONSE_BYTES_MAX,
  HEADERS_RESPONSE_BYTES_MAX,
  FLY_PROOF_RESPONSE_BYTES_MAX,
  POS_PROOF_RESPONSE_BYTES_MAX,
)
/** One light exchange, stream open to last byte: answers are small, so shorter than sync's. */
export const LIGHT_TIMEOUT_MS = 15_000

/** What a light client passes to Network.request for the light protocol. */
export const LIGHT_REQUEST_LIMITS: RequestLimits = {
  requestBytesMax: LIGHT_REQUEST_BYTES_MAX,
  responseBytesMax: LIGHT_RESPONSE_BYTES_MAX,
  timeoutMs: LIGHT_TIMEOUT_MS,
}

/** What node/ passes to Network.handle for the light protocol. */
export const LIGHT_SERVE_LIMITS: RequestLimits = LIGHT_REQUEST_LIMITS

/** How much the handler serves; lower values shorten answers (headers) or the proof window. */
export interface LightServeLimits {
  headersMax: number
  stateWindow: number
}

export const DEFAULT_LIGHT_SERVE_LIMITS: LightServeLimits = {
  headersMax: LIGHT_HEADERS_MAX,
  stateWindow: LIGHT_STATE_WINDOW,
}
