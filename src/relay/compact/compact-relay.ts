/**
 * Compact blocks (BIP152's scheme on `/peerchain/<chainId>/cmpct/1`): the
 * service that serves the protocol and relays each new head.
 *
 * Relaying a block to the peers that speak the protocol and are not known to
 * have it (BIP152's modes): the peers that asked for high-bandwidth mode get
 * the compact block pushed at once (half a round trip when their mempool
 * holds the txs); the others get the header announced and fetch the compact
 * block if they want it. Each node asks the HIGH_BANDWIDTH_PEERS (3) peers
 * that most recently brought it a new block first to push to it (and the one
 * that drops out of those three to announce again): compact-receive.ts. Peers that do not speak the
 * protocol still get the full block on the gossip topic: a block that
 * reached us by compact block is published there when such a peer is
 * connected (one that came by gossip is relayed by gossipsub itself), and the
 * node's own announcements (announce.ts) go to gossip only then too.
 *
 * Serving: `getBlock` answers a block's compact form (one nonce per block,
 * cached), `getBlockTxs` the txs at the indexes asked. Receiving is
 * compact-receive.ts's.
 */
import type { Block } from '../../ledger/block.js'
import { isVerifyError } from '../../ledger/errors.js'
import type { PeerIdString, RequestLimits } from '../../net/network.js'
import { fromHex, toHex } from '../../util/bytes.js'
import {
  blockTxsBytesMax,
  type CompactBlockMessage,
  type CompactLimits,
  type CompactRequest,
  compactBlockBytesMax,
  compactRequestBytesMax,
  decodeCompactRequest,
  encodeBlockTxs,
  encodeCompactBlock,
  encodeCompactRequest,
} from './compact-codec.js'
import { CompactReceiver } from './compact-receive.js'
import { PEERS_TRACKED_MAX, PeerBlocks } from './peer-blocks.js'
import { compactTxs } from './rebuild.js'
import { deliver, MISSING_TXS_TIMEOUT_MS } from './send.js'
import { packShortIds } from './short-ids.js'
import type { CompactDeps } from './types.js'

/** Charged for a request sent on the message stream, where nothing answers it. */
export const REQUEST_AS_MESSAGE_PENALTY = 20
/** Compact forms of recent blocks kept to serve (one nonce per block, as every peer gets the same bytes). */
export const COMPACT_CACHE_MAX = 8
/** The protocol id; it carries the chain id, so chains never mix. */
export const compactProtocol = (chainId: string): string => `/peerchain/${chainId}/cmpct/1`

const EMPTY = new Uint8Array(0)

/** What the handler accepts and answers (Network.handle's limits): the largest request is a pushed compact block. */
export function compactServeLimits(limits: CompactLimits): RequestLimits {
  return {
    requestBytesMax: compactRequestBytesMax(limits),
    responseBytesMax: Math.max(compactBlockBytesMax(limits), blockTxsBytesMax(limits)),
    timeoutMs: MISSING_TXS_TIMEOUT_MS,
  }
}

export class CompactRelay {
  readonly peerBlocks = new PeerBlocks()
  readonly receiver: CompactReceiver
  /** Peers seen to speak the protocol (identify does not change its mind within a connection). */
  private readonly speakers = new Set<PeerIdString>()
  private readonly compactCache = new Map<string, CompactBlockMessage>()
  /** Blocks that reached us by compact block, recently: gossipsub did not relay them for us. */
  private readonly arrivedCompact = new Map<string, true>()
  /** Blocks rebuilt here recently, served before (or without) their import. */
  private readonly rebuiltBlocks = new Map<string, Block>()

  constructor(private readonly deps: CompactDeps) {
    this.receiver = new CompactReceiver(
      {
        ...deps,
        onRebuilt: (peer, block) => {
          deps.onRebuilt?.(peer, block)
          // Passed on before its import: its proof of work and txRoot are checked, the rest is the import's.
          this.remember(this.rebuiltBlocks, block.id, block)
          this.relayBlock(block).catch((err: unknown) => deps.log?.('compact relay failed', { error: String(err) }))
        },
        onPeerBlock: (peer, block) => {
          this.remember(this.arrivedCompact, block.id, true)
          deps.onPeerBlock?.(peer, block)
        },
      },
      this.peerBlocks,
    )
  }

