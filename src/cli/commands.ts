/**
 * The CLI's commands in groups, one module each, and which groups a command
 * line needs: `peerchain status` registers (and so loads) the read commands
 * only. Listed in the order `peerchain --help` shows them.
 */
import type { Command } from 'commander'

export interface CommandGroup {
  /** The top-level command names the group registers. */
  names: readonly string[]
  /** Loads the group's module and returns the function that adds its commands. */
  load: () => Promise<(program: Command) => void>
}

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  { names: ['start'], load: async () => (await import('./start.js')).registerStartCommand },
  { names: ['init'], load: async () => (await import('./init.js')).registerInitCommand },
  { names: ['devnet'], load: async () => (await import('./devnet.js')).registerDevnetCommand },
  { names: ['demo'], load: async () => registerDemoCommand },
  // `tx send` is the wallet's, `tx get` the read commands': `tx` needs both.
  { names: ['wallet', 'tx'], load: async () => (await import('./wallet.js')).registerWalletCommands },
  {
    names: ['validator', 'stake', 'unstake', 'validators'],
    load: async () => (await import('./validator.js')).registerValidatorCommands,
  },
  {
    names: ['status', 'peers', 'addrman', 'block', 'tx', 'mempool'],
    load: async () => (await import('./read.js')).registerReadCommands,
  },
  { names: ['files'], load: async () => (await import('./files.js')).registerFilesCommands },
  { names: ['sim'], load: async () => (await import('./sim.js')).registerSimCommand },
  { names: ['lab'], load: async () => (await import('./lab.js')).registerLabCommands },
]

/**
 * The groups `args` (the arguments after `peerchain`) needs: those naming its
 * command, or every group when it names none we know (`--help`, `help`,
 * a typo), so that help lists them all and a typo gets a suggestion. `--version`
 * needs none.
 */
export function commandGroups(args: readonly string[]): readonly CommandGroup[] {
  const name = args[0]
  if (name === '--version' || name === '-V') return []
  if (name === undefined || name.startsWith('-')) return COMMAND_GROUPS
  const groups = COMMAND_GROUPS.filter((g) => g.names.includes(name))
  return groups.length > 0 ? groups : COMMAND_GROUPS
}

function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('the ledger demo: mine devnet blocks and send transfers, no network')
    .allowUnknownOption()
    .action(async () => {
      await import('./demo.js')
    })
}
