/**
 * `peerchain start`: one node from a data directory, its config file, the
 * environment and flags. The node itself (`node/start.ts`: libp2p, LevelDB,
 * workers) is loaded once the config is valid, so a bad flag or `--help`
 * answers without loading it.
 */
import { type Command, Option } from 'commander'
import { CONFIG_KEYS, ConfigError, type ConfigFlags, resolveNodeConfig } from '../config/index.js'
import { DEVNET_ACCOUNTS } from '../ledger/genesis.js'
import { createLogger, resolveLogFormat } from '../util/log.js'
import { UsageError } from './errors.js'
import { SyncProgressBar } from './progress.js'

/**
 * As commander parses them. No option has a commander default: an absent flag is
 * undefined, so it leaves the value from the config file or the environment.
 */
export interface StartFlags extends ConfigFlags {
  datadir?: string
  config?: string
  listen?: string[]
  bootstrap?: string[]
  rpcHost?: string
  rpcPort?: string
  rpcMaxConnections?: string
  rpcRequestsPerSec?: string
  role?: string
  mine?: boolean
  mineThreads?: string
  minerAddress?: string
  genesis?: string
  maxReorgDepth?: string
  mdns?: boolean
  localCluster?: boolean
  maxUploadMib?: string
  lab?: boolean
  asmap?: string
  labLinks?: string
  gossip?: string
  compactBlocks?: boolean
  maxInboundPerIp?: string
  maxInboundPerGroup?: string
  statusDeadlineMs?: string
  logLevel?: string
  logFormat?: string
  trace?: string
  dandelion?: boolean
  fluffPercent?: string
  embargoMeanMs?: string
  exitWithParent?: boolean
  devAccounts?: string
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run one node; settings: flags > PEERCHAIN_* environment > config file > defaults (docs/CONFIG.md)')
    .option('--datadir <dir>', 'data directory: chain, keys, peers, bans (default: $PEERCHAIN_DATADIR or ~/.peerchain)')
    .option('--config <file>', 'config file (default: $PEERCHAIN_CONFIG, or <datadir>/peerchain.toml if it exists)')
    .option('--listen <multiaddr...>', withDefault('net.listen', 'libp2p listen addresses'))
    .option('--bootstrap <multiaddr...>', withDefault('net.bootstrap', 'peers to dial at start, ending in /p2p/<id>'))
    .option('--rpc-host <host>', withDefault('rpc.host', 'JSON-RPC bind address'))
    .option('--rpc-port <port>', withDefault('rpc.port', 'JSON-RPC port (0 = any free port)'))
    .option('--rpc-max-connections <n>', withDefault('rpc.max_connections', 'JSON-RPC connections open at once'))
    .option(
      '--rpc-requests-per-sec <n>',
      withDefault('rpc.requests_per_sec', 'JSON-RPC calls per second per client address'),
    )
    .option('--role <role>', withDefault('node.role', 'node role: full, miner, validator or light'))
    .option('--mine', 'mine from the start')
    .option('--mine-threads <n>', withDefault('mining.threads', 'mining worker threads, 1-64'))
    .option('--miner-address <pc1…>', 'address paid for mined blocks (default: a key in the data directory)')
    .option('--genesis <file>', 'genesis file (default: the built-in devnet)')
    .option(
      '--max-reorg-depth <n>',
      withDefault('chain.max_reorg_depth', 'deepest reorg followed, in blocks; raise it to follow a longer fork'),
    )
    .option('--mdns', 'find peers on the LAN with mDNS')
    .option('--local-cluster', 'relax per-IP limits for many nodes on one machine (devnets, tests)')
    .option(
      '--max-upload-mib <n>',
      withDefault('net.max_upload_mib', 'MiB of historical blocks served per 24 h (0 = unlimited)'),
    )
    .option('--lab', 'network lab: 127.A.B.C addresses are routable, one group per 127.A.B (tests, devnets)')
    .option('--asmap <file>', 'AS map file ("<CIDR> <ASN>" lines): group peers by AS number')
    .option('--lab-links <file>', 'network lab only (with --lab): shape every TCP byte by region from this links file')
    .option('--gossip <router>', withDefault('net.gossip', 'pubsub router: gossipsub or floodsub (a lab baseline)'))
    // Both forms, so an absent flag leaves compactBlocks undefined (as --dandelion below).
    .addOption(new Option('--compact-blocks', 'relay blocks as compact blocks (default)').hideHelp())
    .option('--no-compact-blocks', 'relay full blocks only, by gossip (config net.compact_blocks; a lab baseline)')
    .option('--max-inbound-per-ip <n>', withDefault('net.max_inbound_per_ip', 'inbound connections from one IP'))
    .option(
      '--max-inbound-per-group <n>',
      withDefault('net.max_inbound_per_group', 'inbound connections from one network group'),
    )
    .option(
      '--status-deadline-ms <ms>',
      withDefault('net.status_deadline_ms', 'cut a peer that has not completed the status exchange by then'),
    )
    // Both forms, so an absent flag leaves dandelion undefined (commander defaults a lone --no-x to true).
    .addOption(new Option('--dandelion', 'relay local txs by Dandelion++ (default)').hideHelp())
    .option('--no-dandelion', 'send local txs straight to gossip, without the Dandelion++ stem (config dandelion.stem)')
    .option('--fluff-percent <n>', withDefault('dandelion.fluff_percent', "Dandelion++'s per-epoch fluff probability"))
    .option(
      '--embargo-mean-ms <ms>',
      withDefault('dandelion.embargo_mean_ms', 'mean embargo before a node gossips a stem tx itself'),
    )
    .addOption(new Option('--exit-with-parent', 'stop when the launching process exits (devnet, tests)').hideHelp())
    .addOption(
      new Option(
        '--dev-accounts <indexes>',
        'hold built-in devnet accounts unlocked as devnet-<i> (devnets)',
      ).hideHelp(),
    )
    .option('--log-level <level>', withDefault('node.log_level', 'log level: debug, info, warn or error'))
    .option('--log-format <format>', withDefault('node.log_format', 'log format: auto, pretty or json'))
    .option('--trace <file>', 'append the event trace (JSON lines, for the network lab) to this file')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .action(startCommand)
}