  /**
   * The request protocol's handler (Network.handle): decodes, answers at
   * once, and rebuilds pushed blocks after answering. A message that gets no
   * answer comes here too when it could not go on the message stream.
   */
  async handle(bytes: Uint8Array, peer: PeerIdString): Promise<Uint8Array> {
    const request = this.decode(bytes, peer)
    let answer: Uint8Array = EMPTY
    if (request?.kind === 'getBlock') answer = await this.serveCompact(peer, toHex(request.blockHash))
    else if (request?.kind === 'getBlockTxs') {
      answer = await this.serveTxs(peer, toHex(request.get.blockHash), request.get.indexes)
    } else if (request) this.onOneWay(peer, request)
    this.deps.observer?.bytes('out', answer.byteLength)
    return answer
  }

  /**
   * The message streams' handler (Network.handleMessages): a pushed block, an
   * announcement, a mode change, or a `getBlock` after our announcement, which
   * is answered by the block's compact form as a message of ours; only for a
   * block we offered that peer (a message costs its sender 36 bytes, so it
   * buys no more than our announcements did), and not when our stream to it
   * is full (the asker's deadline then takes the block elsewhere).
   * `getBlockTxs` there has no way to be answered: the peer broke the
   * protocol.
   */
  async onMessage(bytes: Uint8Array, peer: PeerIdString): Promise<void> {
    const { deps } = this
    const request = this.decode(bytes, peer)
    if (request?.kind === 'getBlockTxs') {
      deps.net.reportPeer(peer, REQUEST_AS_MESSAGE_PENALTY, 'CMPCT_REQUEST_AS_MESSAGE')
    } else if (request?.kind === 'getBlock') {
      const blockId = toHex(request.blockHash)
      if (deps.net.push === undefined || !this.peerBlocks.knows(peer, blockId)) return
      const block = await this.blockOf(blockId)
      if (!block) return
      const answer = encodeCompactRequest({ kind: 'block', block: this.compactOf(block) })
      deps.observer?.bytes('out', answer.byteLength)
      deps.net
        .push(peer, answer)
        .catch((err: unknown) => deps.log?.('compact block answer failed', { peer, error: String(err) }))
    } else if (request) this.onOneWay(peer, request)
  }

  private decode(bytes: Uint8Array, peer: PeerIdString): CompactRequest | undefined {
    const { deps } = this
    deps.observer?.bytes('in', bytes.byteLength)
    this.speakers.add(peer)
    try {
      return decodeCompactRequest(bytes, deps.chain.limits)
    } catch (err) {
      if (isVerifyError(err) && err.verdict === 'reject') deps.net.reportPeer(peer, err.penalty, err.code)
      return undefined
    }
  }

  private onOneWay(peer: PeerIdString, request: CompactRequest): void {
    if (request.kind === 'block') void this.receiver.onCompactBlock(peer, request.block)
    else if (request.kind === 'announce') void this.receiver.onAnnounce(peer, request.blockHash)
    else if (request.kind === 'mode') this.peerBlocks.setMode(peer, request.highBandwidth)
  }

  /** True when a connected peer does not speak the protocol: blocks must go to gossip too. */
  async gossipNeeded(): Promise<boolean> {
    for (const peer of this.deps.net.peers()) if (!(await this.speaks(peer))) return true
    return false
  }

  /**
   * Relays a new head: pushed to the high-bandwidth peers, announced to the
   * other speakers that are not known to have it, and published on gossip when
   * it came by compact block and a connected peer does not speak the protocol.
   * A block of our own (`own`: mined here, or handed to us to publish) is
   * pushed to every speaker: no peer can have it before us, and each would
   * otherwise wait a round trip more to fetch it after the announcement (as
   * gossipsub floods a message its node publishes to every peer).
   */
  async relayBlock(block: Block, own = false): Promise<void> {
    const { deps } = this
    const speaking: PeerIdString[] = []
    let legacy = false
    for (const peer of deps.net.peers()) {
      if (await this.speaks(peer)) speaking.push(peer)
      else legacy = true
    }
    if (legacy && this.arrivedCompact.has(block.id)) {
      deps.publishGossip(block).catch((err: unknown) => deps.log?.('publishing a block failed', { error: String(err) }))
    }
    const targets = speaking.filter((p) => !this.peerBlocks.knows(p, block.id))
    const highBandwidth = new Set(own ? targets : this.peerBlocks.highBandwidth(new Set(targets)))
    const push = highBandwidth.size > 0 ? encodeCompactRequest({ kind: 'block', block: this.compactOf(block) }) : EMPTY
    const announce = encodeCompactRequest({ kind: 'announce', blockHash: block.header.hash })
    await Promise.all(
      targets.map(async (peer) => {
        this.peerBlocks.noteKnows(peer, block.id)
        const request = highBandwidth.has(peer) ? push : announce
        deps.observer?.bytes('out', request.byteLength)
        try {
          await deliver(deps, peer, request)
        } catch (err) {
          deps.log?.('compact relay failed', { peer, error: String(err) })
        }
      }),
    )
  }

