/**
 * The production node: builds the real parts (LevelDB, proof of work, the
 * signature worker pool, libp2p, the system clock, timers and randomness),
 * hands them to `createNode`, and puts the operator's surfaces around it:
 * the JSON-RPC API with its dashboard and metrics routes, the node's wallet,
 * the API token (its cookie file). The only place in node/ that touches the real world.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isLoopbackHost } from '../api/access.js'
import { withFilesMethods } from '../api/files-methods.js'
import { withLabMethods } from '../api/lab-methods.js'
import { RPC_METHODS } from '../api/methods.js'
import { type HttpRoute, RpcServer } from '../api/server.js'
import { createStaticHandler } from '../api/static.js'
import type { ConsensusEngine } from '../consensus/engine.js'
import { PosEngine } from '../consensus/pos/engine.js'
import { posEngineOf } from '../consensus/pos/genesis-set.js'
import { PowEngine } from '../consensus/pow/engine.js'
import { addressFromPublicKey } from '../ledger/address.js'
import { isVerifyError } from '../ledger/errors.js'
import { SignatureVerifier } from '../ledger/sigverify/pool.js'
import type { Tx } from '../ledger/tx.js'
import { metricsHandler, type NodeMetrics } from '../metrics/index.js'
import { createNetwork } from '../net/libp2p-network.js'
import { LinkShaper } from '../net/link-shaper.js'
import { blockTopic, proposalTopic, txTopic, voteTopic } from '../relay/topics.js'
import { LevelStore } from '../storage/level.js'
import type { SyncStatus } from '../sync/meter.js'
import { systemClock } from '../util/clock.js'
import type { Logger } from '../util/log.js'
import { systemRng } from '../util/rng.js'
import { systemTimers } from '../util/timers.js'
import type { NodeConfig } from './config.js'
import { type NodeFiles, openNodeFiles } from './files-wiring.js'
import { createNodeMetrics, observeNode, observePos } from './metrics.js'
import { createNode, type PeerchainNode } from './node.js'
import { NodeApiImpl } from './node-api.js'
import { removeRpcCookie, rpcCookiePath, writeRpcCookie } from './rpc-cookie.js'
import { stopOnStoreFailure } from './store-failure.js'
import { type NodeTrace, openNodeTrace, SyncedBlockSources } from './trace-wiring.js'
import type { ValidatorFault } from './validator.js'
import { loadOrCreateValidatorKey } from './validator-key.js'
import { missedWindowOf, ValidatorStats } from './validator-stats.js'
import { devAccountKeys, NodeWallet } from './wallet.js'

/** The built dashboard (`npm run build:dashboard`), served at /dashboard/. */
const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url))
const DASHBOARD_PATH = '/dashboard/'
const dashboard = createStaticHandler({ dir: DASHBOARD_DIR, basePath: DASHBOARD_PATH })

/** A started production node with its API, wallet and metrics. */
export class RunningNode {
  constructor(
    readonly node: PeerchainNode,
    readonly config: NodeConfig,
    readonly wallet: NodeWallet,
    /** Prometheus metrics; served at /metrics. */
    readonly metrics: NodeMetrics,
    private readonly rpc: RpcServer,
    /** The API token, in `<datadir>/rpc.cookie` while the node runs: the guarded methods need it on every bind. */
    private readonly rpcToken: string,
    /** The event trace (`--trace`), closed after the node so that `stop` is its last line. */
    private readonly trace?: NodeTrace,
    /** The lab's link shaper (`--lab-links`): its DNS refresh timer stops with the node. */
    private readonly labLinks?: LinkShaper,
    /** The file store (files-wiring.ts): closed once the node (and so its network) has stopped. */
    readonly files?: NodeFiles,
  ) {}

  get peerId(): string {
    return this.node.peerId
  }

  get rpcUrl(): string {
    return this.rpc.url
  }

  /** The dashboard's URL, without any token (safe to log). */
  get dashboardUrl(): string {
    return new URL(DASHBOARD_PATH, this.rpc.url).toString()
  }

  /**
   * The API token's cookie file. The token itself is never logged: only an
   * operator at a terminal is shown the dashboard URL that carries it
   * (`dashboardUrlWithToken`).
   */
  get rpcTokenFile(): string {
    return rpcCookiePath(this.config.dataDir)
  }

  /** The dashboard's URL with the API token in its fragment (a fragment never leaves the browser). */
  dashboardUrlWithToken(): string {
    return `${this.dashboardUrl}#token=${this.rpcToken}`
  }

  syncStatus(): SyncStatus {
    return this.node.syncStatus()
  }

  listenAddresses(): string[] {
    return this.node.network.listenAddresses()
  }

  async stop(): Promise<void> {
    // The API first, so no call can start the miner again or send while the rest closes.
    await this.rpc.close()
    await removeRpcCookie(this.config.dataDir, this.rpcToken)
    await this.node.stop()
    await this.files?.close()
    this.labLinks?.stop()
    await this.trace?.stop()
    this.wallet.close()
  }
}

