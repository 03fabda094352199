/**
 * What `--trace` costs: two real node processes (B dials A) take the same tx
 * load, submitted to A over one WebSocket, once without a trace and once with
 * `--trace` on both, alternating, RUNS times each. Measured from the first
 * submission until B's mempool holds every tx:
 *
 * - cpu_ms_per_1000_txs: CPU time (user + system, from /proc/<pid>/stat) of A
 *   and B together per 1,000 txs accepted by both, with and without the
 *   trace (the least of the runs: other load on the machine only adds CPU
 *   time; the median beside it), and the overhead in percent;
 * - trace_bytes_per_tx: the trace files' size per tx and node (every line of
 *   the run: start, peers, txs, copies, a proc and bytes sample per second);
 * - dropped lines, which must be 0;
 * - writer_us_per_event: in this process, the writer's cost per line
 *   (JSON.stringify, buffering, one append per 64 KiB) for a tx line, with a
 *   sink that discards: the part of the overhead that does not depend on
 *   the machine's other load.
 *
 * `npm run bench -- trace` (about 75 s), or `npx tsx bench/trace.ts`.
 */
import '../src/util/shims.js'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { RpcClient } from '../src/api/client.js'
import type { NodeStatusJson } from '../src/api/json.js'
import { TraceWriter } from '../src/trace/writer.js'
import { toHex } from '../src/util/bytes.js'
import { systemClock } from '../src/util/clock.js'
import { systemTimers } from '../src/util/timers.js'
import { rpc, TestNet, type TestNode } from '../test/helpers/devnet.js'
import { benchGenesis, isMain, makeTransfers, report } from './common.js'

const ACCOUNTS = 40
const TXS = 2_000
const RUNS = 3
/** Submissions in flight at once. */
const CONCURRENCY = 32

const progress = (msg: string): void => {
  process.stderr.write(`trace bench: ${msg}\n`)
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** utime + stime of a process, in ms (Linux /proc; clock ticks of 10 ms). */
async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // fields after the command name, which is in parentheses and may hold spaces
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12])
  return ticks * 10
}

interface RunFigures {
  cpuMs: number
  wallMs: number
  traceBytes: number
  traceLines: number
  dropped: number
}

