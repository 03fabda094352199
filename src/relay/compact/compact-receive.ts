/**
 * The receiving side of compact blocks: a compact block (pushed by a
 * high-bandwidth peer, or fetched after a low-bandwidth announcement) is
 * checked, rebuilt from the txs we hold, completed with one request for the
 * txs we lack, and imported. Whatever goes wrong ends in the full block,
 * fetched through sync's block download:
 * - a short-id collision (two txs we hold share a slot's id, or the block names
 *   one id twice), or a parent we lack → the full block from the sender;
 * - the missing-tx request unanswered within MISSING_TXS_TIMEOUT_MS, or
 *   answered with bytes that do not decode → from the other peers that
 *   announced the block, then the sender;
 * - the rebuilt txs do not hash to the header's txRoot → the full block, and
 *   the sender is charged when a tx it sent (prefilled or asked for) is not
 *   the block's (a slot we filled from our own pools may be a short-id
 *   collision, which is nobody's fault).
 * Announcements carry only a block hash (BIP152's inv): the compact block we
 * then ask for brings the header, which is checked (proof of work, parent
 * known) before any tx is asked for; one peer's announcements hold at most
 * ANNOUNCED_PER_PEER_MAX blocks in flight. The block is imported (all its
 * rules) before it is relayed.
 */
import { Block, Header } from '../../ledger/block.js'
import { isVerifyError } from '../../ledger/errors.js'
import type { Tx } from '../../ledger/tx.js'
import { type PeerIdString, RequestError } from '../../net/network.js'
import { toHex } from '../../util/bytes.js'
import { type AskedBlock, AskedBlocks } from './asked-blocks.js'
import {
  blockTxsBytesMax,
  type CompactBlockMessage,
  compactBlockBytesMax,
  decodeBlockTxs,
  decodeCompactBlock,
  encodeCompactRequest,
} from './compact-codec.js'
import type { PeerBlocks } from './peer-blocks.js'
import { fillMissing, matchesTxRoot, rebuildBlock } from './rebuild.js'
import { ask, deliver, MISSING_TXS_TIMEOUT_MS, requestLimits } from './send.js'
import type { CompactDeps, FallbackReason } from './types.js'

/** Blocks being rebuilt at once; a compact block beyond it is dropped (it comes again by announcement or sync). */
export const PENDING_BLOCKS_MAX = 8
/** Charged for a compact block whose txs (prefilled or sent on request) are not the header's. */
export const BAD_TXS_PENALTY = 100
/** Blocks remembered with the indexes we lacked (they are prefilled when we relay the block). */
export const LACKED_BLOCKS_MAX = 8
/** Most txs prefilled when relaying a block: beyond, the receiver asks for them. */
export const PREFILL_TXS_MAX = 256
/** Blocks one peer's announcements may have in flight (asked for, or being fetched and rebuilt); more are ignored. */
export const ANNOUNCED_PER_PEER_MAX = 2

/** Outcome of one rebuild, for the caller's relay decisions. */
export interface Received {
  block: Block
  /** Indexes of the txs we did not hold. */
  lacked: number[]
}

export class CompactReceiver {
  /** Blocks being rebuilt, each with the peer it came from and the promise of its end (a child waits for its parent's). */
  private readonly pending = new Map<string, { peer: PeerIdString; done: Promise<void> }>()
  /** Per block recently rebuilt, the indexes we lacked: the next hop likely lacks them too. */
  private readonly lackedByBlock = new Map<string, number[]>()
  /** Blocks asked for by a `getBlock` message after an announcement: who announced them, and the deadline. */
  private readonly asked: AskedBlocks

  constructor(
    private readonly deps: CompactDeps,
    private readonly peerBlocks: PeerBlocks,
  ) {
    this.asked = new AskedBlocks(deps.timers)
  }

  /** The indexes we lacked of a block we rebuilt (prefilled when we pass it on). */
  lacked(blockId: string): readonly number[] {
    return this.lackedByBlock.get(blockId) ?? []
  }

  /** A compact block pushed by `peer` (or sent in answer to a `getBlock` message). */
  async onCompactBlock(peer: PeerIdString, message: CompactBlockMessage): Promise<void> {
    this.deps.observer?.received()
    const header = this.headerOf(peer, message.header)
    if (!header) return
    this.asked.clear(header.id)
    await this.exclusive(peer, header.id, async () => {
      if (await this.ready(peer, header)) await this.rebuild(peer, header, message)
    })
  }

