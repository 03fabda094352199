/** `peerchain sim`: the command's flags; the work is in sim-run.ts, loaded when the command runs. */
import type { Command } from 'commander'

export interface SimFlags {
  nodes?: string
  blocks?: string
  txRate?: string
  seed?: string
  scenario?: string
  gossip?: string
  consensus?: string
  validators?: string
  trace?: string
  json?: boolean
}

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('simulate N nodes running the real protocol code under virtual time (one seed = one exact run)')
    .option('--nodes <n>', 'simulated nodes (default 100)')
    .option('--blocks <n>', 'run until the best chain holds this many blocks (default 20)')
    .option('--tx-rate <r>', 'txs per virtual second over the network (default 1)')
    .option('--seed <s>', 'the run: same seed, same code, same trace (default 1)')
    .option('--gossip <model>', 'gossipsub or flood (default gossipsub)')
    .option('--consensus <engine>', 'pow (modelled mining) or pos (BFT validators, final blocks) (default pow)')
    .option('--validators <n>', 'proof of stake: nodes 0 … n − 1 validate with equal power (default every node)')
    .option('--scenario <file>', 'a TOML scenario (regions, links, partitions…); flags override it')
    .option('--trace <file>', 'where the JSON-lines trace goes (default ./sim-trace-<seed>.jsonl)')
    .option('--json', 'print the report as one JSON document')
    .action(async (flags: SimFlags) => {
      const { simCommand } = await import('./sim-run.js')
      await simCommand(flags)
    })
}
