/**
 * The networked node: the composition root that wires the ledger (store,
 * chain, mempool, miner) to the network (status handshake, gossip, sync) and
 * the JSON-RPC API. Nothing else constructs subsystems.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SyncStatusJson } from '../api/json.js'
import { type HttpRoute, RpcServer } from '../api/server.js'
import { createStaticHandler } from '../api/static.js'
import type { Block } from '../ledger/block.js'
import { isVerifyError } from '../ledger/errors.js'
import type { Tx } from '../ledger/tx.js'
import { metricsHandler, type NodeMetrics } from '../metrics/index.js'
import { createNetwork } from '../net/libp2p-network.js'
import { type Network, RequestError } from '../net/network.js'
import { Relay } from '../relay/gossip.js'
import { StatusExchange } from '../relay/status.js'
import { syncProtocol } from '../relay/topics.js'
import { createSyncHandler, SYNC_REQUEST_LIMITS, Synchronizer } from '../sync/index.js'
import { SyncMeter } from '../sync/meter.js'
import { systemClock } from '../util/clock.js'
import type { Logger } from '../util/log.js'
import { systemRng } from '../util/rng.js'
import type { NodeConfig } from './config.js'
import { LedgerNode } from './ledger-node.js'
import { createNodeMetrics, observeNode } from './metrics.js'
import { MinerLoop } from './miner.js'
import { NodeApiImpl } from './node-api.js'
import { isLoopbackHost, loadOrCreateRpcToken, RPC_TOKEN_FILE } from './rpc-token.js'
import { createSyncFns } from './sync-fns.js'
import { devAccountKeys, NodeWallet } from './wallet.js'

/** The built dashboard (`npm run build:dashboard`), served at /dashboard/. */
const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url))
const DASHBOARD_PATH = '/dashboard/'
const dashboard = createStaticHandler({ dir: DASHBOARD_DIR, basePath: DASHBOARD_PATH })

/** Heads older than this are history being replayed by sync, not news. */
const ANNOUNCE_AGE_MAX_MS = 60_000

export class PeerchainNode {
  private rpc?: RpcServer
  /** Set when the API is bound off loopback: every caller must present it. */
  private rpcToken?: string
  private readonly syncMeter = new SyncMeter(systemClock)
  readonly wallet: NodeWallet

  private constructor(
    readonly config: NodeConfig,
    readonly ledger: LedgerNode,
    readonly network: Network,
    readonly status: StatusExchange,
    readonly relay: Relay,
    readonly sync: Synchronizer,
    readonly miner: MinerLoop,
    readonly api: NodeApiImpl,
    private readonly log: Logger,
    /** Prometheus metrics; serve `metrics.registry` with metricsHandler. */
    readonly metrics: NodeMetrics,
  ) {
    this.wallet = new NodeWallet(config.dataDir, devAccountKeys(config.devAccounts ?? []))
  }