  /**
   * A low-bandwidth announcement, a block hash: unless we have the block or
   * it is on its way, fetch its compact block from `peer`: by a `getBlock`
   * message on the message stream (the block comes back as a message, which
   * onCompactBlock takes like a push), else by a request. A peer with
   * ANNOUNCED_PER_PEER_MAX announced blocks in flight is not asked for more.
   */
  async onAnnounce(peer: PeerIdString, blockHash: Uint8Array): Promise<void> {
    const blockId = toHex(blockHash)
    this.peerBlocks.noteKnows(peer, blockId)
    if (this.deps.chain.knows(blockId)) return
    this.deps.onArrived?.(peer, blockId)
    if (this.pending.has(blockId)) return
    if (this.asked.alsoAnnounced(blockId, peer)) return
    if (this.inFlightFrom(peer) >= ANNOUNCED_PER_PEER_MAX) return
    if (this.askByMessage(peer, blockHash, blockId)) return
    await this.fetchAnnounced(peer, blockHash, blockId)
  }

  /** Blocks asked of `peer` by message, or being fetched from it or rebuilt from what it sent. */
  private inFlightFrom(peer: PeerIdString): number {
    let count = this.asked.countAskedOf(peer)
    for (const pending of this.pending.values()) if (pending.peer === peer) count++
    return count
  }

  /**
   * Asks `peer` for an announced block by message; false when that is not
   * the way (no message streams, too many asked): the caller fetches it by
   * request.
   */
  private askByMessage(peer: PeerIdString, blockHash: Uint8Array, blockId: string): boolean {
    const { deps } = this
    const push = deps.net.push
    if (push === undefined || this.asked.size >= PENDING_BLOCKS_MAX) return false
    this.asked.ask(blockId, blockHash, peer, MISSING_TXS_TIMEOUT_MS, (asked) => void this.askTimedOut(blockId, asked))
    const request = encodeCompactRequest({ kind: 'getBlock', blockHash })
    deps.observer?.bytes('out', request.byteLength)
    push(peer, request).catch((err: unknown) => {
      deps.log?.('compact getBlock message failed; asking by request', { peer, error: String(err) })
      if (!this.asked.clear(blockId)) return
      this.fetchAnnounced(peer, blockHash, blockId).catch((e: unknown) =>
        deps.log?.('compact block fetch failed', { peer, error: String(e) }),
      )
    })
    return true
  }

  /** No compact block came for a block asked by message: the full block from the other announcers, then the one asked. */
  private async askTimedOut(blockId: string, asked: AskedBlock): Promise<void> {
    if (this.deps.chain.knows(blockId) || this.pending.has(blockId)) return
    const [first, ...others] = asked.peers
    if (first === undefined) return
    await this.exclusive(first, blockId, () => this.fallback(asked.hash, blockId, 'timeout', [...others, first]))
  }

  /** Fetches an announced block's compact form from `peer` by request, and rebuilds it. */
  private async fetchAnnounced(peer: PeerIdString, blockHash: Uint8Array, blockId: string): Promise<void> {
    await this.exclusive(peer, blockId, async () => {
      const limits = requestLimits(this.deps.chain.limits, compactBlockBytesMax(this.deps.chain.limits))
      const answer = await ask(this.deps, peer, encodeCompactRequest({ kind: 'getBlock', blockHash }), limits)
      if (answer === undefined || answer.byteLength === 0) return
      let message: CompactBlockMessage
      let header: Header
      try {
        message = decodeCompactBlock(answer, this.deps.chain.limits)
        header = Header.fromBytes(message.header)
        if (header.id !== blockId) throw new RequestError('PROTOCOL', 'another block than announced')
      } catch (err) {
        this.charge(peer, err)
        return
      }
      this.deps.observer?.received()
      if (await this.ready(peer, header)) await this.rebuild(peer, header, message)
    })
  }

  /** Decodes and checks a header; notes the peer has the block; undefined when there is nothing to do. */
  private headerOf(peer: PeerIdString, bytes: Uint8Array): Header | undefined {
    let header: Header
    try {
      header = Header.fromBytes(bytes)
    } catch (err) {
      this.charge(peer, err)
      return undefined
    }
    this.peerBlocks.noteKnows(peer, header.id)
    if (this.deps.chain.knows(header.id)) return undefined
    this.deps.onArrived?.(peer, header.id)
    if (this.pending.has(header.id)) return undefined
    return header
  }

