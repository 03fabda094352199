/**
 * The production light node (`peerchain start --role light`): libp2p with the
 * DHT in client mode and no block-relay connections, the header store in
 * LevelDB under `<datadir>/light`, the system clock and timers, and the
 * operator's surfaces of a full node (node/start.ts): the JSON-RPC API (the
 * light NodeApi, api.ts) with its dashboard route, and the API token's
 * cookie. No mempool, miner, sync server or node wallet: see api.ts for
 * what the API answers.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isLoopbackHost } from '../api/access.js'
import { type HttpRoute, RpcServer } from '../api/server.js'
import { createStaticHandler } from '../api/static.js'
import { createNetwork } from '../net/libp2p-network.js'
import type { NodeConfig } from '../node/config.js'
import { removeRpcCookie, rpcCookiePath, writeRpcCookie } from '../node/rpc-cookie.js'
import { LevelStore } from '../storage/level.js'
import type { SyncStatus } from '../sync/meter.js'
import { systemClock } from '../util/clock.js'
import type { Logger } from '../util/log.js'
import { systemTimers } from '../util/timers.js'
import { LightNodeApi } from './api.js'
import { LightNode } from './node.js'

/** The built dashboard, as a full node serves it (node/start.ts; this file sits at the same depth). */
const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url))
const DASHBOARD_PATH = '/dashboard/'

/** A started light node with its API: the surface `peerchain start` uses of a RunningNode. */
export class RunningLightNode {
  constructor(
    readonly node: LightNode,
    readonly config: NodeConfig,
    private readonly rpc: RpcServer,
    private readonly rpcToken: string,
  ) {}

  get peerId(): string {
    return this.node.peerId
  }

  get rpcUrl(): string {
    return this.rpc.url
  }

  get dashboardUrl(): string {
    return new URL(DASHBOARD_PATH, this.rpc.url).toString()
  }

  get rpcTokenFile(): string {
    return rpcCookiePath(this.config.dataDir)
  }

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
    await this.rpc.close()
    await removeRpcCookie(this.config.dataDir, this.rpcToken)
    await this.node.stop()
  }
}

export async function startLightNode(config: NodeConfig, log: Logger): Promise<RunningLightNode> {
  if (config.role !== 'light') throw new Error(`startLightNode needs role "light", not "${config.role}"`)
  const netLog = log.child({ module: 'net' })
  const network = await createNetwork({
    dataDir: config.dataDir,
    listen: config.listen,
    bootstrap: config.bootstrap,
    chainId: config.genesis.chainId,
    // No gossip topic of its own: nothing to score peers on.
    scoredTopics: [],
    mdns: config.mdns,
    // A light node answers no DHT queries (it only looks peers up).
    dhtServer: false,
    // Block-relay-only connections relay blocks, which a light node takes none of.
    blockRelayTarget: 0,
    localCluster: config.localCluster,
    lab: config.lab,
    asmapFile: config.asmapFile,
    inboundPerIpMax: config.inboundPerIpMax,
    inboundPerGroupMax: config.inboundPerGroupMax,
    statusDeadlineMs: config.statusDeadlineMs,
    gossip: config.gossip,
    log: (msg, fields) => netLog.debug(msg, fields),
  })
  const node = await LightNode.create(
    {
      network,
      store: new LevelStore(join(config.dataDir, 'light')),
      clock: systemClock,
      timers: systemTimers,
      log: log.child({ module: 'light' }),
    },
    { genesis: config.genesis, sync: { maxForkDepth: config.maxReorgDepth ?? 10_000 } },
  )
  await node.start()
  const rpcToken = await writeRpcCookie(config.dataDir)
  if (!isLoopbackHost(config.rpcHost)) {
    log.warn('the API is bound off loopback: every caller needs the token', {
      host: config.rpcHost,
      tokenFile: rpcCookiePath(config.dataDir),
    })
  }
  const dashboard = createStaticHandler({ dir: DASHBOARD_DIR, basePath: DASHBOARD_PATH })
  const routes: HttpRoute[] = [
    {
      path: DASHBOARD_PATH,
      auth: false,
      handle: (req, res) => {
        dashboard(req, res)
      },
    },
  ]
  const rpc = new RpcServer(new LightNodeApi(node.apiParts()), {
    host: config.rpcHost,
    port: config.rpcPort,
    token: rpcToken,
    connectionsMax: config.rpcMaxConnections,
    clientCallsPerSec: config.rpcRequestsPerSec,
    routes,
    onInternalError: (err, where) => log.error('RPC internal error', { where, error: String(err) }),
  })
  try {
    await rpc.start()
  } catch (err) {
    await removeRpcCookie(config.dataDir, rpcToken).catch(() => undefined)
    await node.stop()
    throw err
  }
  log.info('light node started', {
    peerId: network.peerId,
    chainId: config.genesis.chainId,
    tip: node.store.tip.height,
    rpc: rpc.url,
    listen: network.listenAddresses(),
  })
  return new RunningLightNode(node, config, rpc, rpcToken)
}