export async function startNode(config: NodeConfig, log: Logger): Promise<RunningNode> {
  if (config.role === 'light') throw new Error('a light node is started by light/start.ts (startLightNode)')
  const { metrics, hooks } = createNodeMetrics()
  const netLog = log.child({ module: 'net' })
  // Lab only (the config allows it only with net.lab): every TCP byte shaped by region.
  const labLinks =
    config.labLinksFile === undefined
      ? undefined
      : await LinkShaper.load(config.labLinksFile, {
          nowMs: () => performance.now(),
          timers: systemTimers,
          rng: systemRng,
          log: (msg, fields) => netLog.info(msg, fields),
        })
  labLinks?.start()
  // A validator's key lives in its data directory (made on first start, like the miner key).
  const validatorKey = config.role === 'validator' ? await loadOrCreateValidatorKey(config.dataDir) : undefined
  const network = await createNetwork({
    dataDir: config.dataDir,
    listen: config.listen,
    bootstrap: config.bootstrap,
    chainId: config.genesis.chainId,
    scoredTopics: scoredTopics(config),
    mdns: config.mdns,
    dhtServer: true,
    localCluster: config.localCluster,
    lab: config.lab,
    asmapFile: config.asmapFile,
    inboundPerIpMax: config.inboundPerIpMax,
    inboundPerGroupMax: config.inboundPerGroupMax,
    statusDeadlineMs: config.statusDeadlineMs,
    gossip: config.gossip,
    labLinks,
    metricsRegistry: metrics.registry,
    log: (msg, fields) => netLog.debug(msg, fields),
  })
  const files = await openNodeFiles({
    dataDir: config.dataDir,
    clock: systemClock,
    net: { network, chainId: config.genesis.chainId, timers: systemTimers, rng: systemRng, log },
  })
  // the peer that served each synced block, for the trace
  const syncSources = config.traceFile === undefined ? undefined : new SyncedBlockSources()
  const engine = createEngine(config)
  const node = await createNode(
    {
      network,
      store: new LevelStore(join(config.dataDir, 'chain')),
      engine,
      signatures: new SignatureVerifier({}),
      clock: systemClock,
      timers: systemTimers,
      rng: systemRng,
      log,
      observer: {
        onVerdict: hooks.onVerdict,
        instrumentSync: (fns) => hooks.instrumentSync(syncSources?.instrument(fns) ?? fns),
        dandelion: hooks.dandelion,
        compact: hooks.compact,
      },
    },
    {
      genesis: config.genesis,
      role: config.role,
      mine: config.mine,
      minerAddress: config.minerAddress as Uint8Array,
      serve: { uploadCapBytes: (config.maxUploadMib ?? 0) * 1024 * 1024 },
      chain: { maxReorgDepth: config.maxReorgDepth },
      dandelion: config.dandelion && {
        ...config.dandelion,
        testDropStems: testStemDrop(process.env.PEERCHAIN_TEST_STEM_FAULT, log),
      },
      compactBlocks: config.compactBlocks ?? true,
      validator: validatorKey && {
        key: validatorKey,
        timeouts: config.genesis.pos?.timeouts,
        fault: testFault(process.env.PEERCHAIN_TEST_VALIDATOR_FAULT, log),
      },
    },
  )
  let running: RunningNode | undefined
  stopOnStoreFailure({
    onHalt: (listener) => node.ledger.chain.onHalt(listener),
    log,
    stop: () => (running ? running.stop() : node.stop()),
    exit: (code) => process.exit(code),
  })
  observeNode(metrics, node)
  // Proof of stake: missed votes over recent commits, for pos_validators and the metrics.
  const posStats =
    engine instanceof PosEngine
      ? await ValidatorStats.open({
          chain: node.ledger.chain,
          engine,
          window: missedWindowOf(config.genesis),
          onError: (err, height) =>
            log.warn('validator stats: a commit could not be read', { height, error: String(err) }),
        })
      : undefined
  if (posStats && engine instanceof PosEngine) {
    const { chain } = node.ledger
    observePos(metrics, { chain, schedule: engine.schedule, stats: posStats, nowMs: () => performance.now() })
  }
  const trace = syncSources && (await startTrace(config.traceFile as string, node, network, syncSources, log))
  await node.start()
  await files.start()

  // Fresh at every start: a cookie a crash left behind is replaced, never read.
  const rpcToken = await writeRpcCookie(config.dataDir)
  if (!isLoopbackHost(config.rpcHost)) {
    log.warn('the API is bound off loopback: every caller needs the token', {
      host: config.rpcHost,
      tokenFile: rpcCookiePath(config.dataDir),
    })
  }
  const wallet = new NodeWallet(config.dataDir, devAccountKeys(config.devAccounts ?? []), {
    clock: systemClock,
    timers: systemTimers,
  })
  const submitTx = async (tx: Tx) => {
    try {
      return await node.submitTx(tx)
    } catch (err) {
      if (isVerifyError(err)) metrics.txRejected('rpc', err.code)
      throw err
    }
  }
  const api = new NodeApiImpl({
    chain: node.ledger.chain,
    mempool: node.ledger.mempool,
    network,
    miner: node.miner,
    mineBlock: () => node.ledger.mineBlock(config.minerAddress as Uint8Array),
    wallet,
    submitTx,
    syncStatus: () => node.syncStatus(),
    role: config.role,
    mineThreads: config.mineThreads,
    minerAddress: config.minerAddress as Uint8Array,
    validator:
      validatorKey && node.validator && node.validatorTxs
        ? { address: addressFromPublicKey(validatorKey.publicKey), signer: node.validatorTxs, service: node.validator }
        : undefined,
    pos:
      posStats && engine instanceof PosEngine
        ? { schedule: engine.schedule, epochLength: engine.staking && config.genesis.pos?.epochLength, stats: posStats }
        : undefined,
    proofs: node.lightProofs,
  })
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
  const rpc = new RpcServer(api, {
    host: config.rpcHost,
    port: config.rpcPort,
    token: rpcToken,
    connectionsMax: config.rpcMaxConnections,
    clientCallsPerSec: config.rpcRequestsPerSec,
    methods: withFilesMethods(
      labLinks === undefined
        ? RPC_METHODS
        : withLabMethods(RPC_METHODS, { partition: async (groups) => labLinks.setPartition(groups) }),
      files.service,
    ),
    routes,
    onInternalError: (err, where) => log.error('RPC internal error', { where, error: String(err) }),
  })
  try {
    await rpc.start()
  } catch (err) {
    await removeRpcCookie(config.dataDir, rpcToken).catch(() => undefined)
    throw err
  }
  log.info('node started', {
    peerId: network.peerId,
    chainId: config.genesis.chainId,
    head: node.ledger.chain.head.height,
    rpc: rpc.url,
    listen: network.listenAddresses(),
  })
  running = new RunningNode(node, config, wallet, metrics, rpc, rpcToken, trace, labLinks, files)
  return running
}