  /** Runs `work` for one block at a time (what `peer` sent or announced); bounded by PENDING_BLOCKS_MAX. */
  private async exclusive(peer: PeerIdString, blockId: string, work: () => Promise<void>): Promise<void> {
    if (this.pending.has(blockId) || this.pending.size >= PENDING_BLOCKS_MAX) return
    const done = this.run(blockId, work)
    this.pending.set(blockId, { peer, done })
    await done
  }

  private async run(blockId: string, work: () => Promise<void>): Promise<void> {
    try {
      await work()
    } catch (err) {
      this.deps.log?.('compact block failed unexpectedly', { block: blockId, error: String(err) })
    } finally {
      this.pending.delete(blockId)
    }
  }

  /**
   * The header's own checks before its txs are sought: its proof of work (a
   * failure charges `peer`), and its parent stored; a parent still being
   * rebuilt here (blocks in quick succession) is waited for, an unknown one
   * makes the full block come from `peer` (it becomes an orphan and starts a
   * sync). False when the caller has nothing more to do.
   */
  private async ready(peer: PeerIdString, header: Header): Promise<boolean> {
    try {
      this.deps.chain.checkSeal(header)
    } catch (err) {
      this.charge(peer, err)
      return false
    }
    await this.pending.get(header.parentId)?.done
    if (this.deps.chain.hasParent(header)) return true
    await this.fallback(header.hash, header.id, 'parent_unknown', [peer])
    return false
  }

  private async rebuild(peer: PeerIdString, header: Header, message: CompactBlockMessage): Promise<void> {
    const { deps } = this
    let prefilled: Array<{ index: number; tx: Tx }>
    try {
      prefilled = message.prefilled.map((p) => ({ index: p.index, tx: deps.txs.decodeTx(p.tx) }))
    } catch (err) {
      this.charge(peer, err)
      return
    }
    const parts = { header, nonce: message.nonce, shortIds: message.shortIds, prefilled }
    const result = rebuildBlock(parts, deps.txs.candidates())
    if (result.status === 'collision') return this.fallback(header.hash, header.id, 'collision', [peer])
    const fromPeer = new Set(prefilled.map((p) => p.index))
    let txs: Tx[]
    let lacked: number[] = []
    if (result.status === 'complete') txs = result.txs
    else {
      lacked = result.missing
      const sent = await this.askMissing(peer, header, result.missing)
      const others = this.othersFirst(peer, header.id, false)
      const from = others.length > 0 ? others : [peer]
      if (sent === 'timeout') return this.fallback(header.hash, header.id, 'timeout', from)
      if (sent === 'bad') return this.fallback(header.hash, header.id, 'bad_answer', from)
      txs = fillMissing(result.slots, result.missing, sent)
      for (const index of result.missing) fromPeer.add(index)
    }
    if (!matchesTxRoot(header, txs)) return this.txRootMismatch(peer, header, txs, fromPeer)
    deps.observer?.rebuilt(result.status === 'partial')
    this.rememberLacked(header.id, [...prefilled.map((p) => p.index), ...lacked])
    const block = new Block(header, txs)
    deps.onRebuilt?.(peer, block)
    await this.importFrom(peer, block, 'compact')
  }

  /** Asks `peer` for the txs at `missing`; 'timeout' when it does not answer in time, 'bad' for bytes that do not decode. */
  private async askMissing(peer: PeerIdString, header: Header, missing: number[]): Promise<Tx[] | 'timeout' | 'bad'> {
    const { deps } = this
    deps.observer?.missingTxsRequested(missing.length)
    const request = encodeCompactRequest({ kind: 'getBlockTxs', get: { blockHash: header.hash, indexes: missing } })
    const answer = await ask(
      this.deps,
      peer,
      request,
      requestLimits(this.deps.chain.limits, blockTxsBytesMax(deps.chain.limits)),
    )
    if (answer === undefined) return 'timeout'
    if (answer.byteLength === 0) return 'bad'
    try {
      const { txs } = decodeBlockTxs(answer, deps.chain.limits, header.hash, missing.length)
      return txs.map((bytes) => deps.txs.decodeTx(bytes))
    } catch (err) {
      this.charge(peer, err)
      return 'bad'
    }
  }

  /**
   * The rebuilt txs do not make the header's txRoot: fetch the full block, and
   * charge `peer` if a tx it sent differs from the block's (or, with no full
   * block to compare, if it sent every tx itself).
   */
  private async txRootMismatch(peer: PeerIdString, header: Header, txs: Tx[], fromPeer: Set<number>): Promise<void> {
    this.deps.observer?.fullBlockFallback('tx_root')
    const full = await this.fetchFrom(header.hash, header.id, this.othersFirst(peer, header.id, true))
    const lied = full
      ? [...fromPeer].some((i) => full.block.txs[i]?.id !== txs[i]?.id)
      : fromPeer.size === txs.length && txs.length > 0
    if (lied) this.deps.net.reportPeer(peer, BAD_TXS_PENALTY, 'CMPCT_BAD_TXS')
    if (full) await this.importFrom(full.peer, full.block)
  }

