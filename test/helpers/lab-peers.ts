/**
 * Attacker peers for the peer-manager integration tests, in a child process:
 * bare libp2p hosts (TCP, noise, yamux, identify; no DHT, no gossip) that
 * dial a node from chosen `127.A.B.C` source addresses, each dial under a
 * fresh throwaway key, as an attacker with many keys and a few IPs would.
 *
 * - `flood`: keeps `ips × perIp` dials going from `<subnet>.1…` at once for
 *   `durationMs`; a host the node lets in answers its status honestly (our
 *   genesis) and squats until the node hangs up, then dials again under a
 *   new key. Counts what the node let in.
 * - `probe`: `tries` dials from each of `ips`, one after another: which the
 *   node let in.
 * - `silent`: one host that accepts the node's status request and never
 *   answers it, nor asks its own: how long until the node hangs up.
 *
 * "Let in" means the node greeted the host (sent it a status request), which
 * it does only with a connection it accepted. The child prints one JSON line
 * `{"event":"report",…}` when done (flood: at `durationMs` or SIGTERM).
 * Run as `node --import tsx test/helpers/lab-peers.ts '<json LabPeersTask>'`.
 */
import '../../src/util/shims.js'
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import type { Connection, Libp2p } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { encodeStatus } from '../../src/ledger/codec/wire-codec.js'
import { serveRequests, streamHandlerOptions } from '../../src/net/request.js'
import { STATUS_LIMITS } from '../../src/relay/status.js'
import { statusProtocol } from '../../src/relay/topics.js'
import { bigintToBytes, fromHex } from '../../src/util/bytes.js'

interface Target {
  /** The node's multiaddr, with /p2p/<id>. */
  target: string
  chainId: string
  /** The node's genesis hash, hex: an honest status. */
  genesisHash: string
}

export type LabPeersTask =
  | (Target & { mode: 'flood'; subnet: string; ips: number; perIp: number; durationMs: number })
  | (Target & { mode: 'probe'; ips: string[]; tries: number })
  | (Target & { mode: 'silent'; ip: string })

export interface FloodReport {
  event: 'report'
  /** Dials started. */
  dials: number
  /** Dials the node let in (it greeted the host). */
  admitted: number
  /** Dials that failed or were hung up on before any greeting. */
  refused: number
  /** Admitted hosts the node hung up on later. */
  cut: number
}

export interface ProbeReport {
  event: 'report'
  /** Per dial, in order: its source IP and whether the node let it in. */
  dials: Array<{ ip: string; admitted: boolean }>
}

export interface SilentReport {
  event: 'report'
  /** Whether the node asked the silent host for its status (it accepted the connection). */
  asked: boolean
  /** From the connection opening to the node hanging up; undefined if it never did (within 30 s). */
  cutAfterMs: number | undefined
}

/** How long a dial waits for the node's greeting before it counts as refused. */
const GREETING_WAIT_MS = 5_000
/** Pause between a slot's dials, so a refused slot does not spin. */
const REDIAL_PAUSE_MS = 150

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A bare host dialing from `ip`, under a fresh key. `onAsked` runs when the node sends it a status request. */
async function labHost(task: Target, ip: string, answer: 'honest' | 'never', onAsked: () => void): Promise<Libp2p> {
  // @libp2p/tcp spreads dialOpts into net.connect(): `localAddress` picks the source IP (see src/net/host.ts).
  const dialOpts = { noDelay: true, localAddress: ip }
  const host = await createLibp2p({
    addresses: { listen: [] },
    transports: [tcp({ dialOpts })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  })
  const genesisHash = fromHex(task.genesisHash)
  const status = encodeStatus({
    chainId: task.chainId,
    genesisHash,
    headHash: genesisHash,
    headHeight: 0n,
    totalWork: bigintToBytes(1n),
    role: 'full',
  })
  const handler = async (): Promise<Uint8Array> => {
    onAsked()
    if (answer === 'never') await new Promise(() => {})
    return status
  }
  await host.handle(
    statusProtocol(task.chainId),
    serveRequests(statusProtocol(task.chainId), handler, STATUS_LIMITS, () => {}),
    streamHandlerOptions(),
  )
  return host
}

/** Resolves when `conn` closes. */
function closed(host: Libp2p, conn: Connection): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (conn.status !== 'open' || !host.getConnections().some((c) => c.id === conn.id)) {
        host.removeEventListener('connection:close', check)
        resolve()
      }
    }
    host.addEventListener('connection:close', check)
    check()
  })
}

