/**
 * Files end to end on a 3-node devnet of real processes: `peerchain files
 * add` on node 0, `files stat` and `files ls` show it there; `files get` on
 * nodes 1 and 2 (at once) saves bytes identical to the original (SHA-256),
 * with `--json` progress lines; unpin and gc remove it, pin keeps it; and
 * the progress bar in a real terminal (tmux, its raw output recorded by
 * pipe-pane).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FileAddedJson, FileRootJson, FileStatJson } from '../../src/files/json.js'
import { BIN, type CliResult, cli as runCli } from '../helpers/cli.js'
import { isConnected, TestNet, type TestNode, waitFor } from '../helpers/devnet.js'

const FILE_BYTES = 6 * 1024 * 1024 + 12_345

const cli = (args: string[]): Promise<CliResult> =>
  runCli(args, {}, 60_000, { ...process.env, PEERCHAIN_RPC: '', PEERCHAIN_RPC_TOKEN: '' })

const on = (node: TestNode): string[] => ['--rpc', node.rpc, '--datadir', node.dataDir]

async function cliOk(args: string[]): Promise<string> {
  const res = await cli(args)
  expect(res.code, res.stderr).toBe(0)
  return res.stdout
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** Deterministic bytes that do not compress or repeat (SHA-256 in counter mode). */
function fileBytes(length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0, offset = 0; offset < length; i++, offset += 32) {
    out.set(
      createHash('sha256')
        .update(`files-cli:${i}`)
        .digest()
        .subarray(0, Math.min(32, length - offset)),
      offset,
    )
  }
  return out
}

let net: TestNet
let seed: TestNode
let leeches: TestNode[]
let original: Uint8Array
let added: FileAddedJson

beforeAll(async () => {
  net = await TestNet.create()
  seed = await net.start('seed')
  leeches = await Promise.all(['leech1', 'leech2'].map((name) => net.start(name, { bootstrap: [seed.addr] })))
  for (const leech of leeches) await waitFor('a leech to connect', () => isConnected(leech, seed))
  original = fileBytes(FILE_BYTES)
  await writeFile(join(net.dir, 'original.bin'), original)
  added = JSON.parse(await cliOk(['files', 'add', join(net.dir, 'original.bin'), '--json', ...on(seed)]))
}, 60_000)

afterAll(async () => {
  await net?.close()
})

