/**
 * Connects compact blocks (relay/compact/) to a node: the protocol served on
 * the node's network, short ids matched against the mempool and the pool of
 * recently dropped txs (fed by the mempool's `dropped` event and the gossip
 * txs the mempool ignored), full blocks fetched through sync's block
 * download, imports through the chain (sourced `gossip`), and every new head
 * relayed to the peers that speak the protocol (pushes, announcements and
 * mode changes on the network's message streams where it has them). The node's own
 * announcements go to the gossip topic only while a peer that does not speak
 * it is connected (`publishBlock`). Proof-of-work chains only: under BFT
 * finality a block travels with its commit.
 */
import type { BlockSource, Chain, HeadChange } from '../chain/chain.js'
import type { ConsensusEngine } from '../consensus/engine.js'
import type { Block } from '../ledger/block.js'
import type { LedgerDecoders } from '../ledger/decoders.js'
import type { Tx } from '../ledger/tx.js'
import type { Mempool } from '../mempool/index.js'
import type { Network, PeerIdString } from '../net/network.js'
import { blockToAnnounce } from '../relay/announce.js'
import {
  type CompactObserver,
  CompactRelay,
  compactMessageLimits,
  compactMessageProtocol,
  compactProtocol,
  compactServeLimits,
  RecentTxs,
} from '../relay/compact/index.js'
import type { SyncFns } from '../sync/index.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/log.js'
import type { Rng } from '../util/rng.js'
import type { Timers } from '../util/timers.js'

export interface CompactWiringDeps {
  network: Network
  chain: Chain
  engine: Pick<ConsensusEngine, 'checkSeal'>
  mempool: Mempool
  decoders: LedgerDecoders
  /** Sync's block download (the fallback). */
  requestBlocks: SyncFns['requestBlocks']
  /** Publishes a block on the gossip topic (relay.publishBlock). */
  publishGossip(block: Block): Promise<unknown>
  onUnknownParent(peer: PeerIdString, block: Block): void
  onPeerBlock(peer: PeerIdString, block: Block): void
  clock: Clock
  timers: Timers
  rng: Rng
  log: Logger
  observer?: CompactObserver
}

/** The block a head change relays by compact block: its tip, unless it is history (as announce.ts decides). */
export function blockToRelay(change: HeadChange, nowMs: number): Block | undefined {
  return change.source === 'gossip' ? change.connected.at(-1) : blockToAnnounce(change, nowMs)
}

/** A head change to a block of our own (mined here, or handed to us to publish): pushed to every speaking peer. */
export function isOwnBlock(change: HeadChange): boolean {
  return change.source === 'mined' || change.source === 'rpc'
}

/**
 * A block just stored, before its connection to the chain (the state root
 * checked, the head moved, fsync): relayed now when we mined it and it has
 * more work than the head (BIP152's relay of a new best block once its proof
 * of work is known; Bitcoin Core's NewPoWValidBlock). Our miner built it on
 * our head from txs we checked, so the connection's tens of ms need not come
 * before the first hop; a block handed in over RPC waits for its head change.
 */
export function relaysOnStore(chain: Pick<Chain, 'index' | 'head'>, block: Block, source: BlockSource): boolean {
  if (source !== 'mined') return false
  const entry = chain.index.get(block.id)
  return entry !== undefined && entry.totalWork > chain.head.totalWork
}

/** What the trace hears of compact blocks: a copy arrived (pushed or announced), or the whole block was rebuilt. */
export interface CompactArrivalListener {
  arrived(peer: PeerIdString, blockId: string): void
  rebuilt(peer: PeerIdString, blockId: string): void
}

export class CompactWiring {
  readonly relay: CompactRelay
  /** Recently evicted, replaced and ignored txs: a block may hold them. */
  readonly recentTxs = new RecentTxs()
  private readonly arrivalListeners: CompactArrivalListener[] = []