  /**
   * A peer told us what it serves (identify): if it speaks the protocol, say
   * "announce to me" (BIP152's first `sendcmpct`, unless we already asked it
   * to push) on the message stream, which opens that stream now rather than
   * with the first block, a round trip the block would wait.
   */
  async greet(peer: PeerIdString): Promise<void> {
    const { deps } = this
    if (deps.net.push === undefined || this.peerBlocks.pushers().includes(peer) || !(await this.speaks(peer))) return
    const greeting = encodeCompactRequest({ kind: 'mode', highBandwidth: false })
    deps.observer?.bytes('out', greeting.byteLength)
    await deps.net
      .push(peer, greeting)
      .catch((err: unknown) => deps.log?.('compact greeting failed', { peer, error: String(err) }))
  }

  /** A peer left: forget what we knew of it. */
  forget(peer: PeerIdString): void {
    this.speakers.delete(peer)
    this.peerBlocks.forget(peer)
  }

  private async speaks(peer: PeerIdString): Promise<boolean> {
    if (this.speakers.has(peer)) return true
    if (!(await this.deps.net.speaks(peer))) return false
    if (this.speakers.size < PEERS_TRACKED_MAX) this.speakers.add(peer)
    return true
  }

  /**
   * The compact form of `block`, made once and cached: the txs we lacked when
   * we rebuilt it are prefilled (the next hop likely lacks them too).
   */
  private compactOf(block: Block): CompactBlockMessage {
    const cached = this.compactCache.get(block.id)
    if (cached) return cached
    const nonce = BigInt(this.deps.rng.int(2 ** 32)) * 2n ** 32n + BigInt(this.deps.rng.int(2 ** 32))
    const prefill = new Set(this.receiver.lacked(block.id))
    const { ids, prefilled } = compactTxs(block.header.bytes, nonce, block.txs, prefill)
    const message = {
      header: block.header.bytes,
      nonce,
      shortIds: packShortIds(ids),
      prefilled: prefilled.map((p) => ({ index: p.index, tx: p.tx.bytes })),
    }
    this.compactCache.set(block.id, message)
    if (this.compactCache.size > COMPACT_CACHE_MAX)
      this.compactCache.delete(this.compactCache.keys().next().value as string)
    return message
  }

  private async serveCompact(peer: PeerIdString, blockId: string): Promise<Uint8Array> {
    const block = await this.blockOf(blockId)
    if (!block) return EMPTY
    this.peerBlocks.noteKnows(peer, blockId)
    return encodeCompactBlock(this.compactOf(block))
  }

  private async serveTxs(peer: PeerIdString, blockId: string, indexes: number[]): Promise<Uint8Array> {
    const block = await this.blockOf(blockId)
    if (!block) return EMPTY
    if ((indexes.at(-1) ?? 0) >= block.txs.length) {
      this.deps.net.reportPeer(peer, 10, 'CMPCT_BAD_INDEX')
      return EMPTY
    }
    return encodeBlockTxs({ blockHash: fromHex(blockId), txs: indexes.map((i) => block.txs[i]?.bytes as Uint8Array) })
  }

  private remember<V>(map: Map<string, V>, id: string, value: V): void {
    map.set(id, value)
    if (map.size > COMPACT_CACHE_MAX) map.delete(map.keys().next().value as string)
  }

  private async blockOf(blockId: string): Promise<Block | undefined> {
    return this.rebuiltBlocks.get(blockId) ?? this.deps.chain.getBlock(blockId)
  }
}