  /** The full block, from the first of `from` that gives it. */
  private async fallback(
    hash: Uint8Array,
    blockId: string,
    reason: FallbackReason,
    from: PeerIdString[],
  ): Promise<void> {
    this.deps.observer?.fullBlockFallback(reason)
    const full = await this.fetchFrom(hash, blockId, from)
    if (full) await this.importFrom(full.peer, full.block)
    else this.deps.log?.('no peer gave the full block', { block: blockId, reason })
  }

  /** The other peers known to have the block, then (unless it is left out) `peer`. */
  private othersFirst(peer: PeerIdString, blockId: string, withPeer: boolean): PeerIdString[] {
    const others = this.deps.net.peers().filter((p) => p !== peer && this.peerBlocks.knows(p, blockId))
    return withPeer ? [...others, peer] : others
  }

  /** The full block from the first of `peers` that has it (sync's download checks its bytes). */
  private async fetchFrom(
    hash: Uint8Array,
    blockId: string,
    peers: PeerIdString[],
  ): Promise<{ peer: PeerIdString; block: Block } | undefined> {
    for (const peer of peers) {
      try {
        const block = await this.deps.fetchBlock(peer, hash)
        if (block && block.id === blockId) return { peer, block }
      } catch (err) {
        this.deps.log?.('full block fetch failed', { peer, block: blockId, error: String(err) })
      }
    }
    return undefined
  }

  /**
   * Imports a block from `peer`. A rule it breaks charges the peer, except for
   * a compact block: as in BIP152, a node relays one on before its import (its
   * header's proof of work and its txRoot checked), so an honest relay may
   * pass on a block whose txs turn out invalid; its proof of work is the cost.
   */
  private async importFrom(peer: PeerIdString, block: Block, via: 'compact' | 'full' = 'full'): Promise<void> {
    const { deps } = this
    try {
      const status = await deps.chain.importBlock(block)
      if (status === 'orphan') {
        deps.onUnknownParent(peer, block)
        return
      }
      deps.observer?.imported()
      this.askModes(this.peerBlocks.broughtFirst(peer))
      deps.onPeerBlock?.(peer, block)
      deps.net.notePeerActivity(peer, 'block')
    } catch (err) {
      if (isVerifyError(err) && err.code === 'BLOCK_KNOWN') return
      if (via === 'compact' && isVerifyError(err)) {
        deps.log?.('a compact block broke a rule at import', { peer, block: block.id, code: err.code })
        return
      }
      this.charge(peer, err)
    }
  }

  /** Asks a peer that joined our high-bandwidth set to push to us, and one that left it to announce. */
  private askModes(change: { added?: PeerIdString; dropped?: PeerIdString }): void {
    for (const [peer, highBandwidth] of [
      [change.added, true],
      [change.dropped, false],
    ] as const) {
      if (peer === undefined) continue
      const request = encodeCompactRequest({ kind: 'mode', highBandwidth })
      this.deps.observer?.bytes('out', request.byteLength)
      deliver(this.deps, peer, request).catch((err: unknown) =>
        this.deps.log?.('compact mode request failed', { peer, error: String(err) }),
      )
    }
  }

  /** A VerifyError the peer caused is charged when its verdict is reject; anything else is logged. */
  private charge(peer: PeerIdString, err: unknown): void {
    if (isVerifyError(err)) {
      if (err.verdict === 'reject') this.deps.net.reportPeer(peer, err.penalty, err.code)
      return
    }
    if (err instanceof RequestError) {
      this.deps.net.reportPeer(peer, BAD_TXS_PENALTY, 'CMPCT_MALFORMED')
      return
    }
    this.deps.log?.('compact block handling failed', { peer, error: String(err) })
  }

  private rememberLacked(blockId: string, indexes: number[]): void {
    this.lackedByBlock.set(blockId, indexes.sort((a, b) => a - b).slice(0, PREFILL_TXS_MAX))
    if (this.lackedByBlock.size > LACKED_BLOCKS_MAX) {
      this.lackedByBlock.delete(this.lackedByBlock.keys().next().value as string)
    }
  }
}
