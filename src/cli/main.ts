/** The `peerchain` command: one binary, subcommands, --help everywhere. */
import '../util/shims.js'
import { Command, Option } from 'commander'
import { GenesisError } from '../ledger/genesis.js'
import { devnetCommand } from './devnet.js'
import { registerInitCommand } from './init.js'
import { registerReadCommands } from './read.js'
import { registerSimCommand } from './sim.js'
import { startCommand, UsageError, withDefault } from './start.js'
import { registerWalletCommands } from './wallet.js'

const program = new Command()
  .name('peerchain')
  .description('A peer-to-peer ledger network node')
  .version('0.1.0')
  .showHelpAfterError()

program
  .command('start')
  .description('run one node; settings: flags > PEERCHAIN_* environment > config file > defaults (docs/CONFIG.md)')
  .option('--datadir <dir>', 'data directory: chain, keys, peers, bans (default: $PEERCHAIN_DATADIR or ~/.peerchain)')
  .option('--config <file>', 'config file (default: $PEERCHAIN_CONFIG, or <datadir>/peerchain.toml if it exists)')
  .option('--listen <multiaddr...>', withDefault('net.listen', 'libp2p listen addresses'))
  .option('--bootstrap <multiaddr...>', withDefault('net.bootstrap', 'peers to dial at start, ending in /p2p/<id>'))
  .option('--rpc-host <host>', withDefault('rpc.host', 'JSON-RPC bind address'))
  .option('--rpc-port <port>', withDefault('rpc.port', 'JSON-RPC port (0 = any free port)'))
  .option('--role <role>', withDefault('node.role', 'node role: full or miner'))
  .option('--mine', 'mine from the start')
  .option('--mine-threads <n>', withDefault('mining.threads', 'mining worker threads, 1-64'))
  .option('--miner-address <pc1…>', 'address paid for mined blocks (default: a key in the data directory)')
  .option('--genesis <file>', 'genesis file (default: the built-in devnet)')
  .option('--mdns', 'find peers on the LAN with mDNS')
  .option('--local-cluster', 'relax per-IP limits for many nodes on one machine (devnets, tests)')
  .addOption(new Option('--exit-with-parent', 'stop when the launching process exits (devnet, tests)').hideHelp())
  .addOption(
    new Option('--dev-accounts <indexes>', 'hold built-in devnet accounts unlocked as devnet-<i> (devnets)').hideHelp(),
  )
  .option('--log-level <level>', withDefault('node.log_level', 'log level: debug, info, warn or error'))
  .option('--log-format <format>', withDefault('node.log_format', 'log format: auto, pretty or json'))
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
  .action(startCommand)

registerInitCommand(program)

program
  .command('devnet')
  .description('start N node processes on 127.0.0.1 with one shared genesis')
  .option('--nodes <n>', 'how many nodes', '3')
  .option('--miners <n>', 'how many of them mine', '1')
  .option('--datadir <dir>', 'keep node data here (default: a temporary directory removed at exit)')
  .option('--genesis <file>', 'genesis file (default: the built-in devnet)')
  .addOption(
    new Option('--log-level <level>', 'node log level').choices(['debug', 'info', 'warn', 'error']).default('info'),
  )
  .action(devnetCommand)

program
  .command('demo')
  .description('the ledger demo: mine devnet blocks and send transfers, no network')
  .allowUnknownOption()
  .action(async () => {
    await import('./demo.js')
  })

registerWalletCommands(program)
registerReadCommands(program)
registerSimCommand(program)

try {
  await program.parseAsync()
} catch (err) {
  if (err instanceof UsageError || err instanceof GenesisError) {
    console.error(`peerchain: ${err.message}`)
    process.exit(2)
  }
  throw err
}