  constructor(private readonly deps: CompactWiringDeps) {
    const { network, chain, mempool, decoders } = deps
    const protocol = compactProtocol(chain.chainId)
    const { blockBytesMax, blockTxsMax, txBytesMax } = chain.genesis.limits
    const messageLimits = compactMessageLimits({ blockBytesMax, blockTxsMax, txBytesMax })
    const sendMessage = network.sendMessage?.bind(network)
    const log = deps.log.child({ module: 'compact' })
    mempool.onDropped((txs) => {
      for (const tx of txs) this.recentTxs.add(tx)
    })
    this.relay = new CompactRelay({
      net: {
        peers: () => network.peers().map((p) => p.id),
        speaks: async (peer) => (network.peerSupports ? network.peerSupports(peer, protocol) : false),
        send: (peer, request, limits, signal) => network.request(peer, protocol, request, limits, signal),
        push:
          sendMessage &&
          ((peer, message) => sendMessage(peer, compactMessageProtocol(chain.chainId), message, messageLimits)),
        reportPeer: (peer, penalty, reason) => network.reportPeer(peer, penalty, reason),
        notePeerActivity: (peer, kind) => network.notePeerActivity(peer, kind),
      },
      chain: {
        limits: { blockBytesMax, blockTxsMax, txBytesMax },
        knows: (id) => chain.index.get(id) !== undefined,
        hasParent: (header) => {
          const parent = chain.index.get(header.parentId)
          return parent !== undefined && parent.status !== 'invalid'
        },
        checkSeal: (header) => deps.engine.checkSeal(header),
        getBlock: (id) => chain.getBlock(id),
        importBlock: async (block) =>
          (await chain.importBlock(block, 'gossip')).status === 'orphan' ? 'orphan' : 'stored',
      },
      txs: {
        candidates: () => [mempool.pending(), this.recentTxs.values()],
        decodeTx: (bytes) => decoders.tx(bytes, txBytesMax),
      },
      fetchBlock: async (peer, hash) => (await deps.requestBlocks(peer, [hash]))[0],
      publishGossip: (block) => deps.publishGossip(block),
      onUnknownParent: (peer, block) => deps.onUnknownParent(peer, block),
      onPeerBlock: (peer, block) => deps.onPeerBlock(peer, block),
      onArrived: (peer, blockId) => {
        for (const listener of this.arrivalListeners) listener.arrived(peer, blockId)
      },
      onRebuilt: (peer, block) => {
        for (const listener of this.arrivalListeners) listener.rebuilt(peer, block.id)
      },
      clock: deps.clock,
      timers: deps.timers,
      rng: deps.rng,
      observer: deps.observer,
      log: (msg, fields) => log.debug(msg, fields),
    })
  }

  /** Hears each compact-block arrival and rebuild (the trace). */
  onArrival(listener: CompactArrivalListener): void {
    this.arrivalListeners.push(listener)
  }

  /** A gossiped tx the mempool ignored (RelayHooks.onTxIgnored). */
  noteIgnoredTx(tx: Tx): void {
    this.recentTxs.add(tx)
  }

  /** Serves the protocol and relays every new head. */
  async start(): Promise<void> {
    const { network, chain, clock, log } = this.deps
    const limits = chain.genesis.limits
    await network.handle(
      compactProtocol(chain.chainId),
      (request, peer) => this.relay.handle(request, peer),
      compactServeLimits(limits),
    )
    await network.handleMessages?.(
      compactMessageProtocol(chain.chainId),
      (message, peer) => this.relay.onMessage(message, peer),
      compactMessageLimits(limits),
    )
    chain.onBlockStored((block, source) => {
      if (!relaysOnStore(chain, block, source)) return
      this.relay
        .relayBlock(block, true)
        .catch((err: unknown) => log.warn('compact relay failed', { error: String(err) }))
    })
    chain.onHeadChange((change) => {
      const block = blockToRelay(change, clock.nowMs())
      if (!block) return
      this.relay
        .relayBlock(block, isOwnBlock(change))
        .catch((err: unknown) => log.warn('compact relay failed', { error: String(err) }))
    })
    network.on('peer:disconnect', (peer) => this.relay.forget(peer))
    network.on('peer:identify', (peer) => void this.relay.greet(peer))
  }

  /** announce.ts's publish: to the gossip topic only while a connected peer does not speak compact blocks. */
  async publishBlock(block: Block): Promise<unknown> {
    return (await this.relay.gossipNeeded()) ? this.deps.publishGossip(block) : 0
  }
}
