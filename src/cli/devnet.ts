/**
 * `peerchain devnet --nodes N`: N node processes on 127.0.0.1 with one shared
 * genesis; the first mines and is everyone's bootstrap, the others join
 * through it. Prints each node's role and RPC URL and stops them all on
 * Ctrl-C/SIGTERM. With `--lab`, node i listens and dials on 127.0.<i+1>.1 in
 * lab mode, so each node is its own network group and the peer manager's
 * group rules apply as between machines.
 *
 * `--consensus pos --validators V`: a proof-of-stake devnet instead, whose
 * first V nodes are its validators, each given its well-known devnet
 * validator key (devnetValidatorKey(i)) in <datadir>/validator.key; nothing
 * is mined.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Command, Option } from 'commander'
import { RpcClient } from '../api/client.js'
import { type DevnetNode, labHost, loopbackNodeArgs, spawnNode, stopNodes } from '../lab/node-process.js'
import {
  DEVNET_ACCOUNTS,
  devnetGenesis,
  devnetPosGenesis,
  devnetValidatorKey,
  type Genesis,
  genesisToJson,
} from '../ledger/genesis.js'
import type { NodeRole } from '../node/config.js'
import { readGenesisFile } from '../node/genesis-file.js'
import { writeValidatorKey } from '../node/validator-key.js'
import { toHex } from '../util/bytes.js'
import { UsageError } from './errors.js'

export interface DevnetFlags {
  /** Unset: 3, or under proof of stake max(3, validators). */
  nodes?: string
  /** Proof of work only; unset: 1. */
  miners?: string
  /** "pow" (the default) or "pos". */
  consensus?: string
  /** Proof of stake only; unset: 4. */
  validators?: string
  /** Light nodes started after the others (unset: none). */
  light?: string
  datadir?: string
  genesis?: string
  logLevel: string
  lab?: boolean
}

export const DEVNET_NODES_MAX = 64

/** What the flags ask for, checked: how many nodes, and what each does. */
export interface DevnetPlan {
  consensus: 'pow' | 'pos'
  /** One per node, by index. */
  roles: NodeRole[]
}