describe('peerchain files', () => {
  it('add prints the root; stat and ls on the node show it whole and pinned', async () => {
    expect(added).toMatchObject({ name: 'original.bin', sizeBytes: FILE_BYTES, pinned: true, kind: 'file' })
    expect(added.cid).toMatch(/^bafy/)
    const stat: FileStatJson = JSON.parse(await cliOk(['files', 'stat', added.cid, '--json', ...on(seed)]))
    // 25 chunks of 256 KiB (the last one short) under one root node.
    expect(stat).toMatchObject({ cid: added.cid, complete: true, blocks: 26, blocksHeld: 26, sizeBytes: FILE_BYTES })
    const roots: FileRootJson[] = JSON.parse(await cliOk(['files', 'ls', '--json', ...on(seed)]))
    expect(roots.map((r) => r.cid)).toEqual([added.cid])
    const table = await cliOk(['files', 'ls', ...on(seed)])
    expect(table).toMatch(new RegExp(`${added.cid}\\s+original\\.bin\\s+6\\.0 MiB\\s+yes\\s+added`))
  })

  it('get on two other nodes at once saves identical bytes, with --json progress lines', async () => {
    const outs = leeches.map((_, i) => join(net.dir, `got-${i}.bin`))
    const runs = await Promise.all(
      leeches.map((leech, i) => cliOk(['files', 'get', added.cid, '-o', outs[i] as string, '--json', ...on(leech)])),
    )
    for (const [i, stdout] of runs.entries()) {
      const lines = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; state?: string; path?: string })
      expect(lines.length).toBeGreaterThanOrEqual(2)
      expect(lines.slice(0, -1).every((l) => l.type === 'progress')).toBe(true)
      // bytesDone counts every block (the root node's bytes too); bytesTotal is the file's size.
      expect(lines.at(-2)).toMatchObject({ type: 'progress', state: 'done', bytesTotal: FILE_BYTES })
      expect((lines.at(-2) as { bytesDone?: number }).bytesDone).toBeGreaterThanOrEqual(FILE_BYTES)
      expect(lines.at(-1)).toMatchObject({ type: 'saved', path: outs[i], files: 1, bytes: FILE_BYTES })
      expect(sha256(await readFile(outs[i] as string))).toBe(sha256(original))
    }
    for (const leech of leeches) {
      const stat: FileStatJson = JSON.parse(await cliOk(['files', 'stat', added.cid, '--json', ...on(leech)]))
      expect(stat).toMatchObject({ complete: true, pinned: true })
    }
  })

  it('unpin and gc remove a downloaded file from a node; pin keeps it', async () => {
    const [kept, dropped] = leeches as [TestNode, TestNode]
    expect(await cliOk(['files', 'unpin', added.cid, ...on(dropped)])).toBe(`unpinned ${added.cid}\n`)
    const gc = JSON.parse(await cliOk(['files', 'gc', '--json', ...on(dropped)]))
    expect(gc).toMatchObject({ blocksRemoved: 26, rootsRemoved: 1, blocksKept: 0 })
    const stat: FileStatJson = JSON.parse(await cliOk(['files', 'stat', added.cid, '--json', ...on(dropped)]))
    expect(stat).toMatchObject({ complete: false, blocksHeld: 0, pinned: false, indexed: false })
    expect(await cliOk(['files', 'pin', added.cid, ...on(kept)])).toBe(`pinned ${added.cid}\n`)
    expect(JSON.parse(await cliOk(['files', 'gc', '--json', ...on(kept)]))).toMatchObject({
      blocksRemoved: 0,
      blocksKept: 26,
    })
    const bad = await cli(['files', 'stat', 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy', ...on(kept)])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/file store refused: UNKNOWN_CODEC: .*only raw \(0x55\) and dag-pb \(0x70\)/)
  })

  it('get draws its progress bar in a real terminal (tmux)', async () => {
    const other = await net.start('leech3', { bootstrap: [seed.addr] })
    await waitFor('leech3 to connect', () => isConnected(other, seed))
    const socket = `peerchain-files-${process.pid}`
    const rawLog = join(net.dir, 'tty.log')
    const out = join(net.dir, 'got-tty.bin')
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
    tmux('new-session', '-d', '-s', 'files', '-x', '160', '-y', '10')
    try {
      tmux('pipe-pane', '-t', 'files', '-o', `cat >> ${rawLog}`)
      const command = [process.execPath, BIN, 'files', 'get', added.cid, '-o', out, ...on(other)].join(' ')
      tmux('send-keys', '-t', 'files', `${command}; echo "exit=$?"`, 'Enter')
      const raw = await waitFor(
        'the get to finish in the terminal',
        async () => {
          const text = await readFile(rawLog, 'utf8').catch(() => '')
          return /exit=\d+/.test(text) && text
        },
        30_000,
      )
      expect(raw).toMatch(/exit=0/)
      // The bar is drawn in place (carriage return, clear line) with bytes, rate, providers and ETA.
      const redraw = '\r\u001b\\[2K'
      const frame =
        '\\[[#-]{24}\\] [0-9.]+ (B|KiB|MiB)(/6\\.0 MiB [0-9.]+%)? [0-9.]+ (B|KiB|MiB)/s \\d+ providers? ETA '
      expect(raw).toMatch(new RegExp(redraw + frame))
      expect(raw).toMatch(/\[#{24}\] 6\.0 MiB\/6\.0 MiB 100\.0% [0-9.]+ (B|KiB|MiB)\/s \d+ providers? ETA 0s/)
      expect(raw).toMatch(/saved .*got-tty\.bin \(1 file, 6\.0 MiB\)/)
      expect(sha256(await readFile(out))).toBe(sha256(original))
    } finally {
      tmux('kill-server')
    }
  })
})
