/**
 * The node's footprint, measured on real `peerchain start` processes on
 * 127.0.0.1 with OS-chosen ports, each on a fresh data directory and the
 * built-in devnet genesis (one JSON line per figure on stdout, progress on stderr):
 *
 * - node_cold_start_s: from spawning `peerchain start` until its RPC answers
 *   (its ready line, then one `chain_head` call); median of COLD_STARTS runs.
 * - node_idle_rss_mib: two devnet nodes (the second bootstrapped from the
 *   first, so each holds a connection, as in `npm start`; none mining) left
 *   idle, then VmRSS from /proc/<pid>/status, the larger of the two: read
 *   after IDLE_S seconds (the figure), and after IDLE_EARLY_S beside it. V8's
 *   memory reducer shrinks the young generation of an idle process some 8-20 s
 *   after its last burst of allocation, so the early reading is higher.
 * - cli_status_s: wall time of `peerchain status` against the first of them;
 *   median of STATUS_RUNS runs.
 *
 * Each figure carries its goal (issue 12). The CLI runs from dist/, so dist/ is
 * brought up to date first. `npm run bench -- footprint` runs it alone.
 */
import '../src/util/shims.js'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildDist } from '../scripts/build-dist.mjs'
import { RpcClient } from '../src/api/client.js'
import { type DevnetNode, loopbackNodeArgs, spawnNode, stopNodes } from '../src/lab/node-process.js'
import { devnetGenesis, genesisToJson } from '../src/ledger/genesis.js'
import { isMain, median, report } from './common.js'

const COLD_STARTS = 5
const STATUS_RUNS = 9
const IDLE_S = 30
const IDLE_EARLY_S = 10

const GOAL_IDLE_RSS_MIB = 100
const GOAL_COLD_START_S = 0.6
const GOAL_STATUS_S = 0.3

const BIN = join(import.meta.dirname, '..', 'bin', 'peerchain.js')

const progress = (line: string): void => {
  process.stderr.write(`footprint: ${line}\n`)
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A /proc/<pid>/status field in kB (VmRSS, VmHWM…), as MiB. */
export async function procStatusMib(pid: number, field: string): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`)
  return Number(match[1]) / 1024
}

interface Started {
  node: DevnetNode
  /** Seconds from spawn to the first RPC answer. */
  readyS: number
}

async function startNode(base: string, name: string, genesisPath: string, bootstrap: string[] = []): Promise<Started> {
  const args = loopbackNodeArgs({ dataDir: join(base, name), genesisPath, logLevel: 'warn', listenWs: true, bootstrap })
  const t0 = performance.now()
  const node = await spawnNode(args, join(base, `${name}.log`))
  await new RpcClient(node.rpc, { timeoutMs: 10_000 }).call('chain_head')
  return { node: { ...node, index: 0 }, readyS: (performance.now() - t0) / 1000 }
}

function statusOnce(rpc: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    execFile(process.execPath, [BIN, 'status', '--rpc', rpc], { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`peerchain status failed: ${stderr || err.message}`))
      else resolve((performance.now() - t0) / 1000)
    })
  })
}

export async function runFootprint(): Promise<void> {
  const build = await buildDist()
  if (build.built) progress(`built dist/ (${build.files} files)`)
  const base = await mkdtemp(join(tmpdir(), 'peerchain-bench-footprint-'))
  const genesisPath = join(base, 'genesis.json')
  await writeFile(genesisPath, JSON.stringify(genesisToJson(devnetGenesis())))
  const live: DevnetNode[] = []
  try {
    const starts: number[] = []
    for (let i = 0; i < COLD_STARTS; i++) {
      const { node, readyS } = await startNode(base, `cold-${i}`, genesisPath)
      live.push(node)
      starts.push(readyS)
      await stopNodes(live.splice(0))
    }
    report('node_cold_start_s', median(starts), 's', {
      goal: GOAL_COLD_START_S,
      min: Math.min(...starts),
      max: Math.max(...starts),
      runs: COLD_STARTS,
    })

    const first = await startNode(base, 'idle-0', genesisPath)
    live.push(first.node)
    const second = await startNode(base, 'idle-1', genesisPath, [first.node.listen[0] as string])
    live.push(second.node)
    progress(`two nodes up; idle for ${IDLE_S} s`)
    const rssOf = (field: string): Promise<number[]> =>
      Promise.all(live.map((n) => procStatusMib(n.process.pid as number, field)))
    await sleep(IDLE_EARLY_S * 1000)
    const early = await rssOf('VmRSS')
    await sleep((IDLE_S - IDLE_EARLY_S) * 1000)
    const peers = await new RpcClient(second.node.rpc).call('net_peers')
    const rss = await rssOf('VmRSS')
    const hwm = await rssOf('VmHWM')
    report('node_idle_rss_mib', Math.max(...rss), 'MiB', {
      goal: GOAL_IDLE_RSS_MIB,
      nodes: rss.map((v) => Math.round(v * 10) / 10),
      idleS: IDLE_S,
      [`after${IDLE_EARLY_S}sMiB`]: Math.max(...early),
      peakMiB: Math.max(...hwm),
      peers: peers.length,
    })

    const times: number[] = []
    for (let i = 0; i < STATUS_RUNS; i++) times.push(await statusOnce(first.node.rpc))
    report('cli_status_s', median(times), 's', {
      goal: GOAL_STATUS_S,
      min: Math.min(...times),
      max: Math.max(...times),
      runs: STATUS_RUNS,
    })
  } finally {
    await stopNodes(live)
    await rm(base, { recursive: true, force: true })
  }
}

export const run = runFootprint

if (isMain(import.meta.url)) await runFootprint()
