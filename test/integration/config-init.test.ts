/**
 * `peerchain init` and `peerchain start` reading the config file, end to end through
 * the real CLI: what init makes (and refuses to make), and a config file's values
 * refused or honoured by start. Only 127.0.0.1 and port 0.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { renderDefaultConfig } from '../../src/config/template.js'
import { NO_PASSPHRASE_HELP } from '../../src/wallet/passphrase.js'
import { BIN, type CliResult, envWithoutPeerchain, cli as runCli } from '../helpers/cli.js'

const PASSPHRASE = 'config init test passphrase'

/** The CLI with stdin not a TTY, no PEERCHAIN_ settings from the caller's environment but `env`. */
const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  runCli(args, env, 90_000, envWithoutPeerchain())

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777
const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  )

let dir: string
const children: ChildProcess[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerchain-config-it-'))
})

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => stop(child)))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('peerchain init', () => {
  it('creates the data directory, node key, commented config and wallet key, and says what it made', async () => {
    const datadir = join(dir, 'made')
    const res = await cli(['init', '--datadir', datadir, '--json'], { PEERCHAIN_PASSPHRASE: PASSPHRASE })
    expect(res.code, res.stderr).toBe(0)
    const out = JSON.parse(res.stdout)
    expect(out).toMatchObject({
      datadir,
      config: { path: join(datadir, 'peerchain.toml'), status: 'created' },
      nodeKey: { path: join(datadir, 'node-key'), status: 'created' },
      wallet: { name: 'default', path: join(datadir, 'wallet', 'default.json'), status: 'created' },
    })
    expect(out.nodeKey.peerId).toMatch(/^12D3KooW[1-9A-HJ-NP-Za-km-z]+$/)
    expect(out.wallet.address).toMatch(/^pc1/)
    expect(out.next).toEqual([`peerchain start --datadir ${datadir}`, `peerchain wallet address --datadir ${datadir}`])

    expect(await mode(datadir)).toBe(0o700)
    expect(await mode(join(datadir, 'node-key'))).toBe(0o600)
    expect(await mode(join(datadir, 'wallet', 'default.json'))).toBe(0o600)
    expect(await readFile(join(datadir, 'peerchain.toml'), 'utf8')).toBe(renderDefaultConfig())

    // The wallet key is a real keystore key.
    const address = await cli(['wallet', 'address', '--datadir', datadir])
    expect(address.stdout.trim()).toBe(out.wallet.address)
  })

  it('with no terminal and no passphrase, says how to give one, exits 2 and creates nothing', async () => {
    const datadir = join(dir, 'no-passphrase')
    const res = await cli(['init', '--datadir', datadir])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain(NO_PASSPHRASE_HELP)
    expect(res.stdout).toBe('')
    expect(await exists(datadir)).toBe(false)
  })

  it('takes the passphrase from --passphrase-file too', async () => {
    const datadir = join(dir, 'from-file')
    const file = join(dir, 'passphrase.txt')
    await writeFile(file, `${PASSPHRASE}\n`)
    const res = await cli(['init', '--datadir', datadir, '--passphrase-file', file, '--name', 'ops'])
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toContain(`initialized ${datadir}`)
    expect(res.stdout).toContain(`peerchain start --datadir ${datadir}`)
    expect(await exists(join(datadir, 'wallet', 'ops.json'))).toBe(true)
  })

  it('run twice, refuses to overwrite the config and keeps the keys; --force rewrites only the config', async () => {
    const datadir = join(dir, 'twice')
    const env = { PEERCHAIN_PASSPHRASE: PASSPHRASE }
    const first = JSON.parse((await cli(['init', '--datadir', datadir, '--json'], env)).stdout)
    const configPath = join(datadir, 'peerchain.toml')
    await writeFile(configPath, '[rpc]\nport = 0\n')
    const nodeKey = await readFile(join(datadir, 'node-key'))
    const walletKey = await readFile(join(datadir, 'wallet', 'default.json'))

    const again = await cli(['init', '--datadir', datadir], env)
    expect(again.code).toBe(2)
    expect(again.stderr).toContain(`${configPath} exists already: pass --force`)
    expect(await readFile(configPath, 'utf8')).toBe('[rpc]\nport = 0\n')

    // No passphrase needed: the wallet key exists and is kept.
    const forced = await cli(['init', '--datadir', datadir, '--force', '--json'])
    expect(forced.code, forced.stderr).toBe(0)
    const out = JSON.parse(forced.stdout)
    expect(out.config.status).toBe('overwritten')
    expect(out.nodeKey).toMatchObject({ status: 'kept', peerId: first.nodeKey.peerId })
    expect(out.wallet).toMatchObject({ status: 'kept', address: first.wallet.address })
    expect(await readFile(configPath, 'utf8')).toBe(renderDefaultConfig())
    expect(await readFile(join(datadir, 'node-key'))).toEqual(nodeKey)
    expect(await readFile(join(datadir, 'wallet', 'default.json'))).toEqual(walletKey)
  })
})

