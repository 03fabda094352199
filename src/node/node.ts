/**
 * The node as wiring only: `createNode(deps, init)` takes every outside part
 * (network, store, consensus engine, signature checker, clock, timers, RNG,
 * log) and connects the components. The production node (start.ts) and the
 * simulator (sim/) both build their parts and call it, so they run the same
 * wiring. Each event has one owner:
 * - a new connection → status handshake (relay/status.ts) → a peer ahead of
 *   us starts sync;
 * - a gossiped block with an unknown parent → attributed to its sender in the
 *   orphan pool, charged past a run of them, sync from it at most once per
 *   interval (sync/unknown-parent.ts);
 * - a gossiped block accepted → its sender's head moves (status.updateHead);
 * - a head change (with its source) → mempool reset and mining restart
 *   (ledger-node.ts), announcement (relay/announce.ts), compact-block relay
 *   (compact-wiring.ts: to the peers that speak it), the sync meter;
 * - a local tx → relay.submitTx (mempool, then publish), or with Dandelion++
 *   the stem (node/dandelion-wiring.ts: private stem pool, then a relay).
 */
import type { ChainOptions } from '../chain/chain.js'
import { StateTrie } from '../chain/trie.js'
import type { TimeoutConfig } from '../consensus/bft/timeouts.js'
import type { ConsensusEngine } from '../consensus/engine.js'
import type { KeyPair } from '../ledger/crypto.js'
import { type LedgerDecoders, strictDecoders } from '../ledger/decoders.js'
import type { Genesis } from '../ledger/genesis.js'
import type { TxSignatureChecker } from '../ledger/sigverify/checker.js'
import type { Tx } from '../ledger/tx.js'
import { createLightHandler, LIGHT_SERVE_LIMITS, LightQuota } from '../light/index.js'
import { LightRpcProofs } from '../light/rpc-proofs.js'
import type { AddResult, MempoolOptions } from '../mempool/index.js'
import type { Network } from '../net/network.js'
import { announceHeads } from '../relay/announce.js'
import type { CompactObserver } from '../relay/compact/index.js'
import type { DandelionHooks, DandelionRelay } from '../relay/dandelion/index.js'
import { Relay, type RelayHooks } from '../relay/gossip.js'
import { type Role, StatusExchange } from '../relay/status.js'
import { lightProtocol, syncProtocol } from '../relay/topics.js'
import type { KvStore } from '../storage/kv.js'
import {
  createSyncHandler,
  ServeQuota,
  type ServeQuotaLimits,
  SYNC_SERVE_LIMITS,
  type SyncFns,
  Synchronizer,
  type SynchronizerOptions,
  UploadCap,
} from '../sync/index.js'
import { SyncMeter, type SyncStatus } from '../sync/meter.js'
import { UnknownParentPolicy } from '../sync/unknown-parent.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/log.js'
import type { Rng } from '../util/rng.js'
import type { Timers } from '../util/timers.js'
import { CompactWiring } from './compact-wiring.js'
import { type DandelionSettings, wireDandelion } from './dandelion-wiring.js'
import { LedgerNode } from './ledger-node.js'
import { MinerLoop } from './miner.js'
import { createRounds } from './rounds.js'
import { createSyncFns } from './sync-fns.js'
import type { ValidatorFault, ValidatorService } from './validator.js'
import type { ValidatorTxSigner } from './validator-tx.js'

/** Encoded trie nodes the light server's proof reader keeps in memory. */
const LIGHT_PROOF_TRIE_CACHE_NODES = 4096

/** Watchers that are not part of the protocol (metrics): they see events, they decide nothing. */
export interface NodeObserver {
  onVerdict?: RelayHooks['onVerdict']
  /** Wraps the sync function table, e.g. to count imports. */
  instrumentSync?(fns: SyncFns): SyncFns
  /** Dandelion++'s stem txs, fluffs and embargo fires. */
  dandelion?: DandelionHooks
  /** Compact blocks received, rebuilt, requests, fallbacks and bytes. */
  compact?: CompactObserver
}

/** Every part of the outside world the node touches. */
export interface NodeDeps {
  network: Network
  /** Opened by the node, closed with it. */
  store: KvStore
  engine: ConsensusEngine
  signatures: TxSignatureChecker
  /** The strict decoders for gossiped txs and blocks (default: strictDecoders). */
  decoders?: LedgerDecoders
  clock: Clock
  timers: Timers
  rng: Rng
  log: Logger
  observer?: NodeObserver
}

