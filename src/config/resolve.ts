/**
 * The node's configuration from its layers, lowest first: the schema's defaults,
 * the config file, the environment, the flags. Nothing starts until every layer
 * is checked; a ConfigError lists every problem found at once.
 */
import { parseAddress } from '../ledger/address.js'
import { devnetGenesis, type Genesis, GenesisError } from '../ledger/genesis.js'
import { minerAddressOf, type NodeConfig } from '../node/config.js'
import { readGenesisFile } from '../node/genesis-file.js'
import type { LogFormatSetting, LogLevel } from '../util/log.js'
import { type Env, envLayer } from './env.js'
import { ConfigError, type ConfigIssue, type ConfigSource, invalidValue, throwIfAny } from './errors.js'
import { fileLayer } from './file.js'
import { type FlagValue, flagLayer } from './flags.js'
import { type ConfigLayer, checkLayer, mergeLayers } from './layers.js'
import { locateConfigFile, resolveDataDir } from './paths.js'
import { roleIssues } from './role-rules.js'
import { type ConfigValues, configKey } from './schema.js'

/** The `start` flags that are not config keys themselves. */
export interface PathFlags {
  datadir?: string
  config?: string
}

export type ConfigFlags = PathFlags & Readonly<Record<string, FlagValue>>

export interface ResolveOptions {
  /** As commander parses them: `{ rpcPort: '9000', listen: ['/ip4/…'], mine: true }`. */
  flags?: ConfigFlags
  /** Default process.env. */
  env?: Env
  /** Relative paths in flags and env are resolved against this. Default process.cwd(). */
  cwd?: string
}

export interface LoadedConfig {
  dataDir: string
  /** The file read, if any. */
  configFile: string | undefined
  values: ConfigValues
  /** Where each key's value came from, by key path ('rpc.port'). */
  sources: Record<string, ConfigSource>
}

/** Reads and checks every layer; throws ConfigError naming each bad key, value and source. */
export async function loadConfig(options: ResolveOptions = {}): Promise<LoadedConfig> {
  const flags = options.flags ?? {}
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const dataDir = resolveDataDir(flags.datadir, env, cwd)
  const location = locateConfigFile(flags.config, env, dataDir, cwd)

  const file = await fileLayer(location)
  const fromEnv = envLayer(env, cwd)
  const fromFlags = flagLayer(flags, cwd)
  const layers: ConfigLayer[] = [...(file.layer ? [file.layer] : []), fromEnv.layer, fromFlags]
  const issues: ConfigIssue[] = [...file.issues, ...fromEnv.issues, ...layers.flatMap(checkLayer)]
  throwIfAny(issues)
  const { values, sources } = mergeLayers(layers)
  return { dataDir, configFile: file.found ? location.path : undefined, values, sources }
}

export interface ResolvedNodeConfig extends NodeConfig {
  logLevel: LogLevel
  logFormat: LogFormatSetting
  configFile: string | undefined
}

/**
 * `loadConfig`, then what the node needs from it: the genesis read (and the
 * role checked against its engine), the miner address decided.
 */
export async function resolveNodeConfig(options: ResolveOptions = {}): Promise<ResolvedNodeConfig> {
  const { dataDir, configFile, values, sources } = await loadConfig(options)
  if (values.net.lab_links !== undefined && !values.net.lab) {
    const allowed = configKey('net.lab_links')?.allowed ?? 'a lab links file'
    const source = sources['net.lab_links'] ?? 'default'
    throw new ConfigError([
      invalidValue('net.lab_links', values.net.lab_links, allowed, source, 'only with net.lab = true'),
    ])
  }
  const mine = values.mining.enabled
  const genesisPath = values.chain.genesis
  const genesis = genesisPath === undefined ? devnetGenesis() : await readGenesis(genesisPath, sources['chain.genesis'])
  throwIfAny(roleIssues(values, sources, genesis))
  return {
    dataDir,
    genesis,
    listen: values.net.listen,
    bootstrap: values.net.bootstrap,
    rpcHost: values.rpc.host,
    rpcPort: values.rpc.port,
    rpcMaxConnections: values.rpc.max_connections,
    rpcRequestsPerSec: values.rpc.requests_per_sec,
    role: mine ? 'miner' : values.node.role,
    mine,
    mineThreads: values.mining.threads,
    // Checked by the schema already; a key in the data directory when unset.
    minerAddress:
      values.mining.address === undefined ? await minerAddressOf(dataDir) : parseAddress(values.mining.address),
    mdns: values.net.mdns,
    localCluster: values.net.local_cluster,
    lab: values.net.lab,
    asmapFile: values.net.asmap,
    labLinksFile: values.net.lab_links,
    gossip: values.net.gossip,
    compactBlocks: values.net.compact_blocks,
    inboundPerIpMax: values.net.max_inbound_per_ip,
    inboundPerGroupMax: values.net.max_inbound_per_group,
    statusDeadlineMs: values.net.status_deadline_ms,
    maxReorgDepth: values.chain.max_reorg_depth,
    maxUploadMib: values.net.max_upload_mib,
    logLevel: values.node.log_level,
    logFormat: values.node.log_format,
    traceFile: values.node.trace,
    dandelion: {
      enabled: values.dandelion.stem,
      fluffProbability: values.dandelion.fluff_percent / 100,
      embargoMeanMs: values.dandelion.embargo_mean_ms,
    },
    configFile,
  }
}

/** A genesis file that cannot be read is a config error on chain.genesis; a bad one keeps its GenesisError. */
async function readGenesis(path: string, source: ConfigSource = 'default'): Promise<Genesis> {
  try {
    return await readGenesisFile(path)
  } catch (err) {
    if (err instanceof GenesisError && err.key === '(file)') {
      const allowed = configKey('chain.genesis')?.allowed ?? 'a genesis file'
      throw new ConfigError([invalidValue('chain.genesis', path, allowed, source, err.message)])
    }
    throw err
  }
}