describe('peerchain start with a config file', () => {
  it('refuses an invalid value, naming the key, with exit 2 and no ready line', async () => {
    const datadir = join(dir, 'invalid')
    await cli(['init', '--datadir', datadir], { PEERCHAIN_PASSPHRASE: PASSPHRASE })
    const configPath = join(datadir, 'peerchain.toml')
    await writeFile(configPath, '[rpc]\nport = 70000\n[net]\nlisten = ["/ip4/127.0.0.1/tcp/0"]\n')
    const res = await cli(['start', '--datadir', datadir])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain(
      `peerchain: rpc.port: 70000 is not allowed (from file ${configPath}): expected an integer 0-65535`,
    )
    expect(res.stdout).not.toContain('"ready"')
  })

  it('refuses an unknown PEERCHAIN_ variable before starting', async () => {
    const res = await cli(['start', '--datadir', join(dir, 'env-typo')], { PEERCHAIN_RPC_PROT: '0' })
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('rpc.prot is not a known key (from env PEERCHAIN_RPC_PROT)')
    expect(res.stdout).toBe('')
  })

  it('refuses a bad lab links file, naming the file and the key, with exit 2 and no ready line', async () => {
    const links = join(dir, 'bad-links.json')
    await writeFile(links, JSON.stringify({ self: '127.0.0.1', regions: [], hosts: {}, latencyMs: [] }))
    const args = ['start', '--datadir', join(dir, 'bad-links'), '--lab', '--lab-links', links, '--rpc-port', '0']
    const res = await cli([...args, '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain(`peerchain: net.lab_links: ${links}: lab links: regions: expected 1-`)
    expect(res.stdout).not.toContain('"ready"')
  })

  it("honours the file's rpc.port = 0 and listen on 127.0.0.1, under the environment's values", async () => {
    const datadir = join(dir, 'valid')
    await cli(['init', '--datadir', datadir], { PEERCHAIN_PASSPHRASE: PASSPHRASE })
    await writeFile(
      join(datadir, 'peerchain.toml'),
      '[node]\nlog_format = "pretty"\n[net]\nlisten = ["/ip4/127.0.0.1/tcp/0"]\nlocal_cluster = true\n[rpc]\nhost = "127.0.0.1"\nport = 0\n',
    )
    const child = spawn(process.execPath, [BIN, 'start', '--datadir', datadir, '--exit-with-parent'], {
      env: { ...envWithoutPeerchain(), PEERCHAIN_NODE_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const ready = await readyLine(child)
    expect(new URL(ready.rpc).hostname).toBe('127.0.0.1')
    expect(new URL(ready.rpc).port).not.toBe('8645')
    expect(ready.listen.length).toBe(1)
    expect(ready.listen[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
    expect(ready.listen[0]).not.toMatch(/\/tcp\/(9333|0)\//)
    // The environment's log_format = json beats the file's pretty.
    const firstLog = JSON.parse(stderr.split('\n')[0] as string)
    expect(firstLog).toMatchObject({ level: 'info', msg: 'config file read', path: join(datadir, 'peerchain.toml') })
    const code = await stop(child)
    expect(code, `${child.signalCode} ${stderr}`).toBe(0)
  })
})

function readyLine(child: ChildProcess): Promise<{ rpc: string; peerId: string; listen: string[] }> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    const timer = setTimeout(() => reject(new Error('no ready line within 60 s')), 60_000)
    lines.on('line', (line) => {
      const event = JSON.parse(line)
      if (event.event === 'ready') {
        clearTimeout(timer)
        resolve(event)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the node exited with code ${code} before it was ready`))
    })
  })
}

/** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
    child.kill('SIGTERM')
  })
}
