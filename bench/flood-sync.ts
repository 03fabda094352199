/**
 * The sync flood, measured with real `peerchain start` processes on 127.0.0.1
 * (one JSON line per figure on stdout, progress on stderr):
 *
 * - sync_rate_ratio (goal >= 0.8): a server mines CHAIN_BLOCKS blocks; a
 *   fresh node bootstrapped to it alone syncs them, timed from its ready line
 *   to its head reaching the server's (unflooded); then again while flooders
 *   (test/helpers/sync-flooder.ts, in this process) hammer the same server:
 *   an aggressive one asking for BLOCKS_MAX blocks on every stream it may
 *   open (STREAMS_PER_PROTOCOL_MAX), coming back under a new peer id each
 *   time the server drops it, and a polite one that keeps within its queue
 *   bound and so drains its full quota all along. ROUNDS pairs, alternating;
 *   value = flooded rate / unflooded rate, from the medians.
 * - sync_flood_cut_ms: from an aggressive flooder's first request to the
 *   server dropping it (median over the identities it went through).
 * - upload_cap_ratio (goal <= 1): the server restarted with
 *   --max-upload-mib CAP_MIB; a polite flooder asks for historical blocks
 *   until the answers come back empty; bytes of blocks it got / the cap.
 *
 * `npx tsx bench/flood-sync.ts`; the lead wires it into `npm run bench -- flood`.
 */
import '../src/util/shims.js'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RpcClient } from '../src/api/client.js'
import { type DevnetNode, loopbackNodeArgs, spawnNode, stopNodes } from '../src/lab/node-process.js'
import { devnetGenesis, genesisToJson } from '../src/ledger/genesis.js'
import { STREAMS_PER_PROTOCOL_MAX } from '../src/net/request.js'
import { BLOCKS_MAX, DEFAULT_SERVE_QUOTA, UPLOAD_CAP_RECENT_BLOCKS } from '../src/sync/index.js'
import { fromHex } from '../src/util/bytes.js'
import { type FloodMode, type FloodReport, SyncFlooder } from '../test/helpers/sync-flooder.js'
import { isMain } from './common.js'

const CHAIN_BLOCKS = 2000
const ROUNDS = 2
const CAP_MIB = 2
const SYNC_TIMEOUT_MS = 180_000

const progress = (msg: string): void => {
  process.stderr.write(`[bench flood-sync ${new Date().toISOString().slice(11, 19)}] ${msg}\n`)
}

function line(name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  const round = (v: unknown) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v)
  const fields = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, round(v)]))
  process.stdout.write(`${JSON.stringify({ bench: 'flood', name, value: round(value), unit, ...fields })}\n`)
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const v = await check().catch(() => undefined)
    if (v) return v
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(25)
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

interface Node extends DevnetNode {
  name: string
  dataDir: string
  addr: string
  client: RpcClient
}

class Processes {
  readonly nodes: Node[] = []
  constructor(
    readonly dir: string,
    readonly genesisPath: string,
  ) {}

  async start(name: string, opts: { mine?: boolean; bootstrap?: string[]; extra?: string[] } = {}): Promise<Node> {
    const dataDir = join(this.dir, name)
    const args = [
      ...loopbackNodeArgs({
        dataDir,
        genesisPath: this.genesisPath,
        logLevel: process.env.PEERCHAIN_BENCH_LOG ?? 'warn',
        mine: opts.mine,
        bootstrap: opts.bootstrap,
      }),
      ...(opts.extra ?? []),
    ]
    const started = await spawnNode(args, join(this.dir, `${name}.log`))
    const token = (await readFile(join(dataDir, 'rpc.cookie'), 'utf8')).trim()
    const node: Node = {
      ...started,
      name,
      dataDir,
      addr: started.listen[0] as string,
      client: new RpcClient(started.rpc, { timeoutMs: 30_000, token }),
    }
    this.nodes.push(node)
    return node
  }

