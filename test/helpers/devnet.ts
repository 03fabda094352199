/**
 * Real node processes for integration tests: `peerchain start` children on
 * 127.0.0.1 with OS-chosen ports, a JSON-RPC helper (which sends a test node's
 * API token, read from its cookie, as the CLI does), polling, and cleanup of
 * every process and temp dir.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PeerJson } from '../../src/api/json.js'
import { type DevnetNode, loopbackNodeArgs, spawnNode, stopNodes } from '../../src/lab/node-process.js'
import { type ConsensusParams, devnetGenesis, type Genesis, genesisToJson } from '../../src/ledger/genesis.js'

export interface TestNode extends DevnetNode {
  dataDir: string
  /** The first listen address: dial or bootstrap from it. */
  addr: string
}

/** A genesis whose blocks take a few hundred hashes, with a fixed target (no retarget). */
export function fastGenesis(overrides: Partial<ConsensusParams> = {}, chainId = 'peerchain-test'): Genesis {
  return devnetGenesis(
    { initialTarget: 1n << 244n, powLimit: 1n << 255n, retargetInterval: 1_000_000, blockTimeMs: 500, ...overrides },
    chainId,
  )
}

export class TestNet {
  readonly nodes: TestNode[] = []
  private constructor(
    readonly dir: string,
    readonly genesisPath: string,
  ) {}

  static async create(genesis: Genesis = fastGenesis()): Promise<TestNet> {
    const dir = await mkdtemp(join(tmpdir(), 'peerchain-it-'))
    const genesisPath = join(dir, 'genesis.json')
    await writeFile(genesisPath, JSON.stringify(genesisToJson(genesis)))
    return new TestNet(dir, genesisPath)
  }

  /** Starts a node; `name` picks its data directory (reuse a name to restart a node on its old data). */
  async start(
    name: string,
    opts: {
      mine?: boolean
      bootstrap?: string[]
      genesisPath?: string
      extra?: string[]
      /** Listen (and in lab mode dial) on this loopback address instead of 127.0.0.1. */
      host?: string
      /** The network lab (`--lab`): 127.A.B.C is routable, grouped by 127.A.B. */
      lab?: boolean
      /** Environment variables beside this process's (e.g. PEERCHAIN_TEST_VALIDATOR_FAULT). */
      env?: Record<string, string>
      /**
       * Dandelion++ for local txs (on by default in production). Off unless asked, so a
       * test's tx is in its node's mempool (and gossiped) when tx_submit answers.
       */
      dandelion?: boolean
    } = {},
  ): Promise<TestNode> {
    const dataDir = join(this.dir, name)
    const args = [
      ...loopbackNodeArgs({
        dataDir,
        genesisPath: opts.genesisPath ?? this.genesisPath,
        logLevel: process.env.PEERCHAIN_TEST_LOG ?? 'warn',
        mine: opts.mine,
        bootstrap: opts.bootstrap,
        host: opts.host,
        lab: opts.lab,
      }),
      ...(opts.dandelion ? [] : ['--no-dandelion']),
      ...(opts.extra ?? []),
    ]
    // A restart on the same data directory gets its own log (<name>.2.log, …): the first one is kept.
    const runs = this.nodes.filter((n) => n.dataDir === dataDir).length
    const logFile = join(this.dir, runs === 0 ? `${name}.log` : `${name}.${runs + 1}.log`)
    const started = await spawnNode(args, logFile, undefined, opts.env)
    const node: TestNode = { ...started, index: this.nodes.length, dataDir, addr: started.listen[0] as string }
    this.nodes.push(node)
    dataDirByRpc.set(node.rpc, dataDir)
    return node
  }

  async stop(node: TestNode): Promise<void> {
    await stopNodes([node])
  }

  kill(node: TestNode): void {
    node.process.kill('SIGKILL')
  }

  async close(): Promise<void> {
    await stopNodes(this.nodes, 5_000)
    // PEERCHAIN_TEST_KEEP=1 keeps the data directories and <name>.log files for a post-mortem.
    if (process.env.PEERCHAIN_TEST_KEEP) console.log(`peerchain test data kept in ${this.dir}`)
    else await rm(this.dir, { recursive: true, force: true })
  }
}

export class RpcCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    // The data (a refusal's code, a light query's failures) is in the message too, for a failing test's report.
    super(data === undefined ? message : `${message} ${JSON.stringify(data)}`)
  }
}

/** The data directory of each test node by RPC URL, so `rpc` finds its cookie. */
const dataDirByRpc = new Map<string, string>()

/** The API token a test node at `url` wrote to its cookie, if it is one of ours and running. */
export async function cookieOf(url: string): Promise<string | undefined> {
  const dataDir = dataDirByRpc.get(url)
  if (dataDir === undefined) return undefined
  try {
    return (await readFile(join(dataDir, 'rpc.cookie'), 'utf8')).trim()
  } catch {
    return undefined
  }
}

/** One JSON-RPC call with the node's API token, so guarded methods (miner_*, net_ban, …) work as from the CLI. */
export async function rpc<T = unknown>(url: string, method: string, params?: unknown): Promise<T> {
  const token = await cookieOf(url)
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = (await res.json()) as { result?: T; error?: { code: number; message: string; data?: unknown } }
  if (body.error) throw new RpcCallError(body.error.code, body.error.message, body.error.data)
  return body.result as T
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value) return value
    } catch (err) {
      last = err
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`)
}

export interface HeadJson {
  hash: string
  height: number
  totalWork: string
}

export const head = (n: TestNode): Promise<HeadJson> => rpc<HeadJson>(n.rpc, 'chain_head')

export type { PeerJson }

export interface BlockJson {
  hash: string
  height: number
  parentHash: string
  miner: string
  txs: Array<{ hash: string }>
}

export type TxStatusJson =
  | { status: 'pending' }
  | { status: 'included'; blockHash: string; height: number; index: number }
  | { status: 'unknown' }

export const peers = (n: TestNode): Promise<PeerJson[]> => rpc<PeerJson[]>(n.rpc, 'net_peers')

/** Whether `a` lists `b` among its connected peers. */
export async function isConnected(a: TestNode, b: TestNode): Promise<boolean> {
  return (await peers(a)).some((p) => p.id === b.peerId)
}

export const blockAt = (n: TestNode, height: number): Promise<BlockJson | null> =>
  rpc<BlockJson | null>(n.rpc, 'chain_getBlock', { height })

export const txStatus = (n: TestNode, hash: string): Promise<TxStatusJson> =>
  rpc<TxStatusJson>(n.rpc, 'tx_get', { hash })

/** Waits until every node reports the same head hash, at `minHeight` or above; resolves with that head. */
export async function waitForSameHead(
  nodes: readonly TestNode[],
  minHeight = 0,
  timeoutMs = 30_000,
): Promise<HeadJson> {
  return waitFor(
    `${nodes.length} nodes on one head at height >= ${minHeight}`,
    async () => {
      const heads = await Promise.all(nodes.map(head))
      const first = heads[0]!
      return heads.every((h) => h.hash === first.hash) && first.height >= minHeight ? first : undefined
    },
    timeoutMs,
  )
}

/** Waits until `node`'s head is at `height` or above; resolves with it. */
export function waitForHeight(node: TestNode, height: number, timeoutMs = 30_000): Promise<HeadJson> {
  return waitFor(
    `${node.peerId.slice(-6)} to reach height ${height}`,
    async () => {
      const h = await head(node)
      return h.height >= height ? h : undefined
    },
    timeoutMs,
  )
}