/** The event trace (`--trace FILE`), on the system clock; opened before the network starts, so it sees every peer. */
function startTrace(
  path: string,
  node: PeerchainNode,
  network: Awaited<ReturnType<typeof createNetwork>>,
  syncSources: SyncedBlockSources,
  log: Logger,
): Promise<NodeTrace> {
  const cpuAtStart = process.cpuUsage()
  return openNodeTrace({
    path,
    peerId: network.peerId,
    pid: process.pid,
    clock: systemClock,
    timers: systemTimers,
    chain: node.ledger.chain,
    mempool: node.ledger.mempool,
    network,
    topics: { tx: txTopic(node.ledger.chain.chainId), block: blockTopic(node.ledger.chain.chainId) },
    syncSources,
    compact: node.compact,
    sampleProcess: () => {
      const { user, system } = process.cpuUsage(cpuAtStart)
      return { cpuMs: (user + system) / 1000, rss: process.memoryUsage.rss() }
    },
    onWriteError: (err) => log.warn('trace: a write failed; its lines are counted as dropped', { error: String(err) }),
  })
}

/**
 * A Byzantine fault the validator is driven to, for tests only
 * (PEERCHAIN_TEST_VALIDATOR_FAULT = equivocate | silent | late:<ms>): the
 * integration tests check that the other validators stay safe and slash it.
 */
function testFault(value: string | undefined, log: Logger): ValidatorFault | undefined {
  if (value === undefined || value === '') return undefined
  const late = /^late:(\d{1,6})$/.exec(value)
  const fault: ValidatorFault | undefined =
    value === 'equivocate' || value === 'silent'
      ? { kind: value }
      : late
        ? { kind: 'late', lateMs: Number(late[1]) }
        : undefined
  if (!fault) throw new Error(`PEERCHAIN_TEST_VALIDATOR_FAULT: "${value}" is not equivocate, silent or late:<ms>`)
  log.warn('TEST FAULT: this validator misbehaves on purpose and will be slashed', { fault: value })
  return fault
}

/**
 * Tests only (PEERCHAIN_TEST_STEM_FAULT=drop): the node takes stem txs and
 * drops them, so the integration test can kill a hop holding a stem and see
 * the upstream embargo fire.
 */
function testStemDrop(value: string | undefined, log: Logger): boolean {
  if (value === undefined || value === '') return false
  if (value !== 'drop') throw new Error(`PEERCHAIN_TEST_STEM_FAULT: "${value}" is not drop`)
  log.warn('TEST FAULT: this node drops the Dandelion stem txs it takes')
  return true
}

/** The consensus engine the genesis names. */
function createEngine(config: NodeConfig): ConsensusEngine {
  const { genesis } = config
  if (genesis.params.engine === 'pos') {
    return posEngineOf(genesis)
  }
  return new PowEngine(genesis.params, { mineThreads: config.mineThreads })
}

/** The gossip topics whose deliveries count in peer scores: proof of stake adds its votes and proposals. */
function scoredTopics(config: NodeConfig): string[] {
  const { chainId, params } = config.genesis
  const topics = [txTopic(chainId), blockTopic(chainId)]
  return params.engine === 'pos' ? [...topics, voteTopic(chainId), proposalTopic(chainId)] : topics
}
