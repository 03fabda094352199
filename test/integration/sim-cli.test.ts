/** `peerchain sim` end to end: the report, the trace file and its hash, scenario files and their errors. */
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cli } from '../helpers/cli.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerchain-sim-cli-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const hashOf = (stdout: string): string | undefined => /sha256 ([0-9a-f]{64})/.exec(stdout)?.[1]

describe('peerchain sim', () => {
  it('prints the report and the trace hash; the trace file hashes to it, and the same seed prints it again', async () => {
    const args = ['sim', '--nodes', '12', '--blocks', '3', '--tx-rate', '2', '--seed', '5']
    const first = await cli([...args, '--trace', join(dir, 'a.jsonl')])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/^blocks +p50 [0-9.]+ s {2}p90 [0-9.]+ s {2}p99 [0-9.]+ s/m)
    expect(first.stdout).toMatch(/^stale +\d+ of \d+ mined blocks/m)
    expect(first.stdout).toMatch(/^traffic +[0-9.]+ MiB per node/m)
    expect(first.stdout).toContain('checks       all hold')
    const hash = hashOf(first.stdout)
    expect(hash).toBeDefined()
    const trace = await readFile(join(dir, 'a.jsonl'))
    expect(createHash('sha256').update(trace).digest('hex')).toBe(hash)
    expect(trace.toString().split('\n')[0]).toContain('"ev":"start"')

    // Another process, the same seed: the same run (test/sim/determinism.test.ts shows another seed differs).
    const again = await cli([...args, '--trace', join(dir, 'b.jsonl')])
    expect(hashOf(again.stdout)).toBe(hash)
  })

  it('runs a TOML scenario with a partition and reports the convergence after the heal, as JSON', async () => {
    const file = join(dir, 'split.toml')
    await writeFile(
      file,
      [
        'nodes = 16',
        'blocks = 4',
        'miners = 4',
        '[[partitions]]',
        'at_s = 5',
        'heal_s = 40',
        'fraction = 0.5',
        '',
      ].join('\n'),
    )
    const res = await cli(['sim', '--scenario', file, '--seed', '2', '--trace', join(dir, 'd.jsonl'), '--json'])
    expect(res.code, res.stderr).toBe(0)
    const report = JSON.parse(res.stdout) as { nodes: number; convergenceS: number[]; violations: string[] }
    expect(report.nodes).toBe(16)
    expect(report.convergenceS).toHaveLength(1)
    expect(report.violations).toEqual([])
  })

  it('refuses a bad scenario with exit 2, naming the key', async () => {
    const file = join(dir, 'bad.toml')
    await writeFile(file, 'nodes = 1\nwarp = true\n')
    const res = await cli(['sim', '--scenario', file, '--trace', join(dir, 'e.jsonl')])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('nodes')
    expect(res.stderr).toContain('warp')
    const flag = await cli(['sim', '--nodes', 'many'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain('--nodes takes a number, got "many"')
  })
})
