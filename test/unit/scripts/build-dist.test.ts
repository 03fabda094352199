/**
 * scripts/build-dist.mjs on a small project of its own (the real tsc): it
 * builds only when the inputs changed or an output is missing, renames the
 * outputs into dist/ with working source maps, removes the outputs of deleted
 * sources, never touches dist/dashboard/, and serialises builds with a lock.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BuildError, buildDist, isDistFresh, LOCK_FILE } from '../../../scripts/build-dist.mjs'

let root: string
/** The small project's bundle: its main module, bundled into dist/bundle/main.js. */
const bundle = { main: 'main.js' }

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true })
  await writeFile(join(root, path), text)
}

const read = (path: string): Promise<string> => readFile(join(root, path), 'utf8')
const exists = (path: string): Promise<boolean> =>
  stat(join(root, path)).then(
    () => true,
    () => false,
  )
const mtimeMs = async (path: string): Promise<number> => (await stat(join(root, path))).mtimeMs

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'peerchain-build-'))
  await put('package.json', '{ "type": "module" }\n')
  await put(
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: {
        target: 'ES2023',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        sourceMap: true,
        types: [],
        rootDir: '.',
      },
      include: ['src'],
    }),
  )
  await put(
    'tsconfig.build.json',
    JSON.stringify({ extends: './tsconfig.json', compilerOptions: { rootDir: 'src', outDir: 'dist', noCheck: true } }),
  )
  await put('src/main.ts', "import { two } from './lib/two.js'\nexport const answer: number = two * 21\n")
  await put('src/lib/two.ts', 'export const two = 2\n')
  await put('dist/dashboard/index.html', '<!doctype html>\n')
})

afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('buildDist', () => {
  it('compiles src/ into dist/, with source maps that point at the sources', async () => {
    const result = await buildDist({ root, bundle })
    expect(result.built).toBe(true)
    expect(await read('dist/main.js')).toContain('two * 21')
    expect(await read('dist/lib/two.js')).toContain('export const two = 2')
    const map = JSON.parse(await read('dist/lib/two.js.map')) as { sources: string[] }
    expect(map.sources).toEqual(['../../src/lib/two.ts'])
    // The bundle holds both modules, and its source map reaches through tsc's to the sources.
    expect(await read('dist/bundle/main.js')).toContain('two * 21')
    const bundleMap = JSON.parse(await read('dist/bundle/main.js.map')) as { sources: string[] }
    expect(bundleMap.sources.sort()).toEqual(['../../src/lib/two.ts', '../../src/main.ts'])
    expect(JSON.parse(await read('dist/bundle/inputs.json'))).toEqual({
      'main.js': ['/dist/lib/two.js', '/dist/main.js'],
    })
    expect(await isDistFresh(root, bundle)).toBe(true)
    // No staging folder is left beside dist/.
    expect(await exists(`.dist-build-${process.pid}`)).toBe(false)
  })

  it('does nothing when dist/ was built from the same inputs', async () => {
    await buildDist({ root, bundle })
    const before = await mtimeMs('dist/main.js')
    const again = await buildDist({ root, bundle })
    expect(again.built).toBe(false)
    expect(await mtimeMs('dist/main.js')).toBe(before)
  })

  it('rebuilds when a source, a tsconfig file or package.json changes', async () => {
    await buildDist({ root, bundle })
    await put('src/lib/two.ts', 'export const two = 2 // changed\n')
    expect(await isDistFresh(root, bundle)).toBe(false)
    expect((await buildDist({ root, bundle })).built).toBe(true)
    expect(await read('dist/lib/two.js')).toContain('// changed')

    for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) {
      await writeFile(join(root, file), `${await read(file)}\n`)
      expect(await isDistFresh(root, bundle), file).toBe(false)
      expect((await buildDist({ root, bundle })).built, file).toBe(true)
    }
  })

  it('rebuilds when an output is missing', async () => {
    await buildDist({ root, bundle })
    await unlink(join(root, 'dist/lib/two.js'))
    expect(await isDistFresh(root, bundle)).toBe(false)
    expect((await buildDist({ root, bundle })).built).toBe(true)
    expect(await exists('dist/lib/two.js')).toBe(true)
  })

  it("removes a deleted source's outputs and emptied folders, and keeps dist/dashboard/", async () => {
    await buildDist({ root, bundle })
    await put('src/main.ts', 'export const answer = 42\n')
    await rm(join(root, 'src/lib'), { recursive: true })
    expect((await buildDist({ root, bundle })).built).toBe(true)
    expect(await exists('dist/lib')).toBe(false)
    expect(await exists('dist/main.js')).toBe(true)
    expect(await read('dist/dashboard/index.html')).toBe('<!doctype html>\n')
  })

  it('emits despite type errors (`npm run typecheck` reports them), and fails with a BuildError on a syntax error, leaving dist/ as it was', async () => {
    await put('src/lib/two.ts', "export const two: number = 'two'\n")
    expect((await buildDist({ root, bundle })).built).toBe(true)
    const before = await read('dist/lib/two.js')

    await put('src/lib/two.ts', 'export const two = (\n')
    const failure = await buildDist({ root, bundle }).catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(BuildError)
    expect((failure as Error).message).toMatch(/tsc failed to build dist\/:[\s\S]*two\.ts/)
    expect(await read('dist/lib/two.js')).toBe(before)
    expect(await isDistFresh(root, bundle)).toBe(false)
    expect(await exists(`dist/${LOCK_FILE}`)).toBe(false)
  })

  it('builds once when two builds start together', async () => {
    const results = await Promise.all([buildDist({ root, bundle }), buildDist({ root, bundle })])
    expect(results.map((r) => r.built).sort()).toEqual([false, true])
    expect(await isDistFresh(root, bundle)).toBe(true)
  })

  it("waits for another process's lock, and takes over the lock of a process that is gone", async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300)'])
    const exited = new Promise((resolve) => holder.once('exit', resolve))
    await put(`dist/${LOCK_FILE}`, String(holder.pid))
    const started = Date.now()
    expect((await buildDist({ root, bundle })).built).toBe(true)
    await exited
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    expect(await exists(`dist/${LOCK_FILE}`)).toBe(false)
  })

  it('rebuilds a fresh dist/ when forced', async () => {
    await buildDist({ root, bundle })
    expect((await buildDist({ root, bundle, force: true })).built).toBe(true)
  })
})