/** An option's help with the schema's default, so help and behaviour cannot disagree. */
export function withDefault(path: string, text: string): string {
  const key = CONFIG_KEYS.find((k) => k.path === path)
  if (key === undefined) throw new Error(`no config key ${path}`)
  const value = key.defaultValue
  const shown = Array.isArray(value) ? (value.length === 0 ? 'none' : value.join(' ')) : String(value)
  return `${text} (default: ${shown}; config ${path}, env ${key.env})`
}

/** `--dev-accounts 0,2`: built-in devnet account indexes. */
export function parseDevAccounts(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim())
  if (parts.some((p) => !/^[0-9]{1,3}$/.test(p) || Number(p) >= DEVNET_ACCOUNTS)) {
    throw new UsageError(
      `--dev-accounts takes devnet account indexes 0-${DEVNET_ACCOUNTS - 1} separated by commas, got "${text}"`,
    )
  }
  return [...new Set(parts.map(Number))]
}

export async function startCommand(flags: StartFlags): Promise<void> {
  let config: Awaited<ReturnType<typeof resolveNodeConfig>>
  try {
    config = await resolveNodeConfig({ flags })
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    // Before anything started: every problem, one per line, then the usage exit code.
    for (const line of err.message.split('\n')) console.error(`peerchain: ${line}`)
    process.exit(2)
  }
  if (flags.devAccounts !== undefined) config.devAccounts = parseDevAccounts(flags.devAccounts)
  const { format, color } = resolveLogFormat(config.logFormat)
  // On a terminal, log lines go above the sync progress bar.
  let bar: SyncProgressBar | undefined
  const write = (line: string): void => {
    if (bar) bar.print(line)
    else process.stderr.write(line)
  }
  const log = createLogger(config.logLevel, {}, write, { format, color })
  if (config.configFile !== undefined) log.info('config file read', { path: config.configFile })
  // A light node (headers and proofs) has a start of its own; both give the surface used below.
  const startNode =
    config.role === 'light'
      ? (await import('../light/start.js')).startLightNode
      : (await import('../node/start.js')).startNode
  const { LinksFileError } = await import('../net/link-file.js')
  let node: Awaited<ReturnType<typeof startNode>>
  try {
    node = await startNode(config, log)
  } catch (err) {
    // The links file is read first, before the node opens anything: a bad one is a usage error.
    if (!(err instanceof LinksFileError)) throw err
    console.error(`peerchain: net.lab_links: ${config.labLinksFile}: ${err.message}`)
    process.exit(2)
  }
  log.info('dashboard', { url: node.dashboardUrl, tokenFile: node.rpcTokenFile })
  if (process.stderr.isTTY) {
    // Only to an operator's terminal, never to a log: the URL carries the API token.
    process.stderr.write(`open the dashboard with its token: ${node.dashboardUrlWithToken()}\n`)
  }
  if (process.stderr.isTTY && format === 'pretty') {
    bar = new SyncProgressBar(process.stderr, () => node.syncStatus())
    bar.start()
  }
  let stopping = false
  const shutdown = (signal: string): void => {
    if (stopping) return
    stopping = true
    bar?.stop()
    bar = undefined
    log.info('shutting down', { signal })
    node
      .stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log.error('shutdown failed', { error: String(err) })
        process.exit(1)
      })
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  if (flags.exitWithParent) {
    // Started by `devnet` or a test: never outlive it, even if it is killed with SIGKILL.
    const parent = process.ppid
    setInterval(() => {
      if (process.ppid !== parent) shutdown('parent exited')
    }, 1000).unref()
  }
  // One machine-readable line on stdout: devnet and tests wait for it. Last, so that a
  // SIGTERM sent as soon as it is read finds the handlers above in place.
  process.stdout.write(
    `${JSON.stringify({
      event: 'ready',
      rpc: node.rpcUrl,
      dashboard: node.dashboardUrl,
      peerId: node.peerId,
      listen: node.listenAddresses(),
    })}\n`,
  )
}