  async stop(node: Node): Promise<void> {
    await stopNodes([node], 5_000)
    this.nodes.splice(this.nodes.indexOf(node), 1)
  }

  async stopAll(): Promise<void> {
    await stopNodes(this.nodes, 5_000)
    this.nodes.length = 0
  }
}

const FLOODER = fileURLToPath(new URL('../test/helpers/sync-flooder.ts', import.meta.url))

/**
 * A flooder in a child process under `nice -n 19`: on a 2-core machine the
 * attacker's own CPU (it spins on every stream it may open) would otherwise
 * be taken from the honest node and the server, and the figure would measure
 * the attacker's machine, not the server's defences.
 */
class ChildFlood {
  private readonly child: ChildProcess
  private readonly out: Promise<string>
  /** Resolves once the child floods (its first identity passed the handshake and sent its requests). */
  readonly flooding: Promise<void>

  constructor(init: { chainId: string; genesisHash: string; server: string }, mode: FloodMode) {
    this.child = spawn(
      'nice',
      ['-n', '19', process.execPath, '--import', 'tsx', FLOODER, JSON.stringify({ ...init, mode })],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let flooding: () => void = () => {}
    this.flooding = new Promise((resolve) => {
      flooding = resolve
    })
    this.out = new Promise((resolve, reject) => {
      let text = ''
      this.child.stdout?.on('data', (d: Buffer) => {
        text += d.toString()
        if (text.includes('"flooding"')) flooding()
      })
      this.child.once('exit', () => resolve(text))
      this.child.once('error', reject)
    })
  }

  async stop(): Promise<FloodReport> {
    this.child.kill('SIGTERM')
    const text = (await this.out).trim()
    if (text === '') throw new Error('the flooder printed no report')
    return JSON.parse(text.split('\n').at(-1) as string) as FloodReport
  }
}

/** A fresh node bootstrapped to `server` alone: blocks per second from its ready line to the server's head. */
async function timedSync(procs: Processes, name: string, server: Node, tip: { hash: string; height: number }) {
  const fresh = await procs.start(name, { bootstrap: [server.addr] })
  const readyAt = performance.now()
  await until(
    `${name} to reach the server's head`,
    async () => (await fresh.client.call('chain_head')).hash === tip.hash,
    SYNC_TIMEOUT_MS,
  )
  const seconds = (performance.now() - readyAt) / 1000
  await procs.stop(fresh)
  return tip.height / seconds
}

async function syncFlood(dir: string): Promise<void> {
  const genesis = devnetGenesis(
    { initialTarget: 1n << 255n, powLimit: 1n << 255n, retargetInterval: 1_000_000, blockTimeMs: 100 },
    'peerchain-bench-flood-sync',
  )
  const genesisPath = join(dir, 'genesis.json')
  await writeFile(genesisPath, JSON.stringify(genesisToJson(genesis)))
  const procs = new Processes(dir, genesisPath)
  try {
    progress(`mining ${CHAIN_BLOCKS} blocks on the server`)
    let server = await procs.start('server', { mine: true })
    await until(
      'the server to mine the chain',
      async () => (await server.client.call('chain_head')).height >= CHAIN_BLOCKS,
      SYNC_TIMEOUT_MS,
    )
    await server.client.call('miner_stop')
    await sleep(500)
    // Stopping the miner may leave it a block or two past CHAIN_BLOCKS.
    const tip = await server.client.call('chain_head')
    const blocks = tip.height
    const info = await server.client.call('node_info')
    const init = { chainId: genesis.chainId, genesisHash: fromHex(info.genesisHash), server: server.addr }
    const childInit = { chainId: genesis.chainId, genesisHash: info.genesisHash, server: server.addr }

    const clean: number[] = []
    const flooded: number[] = []
    const cuts: number[] = []
    const totals = { requests: 0, answered: 0, failed: 0, blocks: 0, identities: 0, politeBlocks: 0, politeFailed: 0 }
    for (let round = 0; round < ROUNDS; round++) {
      progress(`round ${round + 1}/${ROUNDS}: unflooded sync of ${blocks} blocks`)
      clean.push(await timedSync(procs, `clean-${round}`, server, tip))
      progress(`round ${round + 1}/${ROUNDS}: flooded sync`)
      const floods = [new ChildFlood(childInit, 'aggressive'), new ChildFlood(childInit, 'polite')]
      let reports: FloodReport[]
      try {
        // The flood is on before the honest node starts.
        const timeout = sleep(60_000).then(() => {
          throw new Error('the flooders did not start flooding within 60 s')
        })
        await Promise.race([Promise.all(floods.map((f) => f.flooding)), timeout])
        await sleep(500)
        flooded.push(await timedSync(procs, `flooded-${round}`, server, tip))
      } finally {
        reports = await Promise.all(floods.map((f) => f.stop()))
      }
      const [aggressive, polite] = reports as [FloodReport, FloodReport]
      totals.requests += aggressive.requests
      totals.answered += aggressive.answered
      totals.failed += aggressive.failed
      totals.blocks += aggressive.blocks
      totals.identities += aggressive.identities
      totals.politeBlocks += polite.blocks
      totals.politeFailed += polite.failed
      cuts.push(...aggressive.cutsMs)
      progress(`  unflooded ${clean.at(-1)?.toFixed(0)} blocks/s, flooded ${flooded.at(-1)?.toFixed(0)} blocks/s`)
    }
    const ratio = median(flooded) / median(clean)
    line('sync_rate_ratio', ratio, 'ratio', {
      goal: '>=0.8',
      unfloodedBlocksPerS: median(clean),
      floodedBlocksPerS: median(flooded),
      rounds: ROUNDS,
      blocks,
      floodStreams: STREAMS_PER_PROTOCOL_MAX,
      floodBatch: BLOCKS_MAX,
      floodRequests: totals.requests,
      floodRefusedOrFailed: totals.failed,
      floodBlocksServed: totals.blocks,
      floodIdentities: totals.identities,
      flooders: 'child processes under nice -n 19',
      politeBlocksServed: totals.politeBlocks,
      politeRefused: totals.politeFailed,
    })
    if (cuts.length > 0) {
      line('sync_flood_cut_ms', median(cuts), 'ms', {
        from: "an aggressive flooder's first request",
        to: 'the server dropping it',
        max: Math.max(...cuts),
        identities: cuts.length,
      })
    }

    progress(`restarting the server with --max-upload-mib ${CAP_MIB}; draining it with a polite flooder`)
    await procs.stop(server)
    server = await procs.start('server', { extra: ['--max-upload-mib', String(CAP_MIB)] })
    const drainer = await SyncFlooder.connect({
      ...init,
      server: server.addr,
      streams: 1 + DEFAULT_SERVE_QUOTA.queueMax,
    })
    const historical = (await drainer.blockHashes()).slice(0, blocks - UPLOAD_CAP_RECENT_BLOCKS).slice(0, BLOCKS_MAX)
    const drainStart = performance.now()
    drainer.start(historical)
    await until('the answers to come back empty', async () => drainer.counts.empty > 3, SYNC_TIMEOUT_MS)
    await drainer.stop()
    const capBytes = CAP_MIB * 1024 * 1024
    line('upload_cap_ratio', drainer.counts.blockBytes / capBytes, 'ratio', {
      goal: '<=1',
      capMiB: CAP_MIB,
      historicalBytesServed: drainer.counts.blockBytes,
      secondsToCap: (performance.now() - drainStart) / 1000,
      refused: drainer.counts.failed,
    })
  } finally {
    await procs.stopAll()
  }
}

export async function runSyncFlood(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'peerchain-bench-flood-sync-'))
  try {
    await syncFlood(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (isMain(import.meta.url)) await runSyncFlood()