/** One dial from `ip` under a new key: whether the node greeted it, and (if `squat`) waits until it hangs up. */
async function dialOnce(task: Target, ip: string, squat: boolean): Promise<{ admitted: boolean; cut: boolean }> {
  let greeted: () => void = () => {}
  const greeting = new Promise<void>((r) => {
    greeted = r
  })
  const host = await labHost(task, ip, 'honest', () => greeted())
  try {
    const conn = await host.dial(multiaddr(task.target), { signal: AbortSignal.timeout(GREETING_WAIT_MS) })
    const outcome = await Promise.race([
      greeting.then(() => 'greeted' as const),
      closed(host, conn).then(() => 'closed' as const),
      sleep(GREETING_WAIT_MS).then(() => 'silent' as const),
    ])
    if (outcome !== 'greeted') return { admitted: false, cut: false }
    if (squat) await Promise.race([closed(host, conn), stopping])
    return { admitted: true, cut: squat && !stopRequested }
  } catch {
    return { admitted: false, cut: false }
  } finally {
    await Promise.resolve(host.stop()).catch(() => undefined)
  }
}

let stopRequested = false
let stopNow: () => void = () => {}
const stopping = new Promise<void>((r) => {
  stopNow = r
})

async function runFlood(task: Extract<LabPeersTask, { mode: 'flood' }>): Promise<FloodReport> {
  const report: FloodReport = { event: 'report', dials: 0, admitted: 0, refused: 0, cut: 0 }
  const endMs = Date.now() + task.durationMs
  setTimeout(() => {
    stopRequested = true
    stopNow()
  }, task.durationMs).unref()
  const slot = async (ip: string) => {
    while (!stopRequested && Date.now() < endMs) {
      report.dials++
      const { admitted, cut } = await dialOnce(task, ip, true)
      if (admitted) report.admitted++
      else report.refused++
      if (cut) report.cut++
      if (!stopRequested) await sleep(REDIAL_PAUSE_MS)
    }
  }
  const slots: Promise<void>[] = []
  for (let i = 1; i <= task.ips; i++) {
    for (let k = 0; k < task.perIp; k++) slots.push(slot(`${task.subnet}.${i}`))
  }
  process.stdout.write('{"event":"flooding"}\n')
  await Promise.all(slots)
  return report
}

async function runProbe(task: Extract<LabPeersTask, { mode: 'probe' }>): Promise<ProbeReport> {
  const report: ProbeReport = { event: 'report', dials: [] }
  for (const ip of task.ips) {
    for (let i = 0; i < task.tries; i++) report.dials.push({ ip, admitted: (await dialOnce(task, ip, false)).admitted })
  }
  return report
}

async function runSilent(task: Extract<LabPeersTask, { mode: 'silent' }>): Promise<SilentReport> {
  let asked = false
  const host = await labHost(task, task.ip, 'never', () => {
    asked = true
  })
  try {
    const conn = await host.dial(multiaddr(task.target), { signal: AbortSignal.timeout(GREETING_WAIT_MS) })
    const openedMs = Date.now()
    const cut = await Promise.race([closed(host, conn).then(() => true), sleep(30_000).then(() => false)])
    return { event: 'report', asked, cutAfterMs: cut ? Date.now() - openedMs : undefined }
  } finally {
    await Promise.resolve(host.stop()).catch(() => undefined)
  }
}

export interface LabPeers<R> {
  /** Resolves once a flood has started every dial (at once for the other modes). */
  started: Promise<void>
  /** The child's report; rejects if it exits without one. */
  report: Promise<R>
  /** Asks a flood to stop (its report follows). */
  stop(): void
  /** Kills the child if it still runs (cleanup). */
  kill(): void
}

/** Runs `task` in a child process (see the top of this file). */
export function startLabPeers<R extends FloodReport | ProbeReport | SilentReport>(task: LabPeersTask): LabPeers<R> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(task)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let markStarted: () => void = () => {}
  const started = new Promise<void>((r) => {
    markStarted = r
  })
  if (task.mode !== 'flood') markStarted()
  const report = new Promise<R>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    lines.on('line', (line) => {
      const event = JSON.parse(line) as { event: string }
      if (event.event === 'flooding') markStarted()
      if (event.event === 'report') resolve(event as R)
    })
    child.once('exit', (code) => reject(new Error(`lab peers (${task.mode}) exited with ${code} before reporting`)))
  })
  return {
    started,
    report,
    stop: () => child.kill('SIGTERM'),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
  }
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as LabPeersTask
  process.once('SIGTERM', () => {
    stopRequested = true
    stopNow()
  })
  const report =
    task.mode === 'flood' ? await runFlood(task) : task.mode === 'probe' ? await runProbe(task) : await runSilent(task)
  process.stdout.write(`${JSON.stringify(report)}\n`)
  process.exit(0)
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) await main()
