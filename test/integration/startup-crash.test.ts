/**
 * A SIGKILL at each file-system step of start-up never leaves a file the next
 * start cannot read. A child process runs the start-up file steps with the
 * node's own modules (test/helpers/startup-files.mjs: node key, bans, known
 * peers, RPC cookie) and a preload (kill-at-write.mjs) kills it just before
 * its n-th write step, for every n: a fresh data directory (the key is
 * created), then one where every file exists (each is replaced). After each
 * kill, a run with no kill must read everything and finish, with the peer id
 * the key already on disk gives; finally a real `peerchain start` runs on
 * what the kills left.
 */
import { execFile } from 'node:child_process'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { rpc, TestNet } from '../helpers/devnet.js'

const PRELOAD = fileURLToPath(new URL('../helpers/kill-at-write.mjs', import.meta.url))
const CHILD = fileURLToPath(new URL('../helpers/startup-files.mjs', import.meta.url))
const BAN_PEER = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
const KNOWN_PEER = '12D3KooWMfpGitDhRbVqNw2sE5xLdW93UoPLBQe1qmS5CWTBpNLm'
/** Far more write steps than a start-up takes: the loop ends when a run is not killed. */
const STEPS_MAX = 100

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

interface Run {
  killed: boolean
  code: number | null
  stdout: string
  stderr: string
}

function runChild(dataDir: string, killAt: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', PRELOAD, CHILD, dataDir, BAN_PEER, KNOWN_PEER],
      { env: { ...process.env, PEERCHAIN_TEST_KILL_AT: String(killAt) }, timeout: 20_000 },
      (err, stdout, stderr) => {
        const signal = (err as (Error & { signal?: string }) | null)?.signal
        const code = (err as (Error & { code?: number }) | null)?.code ?? 0
        resolve({ killed: signal === 'SIGKILL', code: typeof code === 'number' ? code : null, stdout, stderr })
      },
    )
  })
}

/** A run with no kill: it must read what is there and finish; returns the peer id it loaded. */
async function expectReadable(dataDir: string, after: string): Promise<string> {
  const run = await runChild(dataDir, 0)
  expect(run.killed, after).toBe(false)
  expect(run.stderr, after).toBe('')
  const match = /^ok (\S+) 2 1\n$/.exec(run.stdout)
  expect(match, `${after}: ${run.stdout}`).not.toBeNull()
  return match![1] as string
}

/** Kills a run on a copy of `base` before each write step in turn; each time the next start reads everything. */
async function killAtEveryStep(base: string, label: string): Promise<{ steps: number; lastDir: string }> {
  let lastDir = base
  for (let n = 1; n <= STEPS_MAX; n++) {
    const dir = await mkdtemp(join(tmpdir(), `peerchain-startup-${label}-${n}-`))
    dirs.push(dir)
    const dataDir = join(dir, 'data')
    await cp(base, dataDir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err // a fresh base does not exist yet
    })
    const killed = await runChild(dataDir, n)
    if (!killed.killed) {
      // past the last step: this run finished
      expect(killed.stdout, `${label}: the run past the last step`).toMatch(/^ok /)
      return { steps: n - 1, lastDir }
    }
    const keyBefore = await readKeyPeerId(dataDir)
    const first = await expectReadable(dataDir, `${label}: killed before write step ${n}`)
    if (keyBefore !== undefined) expect(first, `${label}: step ${n} changed the peer id`).toBe(keyBefore)
    lastDir = dataDir
  }
  throw new Error(`more than ${STEPS_MAX} write steps`)
}

/** The peer id of the node key on disk, if one is there (read by a run that writes nothing). */
async function readKeyPeerId(dataDir: string): Promise<string | undefined> {
  const { readFile } = await import('node:fs/promises')
  const bytes = await readFile(join(dataDir, 'node-key')).catch(() => undefined)
  if (bytes === undefined) return undefined
  const { decodeNodeKey } = await import('../../src/net/identity.js')
  return decodeNodeKey(bytes, 'node-key').publicKey.toString()
}

describe('a SIGKILL during start-up', () => {
  it('at any write step, on a fresh data directory or a full one, leaves files the next start reads', async () => {
    const root = await mkdtemp(join(tmpdir(), 'peerchain-startup-'))
    dirs.push(root)
    const fresh = await killAtEveryStep(join(root, 'none'), 'fresh')
    // key, two bans, peers, cookie: every file's temp open, write and rename was a kill point
    expect(fresh.steps).toBeGreaterThanOrEqual(15)

    const full = join(root, 'full')
    const peerId = await expectReadable(full, 'a first full run')
    const replaced = await killAtEveryStep(full, 'full')
    expect(replaced.steps).toBeGreaterThanOrEqual(12)
    expect(await expectReadable(full, 'the base')).toBe(peerId)

    // a real node starts on what the last kill left, with the same identity
    const net = await TestNet.create()
    try {
      await cp(replaced.lastDir, join(net.dir, 'node'), { recursive: true })
      const node = await net.start('node')
      const info = await rpc<{ peerId: string }>(node.rpc, 'node_info')
      expect(info.peerId).toBe(peerId)
    } finally {
      await net.close()
    }
  }, 60_000)
})