function count(flag: string, value: string, min: number, max: number): number {
  const n = Number(value)
  // Number(): as before --consensus, "3.0" and "0x3" are 3.
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be ${min}-${max}, got "${value}"`)
  return n
}

/** Checks the flags (UsageError, exit 2, on a bad one) and decides each node's role. */
export function planDevnet(flags: DevnetFlags): DevnetPlan {
  const consensus = flags.consensus ?? 'pow'
  if (consensus !== 'pow' && consensus !== 'pos') {
    throw new UsageError(`--consensus must be "pow" or "pos", got "${consensus}"`)
  }
  const lightAfter = (nodes: number): NodeRole[] =>
    Array.from({ length: count('--light', flags.light ?? '0', 0, DEVNET_NODES_MAX - nodes) }, (): NodeRole => 'light')
  if (consensus === 'pow') {
    if (flags.validators !== undefined) throw new UsageError('--validators needs --consensus pos')
    const nodes = count('--nodes', flags.nodes ?? '3', 1, DEVNET_NODES_MAX)
    const miners = count('--miners', flags.miners ?? '1', 0, nodes)
    const roles: NodeRole[] = Array.from({ length: nodes }, (_, i) => (i < miners ? 'miner' : 'full'))
    return { consensus, roles: [...roles, ...lightAfter(nodes)] }
  }
  if (flags.miners !== undefined) {
    throw new UsageError('--miners is for --consensus pow: a proof-of-stake chain is not mined')
  }
  const validators = count('--validators', flags.validators ?? '4', 1, DEVNET_NODES_MAX)
  const nodes = count('--nodes', flags.nodes ?? String(Math.max(3, validators)), 1, DEVNET_NODES_MAX)
  if (validators > nodes) throw new UsageError(`--validators must be 1-${nodes} (--nodes), got "${flags.validators}"`)
  const roles: NodeRole[] = Array.from({ length: nodes }, (_, i) => (i < validators ? 'validator' : 'full'))
  return { consensus, roles: [...roles, ...lightAfter(nodes)] }
}

/** The genesis of the plan: the file given, which must run the plan's engine, else the built-in devnet's. */
export async function devnetGenesisOf(plan: DevnetPlan, genesisFile: string | undefined): Promise<Genesis> {
  const validators = plan.roles.filter((role) => role === 'validator').length
  if (genesisFile === undefined) return plan.consensus === 'pos' ? devnetPosGenesis(validators) : devnetGenesis()
  const genesis = await readGenesisFile(genesisFile)
  if (genesis.params.engine !== plan.consensus) {
    throw new UsageError(
      `--genesis ${genesisFile} is a ${genesis.params.engine} genesis: give --consensus ${genesis.params.engine}`,
    )
  }
  // Our validators sign with the well-known devnet keys: the file must bond each of them.
  const bonded = new Set(genesis.pos?.validators.map((v) => toHex(v.publicKey)))
  for (let i = 0; i < validators; i++) {
    if (!bonded.has(toHex(devnetValidatorKey(i).publicKey))) {
      throw new UsageError(`--genesis ${genesisFile} has no validator with devnet validator key ${i}`)
    }
  }
  return genesis
}

/** Writes `<base>/genesis.json` and each validator's `<base>/node-<i>/validator.key`; returns the genesis path. */
export async function writeDevnetFiles(base: string, plan: DevnetPlan, genesis: Genesis): Promise<string> {
  await mkdir(base, { recursive: true })
  const genesisPath = join(base, 'genesis.json')
  await writeFile(genesisPath, JSON.stringify(genesisToJson(genesis), null, 2))
  for (const [i, role] of plan.roles.entries()) {
    if (role === 'validator') await writeValidatorKey(nodeDataDir(base, i), devnetValidatorKey(i))
  }
  return genesisPath
}

const nodeDataDir = (base: string, i: number): string => join(base, `node-${i}`)

export interface DevnetNodeSpec {
  base: string
  genesisPath: string
  flags: Pick<DevnetFlags, 'logLevel' | 'lab'>
  index: number
  role: NodeRole
  bootstrap: string[]
}

/** The `peerchain start` flags of devnet node `index`: a miner mines, a validator runs as one. */
export function devnetNodeArgs(spec: DevnetNodeSpec): string[] {
  const { index: i, role } = spec
  const args = loopbackNodeArgs({
    dataDir: nodeDataDir(spec.base, i),
    genesisPath: spec.genesisPath,
    logLevel: spec.flags.logLevel,
    listenWs: true,
    mine: role === 'miner',
    bootstrap: spec.bootstrap,
    // A light node holds no node wallet.
    devAccounts: i < DEVNET_ACCOUNTS && role !== 'light' ? [i] : [],
    ...(spec.flags.lab ? { host: labHost(i), lab: true } : {}),
  })
  // loopbackNodeArgs knows the proof-of-work roles only.
  return role === 'validator' || role === 'light' ? [...args, '--role', role] : args
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
    .option('--nodes <n>', 'how many nodes (default: 3, or under --consensus pos max(3, validators))')
    .option('--consensus <engine>', 'pow (mined) or pos (validated by BFT rounds)', 'pow')
    .option('--miners <n>', 'how many of them mine (pow only; default: 1)')
    .option('--validators <n>', 'how many of them validate (pos only; default: 4)')
    .option('--light <n>', 'light nodes (headers and proofs) started after the others (default: 0)')
    .option('--datadir <dir>', 'keep node data here (default: a temporary directory removed at exit)')
    .option('--genesis <file>', 'genesis file (default: the built-in devnet)')
    .option('--lab', 'network lab: node i on 127.0.<i+1>.1, each node its own network group')
    .addOption(
      new Option('--log-level <level>', 'node log level').choices(['debug', 'info', 'warn', 'error']).default('info'),
    )
    .action(devnetCommand)
}

export async function devnetCommand(flags: DevnetFlags): Promise<void> {
  const plan = planDevnet(flags)
  const count = plan.roles.length
  const genesis = await devnetGenesisOf(plan, flags.genesis)
  const temporary = !flags.datadir
  const base = flags.datadir ?? (await mkdtemp(join(tmpdir(), 'peerchain-devnet-')))
  const genesisPath = await writeDevnetFiles(base, plan, genesis)

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
  const engine = plan.consensus === 'pos' ? 'proof of stake' : 'proof of work'
  console.log(`peerchain devnet: ${count} nodes on ${where}, chain "${genesis.chainId}" (${engine}), data in ${base}`)
  try {
    for (const [i, role] of plan.roles.entries()) {
      // A light node asks two full peers at least for each proof: it dials every full node (8 at most).
      const bootstrap =
        role === 'light'
          ? nodes
              .filter((_, j) => plan.roles[j] !== 'light')
              .slice(0, 8)
              .map((n) => n.listen[0] as string)
          : i > 0
            ? [(nodes[0] as DevnetNode).listen[0] as string]
            : []
      const args = devnetNodeArgs({ base, genesisPath, flags, index: i, role, bootstrap })
      const started = await spawnNode(args, join(base, `node-${i}.log`))
      const node = { ...started, index: i }
      nodes.push(node)
      console.log(`node ${i}  ${role.padEnd(9)}  rpc ${node.rpc}  peer ${node.peerId}`)
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
