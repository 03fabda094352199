/**
 * `peerchain devnet --nodes N`: N node processes on 127.0.0.1 with one shared
 * genesis; the first mines and is everyone's bootstrap, the others join
 * through it. Prints each node's RPC URL and stops them all on Ctrl-C/SIGTERM.
 * With `--lab`, node i listens and dials on 127.0.<i+1>.1 in lab mode, so each
 * node is its own network group and the peer manager's group rules apply as
 * between machines.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Command, Option } from 'commander'
import { RpcClient } from '../api/client.js'
import { type DevnetNode, labHost, loopbackNodeArgs, spawnNode, stopNodes } from '../lab/node-process.js'
import { DEVNET_ACCOUNTS, devnetGenesis, genesisToJson } from '../ledger/genesis.js'
import { readGenesisFile } from '../node/genesis-file.js'
import { UsageError } from './errors.js'

export interface DevnetFlags {
  nodes: string
  miners: string
  datadir?: string
  genesis?: string
  logLevel: string
  lab?: boolean
}

async function headOf(url: string): Promise<string> {
  try {
    const head = await new RpcClient(url, { timeoutMs: 2_000 }).call('chain_head')
    return `#${head.height} ${head.hash.slice(0, 8)}`
  } catch {
    return 'down'
  }
}

export function registerDevnetCommand(program: Command): void {
  program
    .command('devnet')
    .description('start N node processes on 127.0.0.1 with one shared genesis')
    .option('--nodes <n>', 'how many nodes', '3')
    .option('--miners <n>', 'how many of them mine', '1')
    .option('--datadir <dir>', 'keep node data here (default: a temporary directory removed at exit)')
    .option('--genesis <file>', 'genesis file (default: the built-in devnet)')
    .option('--lab', 'network lab: node i on 127.0.<i+1>.1, each node its own network group')
    .addOption(
      new Option('--log-level <level>', 'node log level').choices(['debug', 'info', 'warn', 'error']).default('info'),
    )
    .action(devnetCommand)
}

export async function devnetCommand(flags: DevnetFlags): Promise<void> {
  const count = Number(flags.nodes)
  const miners = Number(flags.miners)
  if (!Number.isInteger(count) || count < 1 || count > 64)
    throw new UsageError(`--nodes must be 1-64, got "${flags.nodes}"`)
  if (!Number.isInteger(miners) || miners < 0 || miners > count) {
    throw new UsageError(`--miners must be 0-${count}, got "${flags.miners}"`)
  }
  const temporary = !flags.datadir
  const base = flags.datadir ?? (await mkdtemp(join(tmpdir(), 'peerchain-devnet-')))
  await mkdir(base, { recursive: true })
  const genesis = flags.genesis ? await readGenesisFile(flags.genesis) : devnetGenesis()
  const genesisPath = join(base, 'genesis.json')
  await writeFile(genesisPath, JSON.stringify(genesisToJson(genesis), null, 2))

  const nodes: DevnetNode[] = []
  let stopping = false
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true
      console.log('\nstopping the devnet…')
      await stopNodes(nodes)
      if (temporary) await rm(base, { recursive: true, force: true })
    }
    process.exit(code)
  }
  process.on('SIGINT', () => void stopAll(0))
  process.on('SIGTERM', () => void stopAll(0))

  const where = flags.lab ? `127.0.1.1-${labHost(count - 1)} (lab mode)` : '127.0.0.1'
  console.log(`peerchain devnet: ${count} nodes on ${where}, chain "${genesis.chainId}", data in ${base}`)
  try {
    for (let i = 0; i < count; i++) {
      const args = loopbackNodeArgs({
        dataDir: join(base, `node-${i}`),
        genesisPath,
        logLevel: flags.logLevel,
        listenWs: true,
        mine: i < miners,
        bootstrap: i > 0 ? [(nodes[0] as DevnetNode).listen[0] as string] : [],
        devAccounts: i < DEVNET_ACCOUNTS ? [i] : [],
        ...(flags.lab ? { host: labHost(i), lab: true } : {}),
      })
      const started = await spawnNode(args, join(base, `node-${i}.log`))
      const node = { ...started, index: i }
      nodes.push(node)
      console.log(`node ${i}${i < miners ? ' (miner)' : ''}  rpc ${node.rpc}  peer ${node.peerId}`)
      console.log(`        dashboard ${node.dashboard}`)
    }
  } catch (err) {
    console.error(`the devnet could not start: ${(err as Error).message}`)
    await stopAll(1)
  }
  const first = nodes[0] as DevnetNode
  console.log(`\nopen the dashboard: ${first.dashboard}`)
  console.log(`  (each node holds devnet account <i> unlocked as "devnet-<i>": send coins from the Send card)`)
  console.log(`logs: ${join(base, 'node-*.log')}. Ctrl-C stops every node.`)
  console.log(
    `try: curl -s -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"chain_head"}' ${first.rpc}\n`,
  )
  // A line every few seconds: each node's head, so the network can be watched converging.
  const timer = setInterval(() => {
    void Promise.all(nodes.map((n) => headOf(n.rpc)))
      .then((heads) => console.log(`heads: ${heads.map((h, i) => `node ${i} ${h}`).join('   ')}`))
      .catch(() => {})
  }, 5_000)
  timer.unref()
  for (const node of nodes) {
    node.process.once('exit', (code, signal) => {
      if (!stopping) console.error(`node ${node.index} exited (${signal ?? code})`)
    })
  }
  await new Promise(() => {})
}