  static async start(config: NodeConfig, log: Logger): Promise<PeerchainNode> {
    const ledger = await LedgerNode.open({
      genesis: config.genesis,
      dbPath: join(config.dataDir, 'chain'),
      mineThreads: config.mineThreads,
    })
    const { chain, mempool } = ledger
    const { metrics, hooks: metricHooks } = createNodeMetrics()
    const netLog = log.child({ module: 'net' })
    const network = await createNetwork({
      dataDir: config.dataDir,
      listen: config.listen,
      bootstrap: config.bootstrap,
      chainId: chain.chainId,
      mdns: config.mdns,
      dhtServer: true,
      localCluster: config.localCluster,
      metricsRegistry: metrics.registry,
      log: (msg, fields) => netLog.debug(msg, fields),
    })
    const status = new StatusExchange(network, chain, config.role)
    const api = new NodeApiImpl()
    const syncLog = log.child({ module: 'sync' })
    const preverify = (block: Block): void => {
      ledger.signatures
        .verifyTxs(block.txs)
        .then((bad) => {
          // Only a fully valid block's txs are cached; a bad one is refused again at import.
          if (bad === -1) for (const tx of block.txs) ledger.signatures.markVerified(tx)
        })
        .catch(() => {}) // the import verifies again and reports any failure
    }
    const sync = new Synchronizer(
      metricHooks.instrumentSync(createSyncFns(network, chain, status, (h) => ledger.engine.checkSeal(h), preverify)),
      {
        clock: systemClock,
        rng: systemRng,
        timers: globalThis,
        log: (msg, fields) => syncLog.info(msg, fields),
      },
    )
    const relay = new Relay(network, chain, mempool, {
      onUnknownParent: (peer) => void sync.sync(peer),
      onAcceptedTx: (tx, status) => api.emitPendingTx(tx, status),
      onVerdict: metricHooks.onVerdict,
      log: (msg, fields) => log.warn(msg, fields),
    })
    const miner = new MinerLoop(
      ledger,
      config.minerAddress as Uint8Array,
      (block: Block) => {
        metricHooks.onMinedBlock()
        return relay.publishBlock(block)
      },
      () => sync.progress().state === 'idle',
      log.child({ module: 'miner' }),
    )
    const node = new PeerchainNode(config, ledger, network, status, relay, sync, miner, api, log, metrics)
    api.bind(node)
    observeNode(metrics, node)

    await status.start()
    await network.handle(
      syncProtocol(chain.chainId),
      createSyncHandler(
        chain,
        {},
        { reportPeer: (peer, penalty, reason) => network.reportPeer(peer, penalty, reason) },
      ),
      SYNC_REQUEST_LIMITS,
    )
    relay.start()
    chain.onHeadChange((change) => {
      node.syncMeter.record(change.head.height)
      api.emitHead(change.head)
      // A fresh head we mined or synced is announced (old blocks replayed by a catch-up are not);
      // one that came by gossip is relayed by the mesh already.
      const tip = change.connected.at(-1)
      if (tip && systemClock.nowMs() - tip.header.timestampMs < ANNOUNCE_AGE_MAX_MS) {
        relay.publishBlock(tip).catch((err: unknown) => log.warn('publishing a block failed', { error: String(err) }))
      }
    })
    network.on('peer:connect', (peer) => node.onPeerConnect(peer))
    network.on('peer:disconnect', (peer) => status.forget(peer))
    await network.start()

    if (!isLoopbackHost(config.rpcHost)) {
      node.rpcToken = await loadOrCreateRpcToken(config.dataDir)
      log.warn('the API is bound off loopback: callers need the token', {
        host: config.rpcHost,
        tokenFile: join(config.dataDir, RPC_TOKEN_FILE),
      })
    }
    const routes: HttpRoute[] = [
      {
        path: '/metrics',
        auth: true,
        handle: metricsHandler(metrics.registry, (err) => log.error('metrics scrape failed', { error: String(err) })),
      },
      {
        path: DASHBOARD_PATH,
        auth: false, // static files only: the page's API calls need the token like any other
        handle: (req, res) => {
          dashboard(req, res)
        },
      },
    ]
    node.rpc = new RpcServer(api, {
      host: config.rpcHost,
      port: config.rpcPort,
      token: node.rpcToken,
      routes,
      onInternalError: (err, where) => log.error('RPC internal error', { where, error: String(err) }),
    })
    await node.rpc.start()
    if (config.mine) miner.start()
    log.info('node started', {
      peerId: network.peerId,
      chainId: chain.chainId,
      head: chain.head.height,
      rpc: node.rpcUrl,
      listen: network.listenAddresses(),
    })
    return node
  }

  get peerId(): string {
    return this.network.peerId
  }

  get rpcUrl(): string {
    return this.rpc?.url ?? ''
  }

  /** The dashboard's URL, without any token (safe to log). */
  get dashboardUrl(): string {
    return this.rpc ? new URL(DASHBOARD_PATH, this.rpc.url).toString() : ''
  }

  /**
   * The API token file when the API is bound off loopback, else undefined.
   * The token itself is never logged: only an operator at a terminal is shown
   * the dashboard URL that carries it (`dashboardUrlWithToken`).
   */
  get rpcTokenFile(): string | undefined {
    return this.rpcToken ? join(this.config.dataDir, RPC_TOKEN_FILE) : undefined
  }

  /** The dashboard's URL with the API token in its fragment (a fragment never leaves the browser). */
  dashboardUrlWithToken(): string {
    return this.rpcToken ? `${this.dashboardUrl}#token=${this.rpcToken}` : this.dashboardUrl
  }

  /** Where a catch-up stands, with its rate and ETA. */
  syncStatus(): SyncStatusJson {
    return this.syncMeter.status(this.sync.progress(), this.ledger.chain.head.height)
  }

  listenAddresses(): string[] {
    return this.network.listenAddresses()
  }

  /** Admits a tx to our mempool and gossips it. Throws VerifyError. */
  async submitTx(tx: Tx) {
    let result: Awaited<ReturnType<LedgerNode['submitTx']>>
    try {
      result = await this.ledger.submitTx(tx)
    } catch (err) {
      if (isVerifyError(err)) this.metrics.txRejected('rpc', err.code)
      throw err
    }
    this.metrics.txAccepted('rpc')
    this.api.emitPendingTx(tx, result.status)
    await this.relay
      .publishTx(tx)
      .catch((err: unknown) => this.log.warn('publishing a tx failed', { error: String(err) }))
    return result
  }

  private onPeerConnect(peer: string): void {
    this.status
      .exchange(peer)
      .then((theirs) => {
        if (theirs && theirs.totalWork > this.ledger.chain.head.totalWork) void this.sync.sync(peer)
      })
      .catch((err: unknown) => {
        if (err instanceof RequestError && err.code === 'PROTOCOL') {
          // It does not speak our chain's status protocol: another chain id.
          void this.network.ban(peer, 'does not speak this chain id')
          return
        }
        this.log.debug('status exchange failed', { peer, error: String(err) })
      })
  }

  async stop(): Promise<void> {
    // The API first, so no call can start the miner again or send while the rest closes.
    await this.rpc?.close()
    await this.miner.stop()
    await this.sync.stop()
    await this.network.stop()
    this.wallet.close()
    await this.ledger.close()
  }
}
