/**
 * The tables of functions the compact relay runs on (the network, the chain,
 * the txs we hold, the fallbacks), so its tests pass fakes, and the observer
 * its metrics hear. node/compact-wiring.ts builds them over the real parts.
 */
import type { Block, Header } from '../../ledger/block.js'
import type { Tx } from '../../ledger/tx.js'
import type { PeerIdString, RequestLimits } from '../../net/network.js'
import type { Clock } from '../../util/clock.js'
import type { Rng } from '../../util/rng.js'
import type { Timers } from '../../util/timers.js'
import type { CompactLimits } from './compact-codec.js'

export interface CompactNet {
  /** Connected peers. */
  peers(): PeerIdString[]
  /** The peer serves the compact-block protocol (learnt by identify); false while unknown. */
  speaks(peer: PeerIdString): Promise<boolean>
  /** One request on the compact-block protocol; throws RequestError. */
  send(peer: PeerIdString, request: Uint8Array, limits: RequestLimits, signal?: AbortSignal): Promise<Uint8Array>
  /**
   * One message that gets no answer (a pushed block, an announcement, a mode
   * change) on our long-lived message stream to `peer` (send.ts); absent
   * where the network has none. Throws RequestError.
   */
  push?(peer: PeerIdString, message: Uint8Array): Promise<void>
  reportPeer(peer: PeerIdString, penalty: number, reason: string): void
  /** The peer brought us a new valid block first (protects it from inbound eviction). */
  notePeerActivity(peer: PeerIdString, kind: 'block'): void
}

export interface CompactChain {
  limits: CompactLimits
  /** The block is stored (valid or invalid) or queued for import: nothing to fetch. */
  knows(blockId: string): boolean
  /** The header's parent is stored. */
  hasParent(header: Header): boolean
  /** The header's seal (proof of work); throws VerifyError. */
  checkSeal(header: Header): void
  getBlock(blockId: string): Promise<Block | undefined>
  /** chain.importBlock sourced `gossip`: throws VerifyError; `orphan` when the parent is missing. */
  importBlock(block: Block): Promise<'stored' | 'orphan'>
}

export interface CompactTxSources {
  /** The txs the short ids are matched against, in order: the mempool, then the recently evicted and rejected. */
  candidates(): Iterable<Iterable<Tx>>
  /** The strict tx decoder: throws DecodeError. */
  decodeTx(bytes: Uint8Array): Tx
}

/** Counts for the metrics (node/metrics.ts). */
export interface CompactObserver {
  /** A compact block arrived (pushed, or fetched after an announcement). */
  received(): void
  /** A compact block was rebuilt and matched its header's tx root; `requested`: missing txs had to be asked for. */
  rebuilt(requested: boolean): void
  /** A block that came by compact block (or its full-block fallback) was stored. */
  imported(): void
  /** A missing-tx request of `count` txs was sent. */
  missingTxsRequested(count: number): void
  /** The whole block was fetched instead. */
  fullBlockFallback(reason: FallbackReason): void
  /** Bytes of compact-block messages (requests and answers) in or out. */
  bytes(direction: 'in' | 'out', count: number): void
}

/** Why a compact block was given up for the full block. */
export type FallbackReason = 'collision' | 'tx_root' | 'timeout' | 'parent_unknown' | 'bad_answer'

export interface CompactDeps {
  net: CompactNet
  chain: CompactChain
  txs: CompactTxSources
  /** Sync's block download from one peer; undefined when the peer lacks it. Throws on a bad answer or timeout. */
  fetchBlock(peer: PeerIdString, hash: Uint8Array): Promise<Block | undefined>
  /** Publishes a block on the gossip topic, for the peers that do not speak the protocol. */
  publishGossip(block: Block): Promise<unknown>
  /** A block arrived whose parent we lack: sync from the peer that sent it (as gossip does). */
  onUnknownParent(peer: PeerIdString, block: Block): void
  /**
   * A compact block was rebuilt: its header passed its proof of work, its
   * parent is stored and its txs make its txRoot. It may be relayed on now,
   * before its import (BIP152's high-bandwidth relay).
   */
  onRebuilt?(peer: PeerIdString, block: Block): void
  /** A copy of a block we lack arrived from `peer` (pushed, or announced), its header decoded: for the trace. */
  onArrived?(peer: PeerIdString, blockId: string): void
  /** A block from `peer` is stored: its head is at least there. */
  onPeerBlock?(peer: PeerIdString, block: Block): void
  clock: Clock
  timers: Timers
  rng: Rng
  observer?: CompactObserver
  log?(msg: string, fields?: Record<string, unknown>): void
}
