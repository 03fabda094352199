/**
 * Connects Dandelion++ (relay/dandelion/) to a node: the stem protocol over
 * the node's network, validation through the mempool's admission rules
 * without admitting (`Mempool.check`), fluffs into the mempool and the tx
 * topic, stem txs ended by their arrival in gossip (the mempool's `added`
 * event with source `gossip`) or by a block that includes them, relays
 * replaced on disconnect, and the
 * wallet's next nonce skipping own stem txs. Without it (`--no-dandelion`)
 * local txs go straight to gossip, as relay.submitTx does.
 */
import type { HeadChange } from '../chain/chain.js'
import type { LedgerDecoders } from '../ledger/decoders.js'
import type { Tx } from '../ledger/tx.js'
import type { Mempool } from '../mempool/index.js'
import type { Network } from '../net/network.js'
import { type DandelionHooks, DandelionRelay } from '../relay/dandelion/index.js'
import { txTopic } from '../relay/topics.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/log.js'
import type { Rng } from '../util/rng.js'
import type { Timers } from '../util/timers.js'

/** The node's Dandelion settings (config section `dandelion`). */
export interface DandelionSettings {
  enabled: boolean
  /** Per-epoch diffuser probability, 0-1 (default 10%). */
  fluffProbability?: number
  /** Mean embargo per stem tx, ms (default EMBARGO_MEAN_MS). */
  embargoMeanMs?: number
  /** Tests only: take stem txs and drop them (PEERCHAIN_TEST_STEM_FAULT=drop; see DandelionOptions.dropStems). */
  testDropStems?: boolean
}

export interface DandelionWiringDeps {
  network: Network
  /** Head changes: txs a new block includes leave the stem pool. */
  onHeadChange(listener: (change: HeadChange) => void): void
  chainId: string
  txBytesMax: number
  mempool: Mempool
  decoders: LedgerDecoders
  clock: Clock
  timers: Timers
  rng: Rng
  log: Logger
  hooks?: DandelionHooks
}

/** Builds the Dandelion relay and connects it to the node's events; `start()` on it serves the stem protocol. */
export function wireDandelion(deps: DandelionWiringDeps, settings: DandelionSettings): DandelionRelay {
  const { network, mempool, log } = deps
  const topic = txTopic(deps.chainId)
  const stemLog = log.child({ module: 'dandelion' })
  const relay = new DandelionRelay(
    {
      handle: (protocol, handler, limits) => network.handle(protocol, handler, limits),
      request: (peer, protocol, bytes, limits) => network.request(peer, protocol, bytes, limits),
      // Full-relay outbound peers only: block-relay-only connections carry no txs, and feelers hang up.
      outboundPeers: () =>
        network
          .peers()
          .filter(
            (p) => p.direction === 'outbound' && (p.connectionType === 'full-relay' || p.connectionType === 'manual'),
          )
          .map((p) => p.id),
      reportPeer: (peer, penalty, reason) => network.reportPeer(peer, penalty, reason),
    },
    {
      decodeTx: (bytes) => deps.decoders.tx(bytes, deps.txBytesMax),
      check: (tx) => mempool.check(tx),
      isPublic: (id) => mempool.has(id),
      fluff: async (tx: Tx, own: boolean) => {
        await mempool.add(tx, own ? 'rpc' : 'gossip')
        await network
          .publish(topic, tx.bytes)
          .catch((err: unknown) => stemLog.warn('publishing a fluffed tx failed', { tx: tx.id, error: String(err) }))
      },
    },
    { clock: deps.clock, timers: deps.timers, rng: deps.rng },
    {
      chainId: deps.chainId,
      fluffProbability: settings.fluffProbability,
      embargoMeanMs: settings.embargoMeanMs,
      dropStems: settings.testDropStems,
    },
    { ...deps.hooks, log: (msg, fields) => stemLog.debug(msg, fields) },
  )
  mempool.setHeldOutside((senderHex, nonce) => relay.pool.holdsNonce(senderHex, nonce))
  mempool.onAdded((tx, _status, source) => {
    if (source === 'gossip') relay.seenInGossip(tx.id)
  })
  network.on('peer:disconnect', (peer) => relay.peerGone(peer))
  deps.onHeadChange((change) => relay.included(change.connected.flatMap((block) => block.txs.map((tx) => tx.id))))
  return relay
}
