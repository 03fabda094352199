/**
 * The `peerchain` command: one binary, subcommands, --help everywhere.
 *
 * Startup work is deferred: only the module of the command being run is
 * loaded (see `commandGroups`), and each command loads what it runs when it
 * runs, so `peerchain status` loads an HTTP client and no libp2p, LevelDB,
 * config schema or worker pool. `--help`, `help <command>` or an unknown
 * command loads every command, so commander can list and suggest them.
 */
import '../util/shims.js'
import { Command } from 'commander'
import { commandGroups } from './commands.js'
import { UsageError } from './errors.js'

const program = new Command()
  .name('peerchain')
  .description('A peer-to-peer ledger network node')
  .version('0.1.0')
  .showHelpAfterError()

for (const group of commandGroups(process.argv.slice(2))) (await group.load())(program)

try {
  await program.parseAsync()
} catch (err) {
  const { GenesisError } = await import('../ledger/genesis.js')
  if (err instanceof UsageError || err instanceof GenesisError) {
    console.error(`peerchain: ${err.message}`)
    process.exit(2)
  }
  throw err
}
