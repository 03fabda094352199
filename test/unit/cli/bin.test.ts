/** bin/peerchain.js runs dist/bundle/main.js, and says how to build it when it is missing. */
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import module from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const BIN = join(import.meta.dirname, '../../../bin/peerchain.js')
let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerchain-bin-'))
  await mkdir(join(dir, 'bin'))
  await copyFile(BIN, join(dir, 'bin', 'peerchain.js'))
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n')
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const run = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  promisify(execFile)(process.execPath, [join(dir, 'bin', 'peerchain.js'), ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  )

describe('bin/peerchain.js', () => {
  it('runs dist/bundle/main.js with the arguments', async () => {
    await mkdir(join(dir, 'dist', 'bundle'), { recursive: true })
    await writeFile(join(dir, 'dist', 'bundle', 'main.js'), 'console.log(JSON.stringify(process.argv.slice(2)))\n')
    const res = await run(['status', '--json'])
    expect(res.code).toBe(0)
    expect(JSON.parse(res.stdout)).toEqual(['status', '--json'])
  })

  it('keeps a compile cache in the temp directory where Node has one (22.1+), and runs without one on Node 20', async () => {
    await mkdir(join(dir, 'dist', 'bundle'), { recursive: true })
    await writeFile(join(dir, 'dist', 'bundle', 'main.js'), 'export const compiled = true\n')
    const temp = join(dir, 'tmp')
    await mkdir(temp)
    const { NODE_COMPILE_CACHE: _, ...env } = process.env
    const res = await run([], { ...env, TMPDIR: temp })
    expect(res.code, res.stderr).toBe(0)
    const hasCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function'
    expect(await readdir(temp)).toEqual(hasCache ? ['node-compile-cache'] : [])
  })

  it('without dist/, exits 1 saying how to build it', async () => {
    const res = await run(['status'])
    expect(res.code).toBe(1)
    expect(res.stderr).toBe(
      'peerchain: dist/bundle/main.js is missing: build it with `npm run build` (`npm ci` does it too)\n',
    )
  })
})
