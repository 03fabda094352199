/** The `peerchain` command: one binary, subcommands, --help everywhere. */
import '../util/shims.js'
import { Command, Option } from 'commander'
import { GenesisError } from '../ledger/genesis.js'
import { devnetCommand } from './devnet.js'
import { DEFAULT_RPC_PORT, startCommand, UsageError } from './start.js'
import { registerWalletCommands } from './wallet.js'

const program = new Command()
  .name('peerchain')
  .description('A peer-to-peer ledger network node')
  .version('0.1.0')
  .showHelpAfterError()

program
  .command('start')
  .description('run one node from a data directory')
  .option('--datadir <dir>', 'data directory (chain, keys, peers, bans)', '.peerchain')
  .option('--listen <multiaddr...>', 'libp2p listen addresses (default: TCP 9333 and WebSocket 9334 on all interfaces)')
  .option('--bootstrap <multiaddr...>', 'peers to dial at start (multiaddrs ending in /p2p/<peerId>)')
  .option('--rpc-host <host>', 'JSON-RPC bind address', '127.0.0.1')
  .option('--rpc-port <port>', 'JSON-RPC port (0 = any free port)', String(DEFAULT_RPC_PORT))
  .addOption(new Option('--role <role>', 'node role').choices(['full', 'miner']).default('full'))
  .option('--mine', 'mine from the start')
  .option('--mine-threads <n>', 'mining worker threads', '1')
  .option('--miner-address <pc1…>', 'address paid for mined blocks (default: a key in the data directory)')
  .option('--genesis <file>', 'genesis file (default: the built-in devnet)')
  .option('--mdns', 'find peers on the LAN with mDNS')
  .option('--local-cluster', 'relax per-IP limits for many nodes on one machine (devnets, tests)')
  .addOption(new Option('--exit-with-parent', 'stop when the launching process exits (devnet, tests)').hideHelp())
  .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
  .action(startCommand)

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

try {
  await program.parseAsync()
} catch (err) {
  if (err instanceof UsageError || err instanceof GenesisError) {
    console.error(`peerchain: ${err.message}`)
    process.exit(2)
  }
  throw err
}