async function runOnce(traced: boolean): Promise<RunFigures> {
  const genesis = benchGenesis(ACCOUNTS)
  const [txs] = makeTransfers(ACCOUNTS, 1, TXS, genesis.chainId)
  const net = await TestNet.create(genesis)
  try {
    const traceOf = (name: string) => (traced ? ['--trace', join(net.dir, `${name}.jsonl`)] : [])
    const fast = ['--rpc-requests-per-sec', '1000000']
    const a = await net.start('a', { extra: [...fast, ...traceOf('a')] })
    const b = await net.start('b', { bootstrap: [a.addr], extra: [...fast, ...traceOf('b')] })
    const deadline = Date.now() + 30_000
    while ((await rpc<unknown[]>(b.rpc, 'net_peers')).length === 0) {
      if (Date.now() > deadline) throw new Error('b did not connect to a')
      await sleep(100)
    }
    await sleep(2_000) // gossipsub heartbeats: the mesh formed
    const socket = await new RpcClient(a.rpc).socket()
    const nodes: TestNode[] = [a, b]
    const pids = nodes.map((n) => n.process.pid as number)
    const cpuBefore = await Promise.all(pids.map(cpuMsOf))
    const t0 = performance.now()
    for (let i = 0; i < (txs as []).length; i += CONCURRENCY) {
      const chunk = (txs ?? []).slice(i, i + CONCURRENCY)
      await Promise.all(chunk.map((tx) => socket.call('tx_submit', { tx: toHex(tx.bytes) })))
    }
    const until = Date.now() + 60_000
    for (;;) {
      const sizes = await Promise.all(nodes.map((n) => rpc<NodeStatusJson>(n.rpc, 'node_status')))
      if (sizes.every((s) => s.mempool.size >= TXS)) break
      if (Date.now() > until) throw new Error(`mempools short of ${TXS}: ${sizes.map((s) => s.mempool.size)}`)
      await sleep(20)
    }
    const wallMs = performance.now() - t0
    const cpuAfter = await Promise.all(pids.map(cpuMsOf))
    socket.close()
    await Promise.all(nodes.map((n) => net.stop(n)))
    let traceBytes = 0
    let traceLines = 0
    let dropped = 0
    if (traced) {
      for (const name of ['a', 'b']) {
        const path = join(net.dir, `${name}.jsonl`)
        traceBytes += (await stat(path)).size
        const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean)
        traceLines += lines.length
        for (const line of lines) {
          const event = JSON.parse(line) as { e: string; n?: number }
          if (event.e === 'dropped') dropped += event.n ?? 0
        }
      }
    }
    const cpuMs = cpuAfter.reduce((sum, ms, i) => sum + ms - (cpuBefore[i] as number), 0)
    return { cpuMs, wallMs, traceBytes, traceLines, dropped }
  } finally {
    await net.close()
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** The writer alone: µs of this process's CPU per tx line. */
async function writerUsPerEvent(): Promise<number> {
  const events = 200_000
  const writer = new TraceWriter(
    { sink: { append: async () => {}, close: async () => {} }, clock: systemClock, timers: systemTimers },
    { peerId: '12D3KooWbench', pid: process.pid },
  )
  const id = 'ab'.repeat(32)
  const from = '12D3KooWKshdU3vCzFihaAKTUN33ip98ancSiZNqRdnSaurvLkg3'
  const before = process.cpuUsage()
  for (let i = 0; i < events; i++) {
    writer.write({ t: systemClock.nowMs(), e: 'tx', id, from, bytes: 142 })
    if (i % 1000 === 0) await new Promise((r) => setImmediate(r))
  }
  await writer.stop()
  const { user, system } = process.cpuUsage(before)
  return (user + system) / events
}

export async function run(): Promise<void> {
  report('trace', await writerUsPerEvent(), 'µs cpu per line', { name: 'writer_us_per_event' })
  const off: RunFigures[] = []
  const on: RunFigures[] = []
  for (let i = 0; i < RUNS; i++) {
    for (const traced of [false, true]) {
      progress(`run ${i + 1}/${RUNS}, trace ${traced ? 'on' : 'off'}: ${TXS} txs`)
      const figures = await runOnce(traced)
      ;(traced ? on : off).push(figures)
      progress(`  cpu ${figures.cpuMs} ms, wall ${Math.round(figures.wallMs)} ms, trace ${figures.traceBytes} B`)
    }
  }
  const perK = (f: RunFigures) => (f.cpuMs / TXS) * 1000
  // other processes on the machine only ever add CPU time (cache, frequency): the least of the runs is the
  // steadiest figure, the median is beside it
  const offMin = Math.min(...off.map(perK))
  const onMin = Math.min(...on.map(perK))
  report('trace', offMin, 'cpu ms per 1000 txs (2 nodes)', {
    name: 'cpu_ms_per_1000_txs_untraced',
    median: median(off.map(perK)),
    runs: off.map(perK),
    wall_ms: off.map((f) => Math.round(f.wallMs)),
  })
  report('trace', onMin, 'cpu ms per 1000 txs (2 nodes)', {
    name: 'cpu_ms_per_1000_txs_traced',
    median: median(on.map(perK)),
    runs: on.map(perK),
    wall_ms: on.map((f) => Math.round(f.wallMs)),
  })
  report('trace', ((onMin - offMin) / offMin) * 100, '%', {
    name: 'cpu_overhead',
    of_medians: ((median(on.map(perK)) - median(off.map(perK))) / median(off.map(perK))) * 100,
  })
  const bytesPerTx = median(on.map((f) => f.traceBytes / 2 / TXS))
  report('trace', bytesPerTx, 'bytes per tx per node', {
    name: 'trace_bytes_per_tx',
    lines_per_tx: median(on.map((f) => f.traceLines / 2 / TXS)),
  })
  report(
    'trace',
    on.reduce((sum, f) => sum + f.dropped, 0),
    'lines',
    { name: 'trace_dropped', goal: 0 },
  )
}

if (isMain(import.meta.url)) await run()
