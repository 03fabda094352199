/** What the synchronizer needs from the node: a small table of functions, so tests pass fakes. */
import type { Block, Header } from '../ledger/block.js'
import type { PeerIdString } from '../net/network.js'

export interface PeerHead {
  height: number
  totalWork: bigint
}

export interface LocalHead extends PeerHead {
  id: string
}

/**
 * A downloaded block. Under BFT finality it carries the commit its server sent
 * beside it, which its import checks; under proof of work it is a plain Block.
 * The commit rides on the block itself so that wrappers of SyncFns passing
 * blocks through (metrics, trace) carry it along unawares.
 */
export type SyncedBlock = Block & { readonly commit?: Uint8Array }

export interface SyncFns {
  /** Connected peers that serve sync. */
  peers(): PeerIdString[]
  /**
   * The head a peer announced in its status handshake (may be stale), or only
   * its proven head once its claim was refuted.
   */
  peerHead(peer: PeerIdString): PeerHead | undefined
  /** The peer's headers fell short of the work it claimed: stop believing the claim. */
  refuteClaim?(peer: PeerIdString): void
  /**
   * Headers after the first locator hash the peer has on its main chain, at
   * most `max`. Throws RequestError on timeout/stall, DecodeError on bad bytes.
   * `signal` fires when the synchronizer gives up on the request.
   */
  requestHeaders(peer: PeerIdString, locator: Uint8Array[], max: number, signal?: AbortSignal): Promise<Header[]>
  /**
   * Blocks by hash (a subset, in request order: unknown ones are skipped, big
   * answers cut short), under finality each with its commit.
   */
  requestBlocks(peer: PeerIdString, hashes: Uint8Array[], signal?: AbortSignal): Promise<SyncedBlock[]>
  /**
   * chain.importBlock with the block's commit: throws VerifyError for a bad
   * block or commit (BLOCK_KNOWN is fine).
   */
  importBlock(block: SyncedBlock): Promise<unknown>
  reportPeer(peer: PeerIdString, penalty: number, reason: string): void
  localHead(): LocalHead
  /** Our locator (buildLocator(chain)). */
  locator(): Uint8Array[]
}

interface Running {
  /** The height we are heading for: the best announced head, or the last header we hold. */
  targetHeight: number
  /** Our head's height. */
  doneHeight: number
  /** Peers we may download from in this run. */
  peerCount: number
  /** When this state began (Clock ms). */
  sinceMs: number
}

export type SyncProgress =
  | { state: 'idle' }
  | ({ state: 'headers'; peer: PeerIdString } & Running)
  | ({ state: 'blocks'; peer: PeerIdString; downloadedHeight: number } & Running)
