/**
 * Deferred startup work: a command loads only the modules it runs. The real
 * CLI runs with a loader hook that records every module it loads
 * (test/helpers/module-recorder.mjs). The read commands, against a running
 * node, load an HTTP client and no libp2p, LevelDB, worker pool, config schema
 * or WebSocket library; `start` with a bad flag is refused before it loads the node.
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli.js'
import { TestNet, type TestNode } from '../helpers/devnet.js'

const RECORDER = join(import.meta.dirname, '../helpers/module-recorder.mjs')

/** Modules no read command may load, by the part of their URL that names them. */
const NODE_ONLY = [
  '/node_modules/libp2p/',
  '/node_modules/@libp2p/',
  '/node_modules/@chainsafe/libp2p-',
  '/node_modules/classic-level/',
  '/node_modules/zod/',
  '/node_modules/ws/',
  '/node_modules/prom-client/',
  '/dist/net/',
  '/dist/storage/',
  '/dist/chain/',
  '/dist/ledger/sigverify/',
  '/dist/node/start.js',
]

let dir: string
let net: TestNet
let node: TestNode
let runs = 0

/** Runs the CLI with the recorder; resolves with its exit code, output and the modules it loaded. */
async function cliModules(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string; modules: string[] }> {
  const log = join(dir, `modules-${runs++}.txt`)
  const env = { ...process.env, PEERCHAIN_MODULE_LOG: log, PEERCHAIN_RPC: '', PEERCHAIN_RPC_TOKEN: '', ...extraEnv }
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', RECORDER, BIN, ...args], { env, timeout: 60_000 }, (err, out, errOut) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: out, stderr: errOut })
    })
  })
  const modules = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '')
  return { code, stdout, stderr, modules }
}

/**
 * The node itself, which `start` loads only once its settings are valid. (Checking the settings
 * parses multiaddrs, which takes @multiformats/multiaddr and @libp2p/peer-id, but not libp2p.)
 */
const NODE_CORE = [
  '/node_modules/libp2p/',
  '/node_modules/@libp2p/gossipsub/',
  '/node_modules/@libp2p/kad-dht/',
  '/node_modules/classic-level/',
  '/dist/node/start.js',
  '/dist/net/libp2p-network.js',
  '/dist/storage/',
  '/dist/chain/',
  '/dist/ledger/sigverify/',
]

const loadedOf = (modules: string[], parts = NODE_ONLY): string[] =>
  parts.filter((part) => modules.some((m) => m.includes(part)))

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerchain-modules-'))
  net = await TestNet.create()
  node = await net.start('node')
}, 120_000)

afterAll(async () => {
  await net?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('what a command loads', () => {
  it.each([['status'], ['peers'], ['block', '0'], ['mempool'], ['tx', 'get', 'ab'.repeat(32)]])(
    'peerchain %s loads the read commands and none of the node',
    async (...command) => {
      const res = await cliModules([...command, '--json', '--rpc', node.rpc])
      // `tx get` of an unknown hash answers and exits 1; the others succeed.
      expect(res.code, res.stderr).toBe(command[0] === 'tx' ? 1 : 0)
      expect(res.stdout).not.toBe('')
      expect(res.modules.some((m) => m.endsWith('/dist/cli/read.js'))).toBe(true)
      expect(loadedOf(res.modules)).toEqual([])
    },
  )

  it('peerchain start with a bad flag is refused before the node (libp2p, LevelDB) is loaded', async () => {
    const res = await cliModules(['start', '--datadir', join(dir, 'refused'), '--rpc-port', 'nope'])
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/rpc\.port/)
    expect(loadedOf(res.modules, ['/node_modules/zod/'])).toEqual(['/node_modules/zod/'])
    expect(loadedOf(res.modules, NODE_CORE)).toEqual([])
  })

  it('peerchain start --help loads the config schema for its defaults, and not the node', async () => {
    const res = await cliModules(['start', '--help'])
    expect(res.code).toBe(0)
    expect(res.stdout).toContain('--rpc-port')
    expect(loadedOf(res.modules, ['/node_modules/zod/'])).toEqual(['/node_modules/zod/'])
    expect(loadedOf(res.modules, NODE_CORE)).toEqual([])
  })

  it('the recorder catches libp2p when a command does load it (init makes a libp2p node key)', async () => {
    const res = await cliModules(['init', '--datadir', join(dir, 'init')], { PEERCHAIN_PASSPHRASE: 'correct horse' })
    expect(res.code, res.stderr).toBe(0)
    expect(loadedOf(res.modules)).toContain('/node_modules/@libp2p/')
  })

  it('and catches the node when `start` runs one, which loads no more than it runs', async () => {
    const log = join(dir, 'modules-start.txt')
    const args = ['--import', RECORDER, BIN, 'start', '--exit-with-parent', '--datadir', join(dir, 'started')]
    const child = spawn(process.execPath, [...args, '--listen', '/ip4/127.0.0.1/tcp/0', '--rpc-port', '0'], {
      env: { ...process.env, PEERCHAIN_MODULE_LOG: log },
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    for await (const line of createInterface({ input: child.stdout })) if (line.includes('"ready"')) break
    child.kill('SIGTERM')
    await exited
    const modules = (await readFile(log, 'utf8')).split('\n')
    expect(loadedOf(modules, NODE_CORE)).toEqual(NODE_CORE)
    // Without a config file or --mdns, neither a TOML parser nor multicast DNS.
    expect(loadedOf(modules, ['/node_modules/smol-toml/', '/node_modules/@libp2p/mdns/'])).toEqual([])
  })
})
