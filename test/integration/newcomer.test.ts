/**
 * A newcomer's first minute: clone the repository, run the first command the
 * README shows (`npm ci && npm start`) exactly as written, and get a devnet
 * whose dashboard URL is printed and answers. The command is read from the
 * README itself, so the README and this test cannot drift apart.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { RpcClient } from '../../src/api/client.js'

const ROOT = join(import.meta.dirname, '..', '..')
const DASHBOARD_LINE = /dashboard\S*\s+(http:\/\/127\.0\.0\.1:\d+\/dashboard\/)/
const START_TIMEOUT_MS = 420_000

/** The README's first shell line: the install-and-run command, without its comment. */
async function readmeStartCommand(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1]
  const first = block?.split('\n')[0]?.replace(/#.*$/, '').trim()
  if (!first) throw new Error('README.md has no ```sh block to run')
  return first
}

let child: ChildProcess | undefined
let clone: string | undefined

afterAll(async () => {
  if (child?.pid && child.exitCode === null) {
    // SIGINT is Ctrl-C: the devnet stops its nodes; the whole group goes if it does not.
    process.kill(-child.pid, 'SIGINT')
    const exited = new Promise((resolve) => child?.once('exit', resolve))
    const timeout = new Promise((resolve) => setTimeout(resolve, 20_000))
    await Promise.race([exited, timeout])
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL')
  }
  if (clone) await rm(clone, { recursive: true, force: true })
}, 60_000)

describe("a newcomer's path", () => {
  it(
    'runs the README command on a fresh clone and gets a devnet with its dashboard URL',
    async () => {
      const command = await readmeStartCommand()
      expect(command).toBe('npm ci && npm start')
      clone = await mkdtemp(join(tmpdir(), 'peerchain-newcomer-'))
      execFileSync('git', ['clone', '--quiet', ROOT, clone], { stdio: 'ignore' })

      let output = ''
      const url = await new Promise<string>((resolve, reject) => {
        const proc = spawn('bash', ['-c', command], {
          cwd: clone,
          detached: true, // its own process group, so cleanup reaches npm, the devnet and its nodes
          env: { ...process.env, CI: 'true', npm_config_audit: 'false', npm_config_fund: 'false' },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        child = proc
        const timer = setTimeout(
          () => reject(new Error(`no dashboard URL in ${START_TIMEOUT_MS / 1000} s; output:\n${output}`)),
          START_TIMEOUT_MS,
        )
        const onData = (chunk: Buffer): void => {
          output += chunk.toString()
          const match = DASHBOARD_LINE.exec(output)
          if (match) {
            clearTimeout(timer)
            resolve(match[1] as string)
          }
        }
        proc.stdout.on('data', onData)
        proc.stderr.on('data', (chunk: Buffer) => {
          output += chunk.toString()
        })
        proc.once('exit', (code) => {
          clearTimeout(timer)
          reject(new Error(`\`${command}\` exited (${code}) before printing a dashboard URL:\n${output}`))
        })
      })

      const page = await fetch(url)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toContain('text/html')
      const html = await page.text()
      expect(html).toContain('<script')
      // Its assets were built by `npm ci` (prepare) and are served too.
      const asset = /(?:src|href)="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)?.[1]
      expect(asset).toBeDefined()
      expect((await fetch(new URL(asset as string, url))).status).toBe(200)
      // And the node behind it answers the API on the same port.
      const head = await new RpcClient(new URL('/', url).toString()).call('chain_head')
      expect(head.height).toBeGreaterThanOrEqual(0)
      expect(output).toContain('3 nodes')
    },
    START_TIMEOUT_MS + 60_000,
  )
})
