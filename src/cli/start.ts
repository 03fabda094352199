/** `peerchain start`: one node from a data directory and flags. */
import { parseAddress } from '../ledger/address.js'
import { devnetGenesis } from '../ledger/genesis.js'
import { DEFAULT_LISTEN, DEFAULT_RPC_PORT, minerAddressOf, type NodeConfig, type NodeRole } from '../node/config.js'
import { readGenesisFile } from '../node/genesis-file.js'
import { PeerchainNode } from '../node/node.js'
import { createLogger, type LogLevel } from '../util/log.js'

export interface StartFlags {
  datadir: string
  listen?: string[]
  bootstrap?: string[]
  rpcHost: string
  rpcPort: string
  role: string
  mine?: boolean
  mineThreads: string
  minerAddress?: string
  genesis?: string
  mdns?: boolean
  localCluster?: boolean
  exitWithParent?: boolean
  logLevel: string
}

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

function port(text: string, flag: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`${flag} must be a port number 0-65535, got "${text}"`)
  return n
}

export async function resolveStartConfig(flags: StartFlags): Promise<NodeConfig> {
  if (flags.role !== 'full' && flags.role !== 'miner')
    throw new UsageError(`--role must be full or miner, got "${flags.role}"`)
  const threads = Number(flags.mineThreads)
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new UsageError(`--mine-threads must be an integer 1-64, got "${flags.mineThreads}"`)
  }
  let minerAddress: Uint8Array | undefined
  if (flags.minerAddress) {
    try {
      minerAddress = parseAddress(flags.minerAddress)
    } catch (err) {
      throw new UsageError(`--miner-address: ${(err as Error).message}`)
    }
  }
  const mine = flags.mine === true
  return {
    dataDir: flags.datadir,
    genesis: flags.genesis ? await readGenesisFile(flags.genesis) : devnetGenesis(),
    listen: flags.listen && flags.listen.length > 0 ? flags.listen : DEFAULT_LISTEN,
    bootstrap: flags.bootstrap ?? [],
    rpcHost: flags.rpcHost,
    rpcPort: port(flags.rpcPort, '--rpc-port'),
    role: (mine ? 'miner' : flags.role) as NodeRole,
    mine,
    mineThreads: threads,
    minerAddress: minerAddress ?? (await minerAddressOf(flags.datadir)),
    mdns: flags.mdns === true,
    localCluster: flags.localCluster === true,
  }
}

export async function startCommand(flags: StartFlags): Promise<void> {
  const level = flags.logLevel as LogLevel
  if (!['debug', 'info', 'warn', 'error'].includes(level)) {
    throw new UsageError(`--log-level must be debug, info, warn or error, got "${flags.logLevel}"`)
  }
  const config = await resolveStartConfig(flags)
  const log = createLogger(level)
  const node = await PeerchainNode.start(config, log)
  // One machine-readable line on stdout: devnet and tests wait for it.
  process.stdout.write(
    `${JSON.stringify({ event: 'ready', rpc: node.rpcUrl, peerId: node.peerId, listen: node.listenAddresses() })}\n`,
  )
  let stopping = false
  const shutdown = (signal: string): void => {
    if (stopping) return
    stopping = true
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
}

export { DEFAULT_RPC_PORT }