export interface NodeInit {
  genesis: Genesis
  role: Role
  /** Start mining once the node is up (a miner can also be started later). */
  mine: boolean
  /** The address paid for mined blocks. */
  minerAddress: Uint8Array
  chain?: ChainOptions
  mempool?: MempoolOptions
  /** Sync tuning (time, randomness and timers come from the deps). */
  sync?: Omit<SynchronizerOptions, 'clock' | 'rng' | 'timers' | 'log'>
  /** Serving sync: per-peer quotas, and the upload cap (bytes of historical blocks per 24 h; 0 = unlimited). */
  serve?: { quota?: Partial<ServeQuotaLimits>; uploadCapBytes?: number }
  /** Proof of stake: take part in BFT rounds with this key (the engine must be a PosEngine). */
  validator?: { key: KeyPair; timeouts?: TimeoutConfig; fault?: ValidatorFault }
  /** Dandelion++ for local txs and peers' stem txs; unset or disabled: local txs go straight to gossip. */
  dandelion?: DandelionSettings
  /** Relay blocks as compact blocks (proof of work only); unset: off (the simulator and in-process tests). */
  compactBlocks?: boolean
}

export class PeerchainNode {
  private readonly syncMeter: SyncMeter
  private started = false
  private lightProofsRpc?: LightRpcProofs
  /** Per-peer turns and quotas of the sync server. */
  readonly serveQuota: ServeQuota
  readonly uploadCap: UploadCap
  /** Per-peer quotas of the light server (light/quota.ts). */
  readonly lightQuota: LightQuota

  constructor(
    private readonly deps: NodeDeps,
    private readonly init: NodeInit,
    readonly ledger: LedgerNode,
    readonly status: StatusExchange,
    readonly relay: Relay,
    readonly sync: Synchronizer,
    readonly miner: MinerLoop,
    /** Proof of stake: the BFT rounds this node votes in (a validator key) or follows, checking and relaying (a full node). */
    readonly validator: ValidatorService | undefined,
    /**
     * The one signer of the validator key's own txs: the service's evidence txs and the
     * operator's stake and unstake (the API's) share its queue, so no two take one nonce.
     */
    readonly validatorTxs: ValidatorTxSigner | undefined = undefined,
    /** Dandelion++ relay of local and stem txs (unset under --no-dandelion). */
    readonly dandelion: DandelionRelay | undefined = undefined,
    /** Compact blocks (unset under --no-compact-blocks, and under BFT finality). */
    readonly compact: CompactWiring | undefined = undefined,
  ) {
    this.syncMeter = new SyncMeter(deps.clock)
    const reportPeer = (peer: string, penalty: number, reason: string) => deps.network.reportPeer(peer, penalty, reason)
    this.serveQuota = new ServeQuota({ clock: deps.clock, timers: deps.timers, reportPeer }, init.serve?.quota)
    this.uploadCap = new UploadCap({ bytesPerPeriod: init.serve?.uploadCapBytes ?? 0 }, deps.clock)
    this.lightQuota = new LightQuota({ clock: deps.clock, reportPeer })
  }

  get network(): Network {
    return this.deps.network
  }

  get peerId(): string {
    return this.deps.network.peerId
  }

  get role(): Role {
    return this.init.role
  }

  get minerAddress(): Uint8Array {
    return this.init.minerAddress
  }

  /** The light protocol's proofs for the JSON-RPC (`light_accountProof`, `light_txProof`), once started. */
  get lightProofs(): LightRpcProofs | undefined {
    return this.lightProofsRpc
  }

  /** Serves the protocols, wires the events, starts the network and, if asked, the miner. */
  async start(): Promise<void> {
    const { network, clock, log } = this.deps
    const { chain } = this.ledger
    await this.status.start()
    await network.handle(
      syncProtocol(chain.chainId),
      createSyncHandler(
        chain,
        {},
        {
          reportPeer: (peer, penalty, reason) => network.reportPeer(peer, penalty, reason),
          quota: this.serveQuota,
          uploadCap: this.uploadCap,
        },
      ),
      SYNC_SERVE_LIMITS,
    )
    // Light clients' proofs read the state trie through a reader of their own over the same store (nodes are never pruned).
    const lightProver = await StateTrie.open(this.deps.store, LIGHT_PROOF_TRIE_CACHE_NODES)
    this.lightProofsRpc = new LightRpcProofs(chain, lightProver)
    await network.handle(
      lightProtocol(chain.chainId),
      createLightHandler(
        chain,
        lightProver,
        {},
        {
          reportPeer: (peer, penalty, reason) => network.reportPeer(peer, penalty, reason),
          quota: this.lightQuota,
        },
      ),
      LIGHT_SERVE_LIMITS,
    )
    this.relay.start()
    await this.dandelion?.start()
    await this.compact?.start()
    announceHeads({
      onHeadChange: (listener) => chain.onHeadChange(listener),
      publishBlock: (block) => (this.compact ? this.compact.publishBlock(block) : this.relay.publishBlock(block)),
      clock,
      log: (msg, fields) => log.warn(msg, fields),
    })
    chain.onHeadChange((change) => this.syncMeter.record(change.head.height))
    this.status.onPeerAhead((peer) => void this.sync.sync(peer))
    await network.start()
    this.started = true
    if (this.init.mine) this.miner.start()
    this.validator?.start()
  }

