/**
 * Node processes on loopback: the `peerchain start` arguments for a node on
 * its own 127.A.B.C with OS-chosen ports, spawning one and waiting for its
 * ready line, and stopping many. Shared by the devnet command, the network
 * lab, the benchmarks and the integration tests.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { NODE_RUNTIME_FLAGS } from '../node/runtime-flags.js'

/** Node `index`'s address in a lab devnet: 127.0.<index+1>.1, alone in its network group 127.0.<index+1>. */
export const labHost = (index: number): string => `127.0.${index + 1}.1`

export interface DevnetNode {
  index: number
  rpc: string
  /** The node's web dashboard. */
  dashboard: string
  peerId: string
  listen: string[]
  process: ChildProcess
}

export interface LoopbackNodeOptions {
  dataDir: string
  genesisPath: string
  logLevel: string
  /** Extra listen addresses beside one TCP port on 127.0.0.1. */
  listenWs?: boolean
  mine?: boolean
  role?: 'full' | 'miner'
  bootstrap?: string[]
  /** Built-in devnet accounts to hold unlocked in the node's wallet (as `devnet-<i>`). */
  devAccounts?: number[]
  /** The loopback address to listen (and, in lab mode, dial) on. Default 127.0.0.1. */
  host?: string
  /** The network lab (`--lab`): 127.A.B.C counts as routable, grouped by 127.A.B. */
  lab?: boolean
}

/** `peerchain start` flags for a node on loopback (127.0.0.1 unless `host`) with OS-chosen ports (devnets, tests, benchmarks). */
export function loopbackNodeArgs(o: LoopbackNodeOptions): string[] {
  const host = o.host ?? '127.0.0.1'
  return [
    '--datadir',
    o.dataDir,
    '--genesis',
    o.genesisPath,
    '--listen',
    `/ip4/${host}/tcp/0`,
    ...(o.listenWs ? [`/ip4/${host}/tcp/0/ws`] : []),
    '--rpc-port',
    '0',
    '--local-cluster',
    ...(o.lab ? ['--lab'] : []),
    '--log-level',
    o.logLevel,
    ...(o.mine ? ['--mine'] : []),
    ...(o.role ? ['--role', o.role] : []),
    ...(o.bootstrap && o.bootstrap.length > 0 ? ['--bootstrap', ...o.bootstrap] : []),
    ...(o.devAccounts && o.devAccounts.length > 0 ? ['--dev-accounts', o.devAccounts.join(',')] : []),
  ]
}

const BIN = fileURLToPath(new URL('../../bin/peerchain.js', import.meta.url))

/** Starts one `peerchain start` child and resolves with its ready line (killed if none within `readyMs`). */
export function spawnNode(
  args: string[],
  logFile?: string,
  readyMs = 60_000,
  env?: Record<string, string>,
): Promise<DevnetNode & { index: -1 }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_RUNTIME_FLAGS, BIN, 'start', '--exit-with-parent', ...args], {
      stdio: ['ignore', 'pipe', logFile ? 'pipe' : 'inherit'],
      env: env && { ...process.env, ...env },
    })
    if (logFile && child.stderr) {
      import('node:fs').then(({ createWriteStream }) => child.stderr?.pipe(createWriteStream(logFile, { flags: 'a' })))
    }
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`a node did not become ready within ${readyMs / 1000} s`))
    }, readyMs)
    lines.on('line', (line) => {
      try {
        const event = JSON.parse(line) as {
          event?: string
          rpc: string
          dashboard: string
          peerId: string
          listen: string[]
        }
        if (event.event === 'ready') {
          clearTimeout(timer)
          const { rpc, dashboard, peerId, listen } = event
          resolve({ index: -1, rpc, dashboard, peerId, listen, process: child })
        }
      } catch {
        // not an event line
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`a node exited with code ${code} before it was ready`))
    })
  })
}

export async function stopNodes(nodes: ReadonlyArray<{ process: ChildProcess }>, graceMs = 10_000): Promise<void> {
  await Promise.all(
    nodes.map(
      ({ process: child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
          child.once('exit', () => {
            clearTimeout(timer)
            resolve()
          })
          child.kill('SIGTERM')
        }),
    ),
  )
}