  /** A local tx: into its Dandelion stem, or (without it) admitted to our mempool and gossiped. Throws VerifyError. */
  submitTx(tx: Tx): Promise<AddResult> {
    return this.dandelion ? this.dandelion.submitOwn(tx) : this.relay.submitTx(tx)
  }

  /** Where a catch-up stands, with its rate and ETA. */
  syncStatus(): SyncStatus {
    return this.syncMeter.status(this.sync.progress(), this.ledger.chain.head.height)
  }

  async stop(): Promise<void> {
    this.validator?.stop()
    this.dandelion?.stop()
    await this.miner.stop()
    await this.sync.stop()
    if (this.started) await this.deps.network.stop()
    await this.ledger.close()
  }
}

/** Opens the ledger and connects every component; `start()` puts the node on the network. */
export async function createNode(deps: NodeDeps, init: NodeInit): Promise<PeerchainNode> {
  const { network, clock, rng, timers, log, observer } = deps
  const ledger = await LedgerNode.open(
    {
      store: deps.store,
      engine: deps.engine,
      signatures: deps.signatures,
      clock,
      onInternalError: (err, where) => log.error(`${where} failed`, { error: (err as Error).stack ?? String(err) }),
      log: (msg, fields) => log.warn(msg, fields),
    },
    { genesis: init.genesis, chain: init.chain, mempool: init.mempool },
  )
  const { chain } = ledger
  const status = new StatusExchange(
    { net: network, chain, clock, timers, log: (msg, fields) => log.debug(msg, fields) },
    { role: init.role },
  )
  const syncFns = createSyncFns(
    network,
    chain,
    status,
    (h) => ledger.engine.checkSeal(h),
    (block) => chain.preverify(block),
  )
  const syncLog = log.child({ module: 'sync' })
  const sync = new Synchronizer(observer?.instrumentSync ? observer.instrumentSync(syncFns) : syncFns, {
    ...init.sync,
    clock,
    rng,
    timers,
    log: (msg, fields) => syncLog.info(msg, fields),
  })
  const unknownParent = new UnknownParentPolicy({
    attribute: (id, peer, counted) => chain.orphans.attribute(id, peer, counted),
    resetRun: (peer) => chain.orphans.connected(peer),
    reportPeer: (peer, penalty, reason) => network.reportPeer(peer, penalty, reason),
    startSync: (peer) => void sync.sync(peer),
    syncing: () => sync.progress().state !== 'idle',
    clock,
  })
  const compact =
    init.compactBlocks && !chain.hasFinality
      ? new CompactWiring({
          network,
          chain,
          engine: ledger.engine,
          mempool: ledger.mempool,
          decoders: deps.decoders ?? strictDecoders,
          requestBlocks: (peer, hashes, signal) => syncFns.requestBlocks(peer, hashes, signal),
          publishGossip: (block) => relay.publishBlock(block),
          onUnknownParent: (peer, block) => unknownParent.onUnknownParent(peer, block.id),
          onPeerBlock: (peer, block) => {
            const entry = chain.index.get(block.id)
            if (!entry) return
            chain.orphans.connected(peer)
            status.updateHead(peer, entry.height, entry.totalWork, entry.id)
          },
          clock,
          timers,
          rng,
          log,
          observer: observer?.compact,
        })
      : undefined
  const relay = new Relay(
    network,
    chain,
    ledger.mempool,
    {
      onUnknownParent: (peer, block) => unknownParent.onUnknownParent(peer, block.id),
      onPeerBlock: (peer, entry) => {
        chain.orphans.connected(peer)
        status.updateHead(peer, entry.height, entry.totalWork, entry.id)
      },
      countsStatefulFailures: () => sync.progress().state === 'idle',
      onTxIgnored: compact && ((tx) => compact.noteIgnoredTx(tx)),
      onVerdict: observer?.onVerdict,
      log: (msg, fields) => log.warn(msg, fields),
    },
    clock,
    deps.decoders,
  )
  const miner = new MinerLoop(
    { ledger, timers, log: log.child({ module: 'miner' }), canMine: () => sync.progress().state === 'idle' },
    { payTo: init.minerAddress },
  )
  const { validator, signer } = createRounds({
    engine: deps.engine,
    chain,
    ledger,
    network,
    timers,
    clock,
    log,
    genesis: init.genesis,
    key: init.validator,
    sync,
    submitTx: (tx) => relay.submitTx(tx),
  })
  const dandelion = init.dandelion?.enabled
    ? wireDandelion(
        {
          network,
          onHeadChange: (listener) => chain.onHeadChange(listener),
          chainId: chain.chainId,
          txBytesMax: init.genesis.limits.txBytesMax,
          mempool: ledger.mempool,
          decoders: deps.decoders ?? strictDecoders,
          clock,
          timers,
          rng,
          log,
          hooks: observer?.dandelion,
        },
        init.dandelion,
      )
    : undefined
  return new PeerchainNode(deps, init, ledger, status, relay, sync, miner, validator, signer, dandelion, compact)
}
