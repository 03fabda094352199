// Compiles src/ to dist/ with tsc (tsconfig.build.json), then bundles the CLI from that
// output with esbuild into dist/bundle/ (one file per command group, loaded on demand),
// which `bin/peerchain.js` runs: a start then opens a few files instead of ~1,300 modules.
// `npm ci` (prepare), `npm run build`, `npm run bench` and the integration tests'
// global setup all call it, so nothing that spawns the CLI runs a stale dist/.
//
// It rebuilds only when the inputs changed (a hash of src/, the tsconfig files,
// package.json and the compiler's version, kept in dist/.build-stamp.json) or an
// output is missing. Two checkouts' worth of test runs may share one dist/, and
// nodes may be starting from it meanwhile, so a build takes a lock file, compiles
// into a sibling directory and renames each file into place (a reader sees the
// old file or the new one, never half of one), then removes the outputs of
// deleted sources. dist/dashboard/ (Vite's) is never touched.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Bump when the way outputs are produced changes, so every existing dist/ is rebuilt. */
const BUILD_FORMAT = 2
export const STAMP_FILE = '.build-stamp.json'
export const LOCK_FILE = '.build-lock'
/** What the build never removes from dist/: Vite's dashboard, and our own dot files. */
const KEPT_TOP_LEVEL = new Set(['dashboard'])
const LOCK_WAIT_MS_MAX = 120_000
const LOCK_POLL_MS = 100

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))

export class BuildError extends Error {
  name = 'BuildError'
}

/** Every file under `dir`, as paths relative to it with `/` separators, sorted. */
async function listFiles(dir) {
  const out = []
  let entries
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true })
  } catch (err) {
    if (err.code === 'ENOENT') return out
    throw err
  }
  for (const entry of entries) {
    if (entry.isFile())
      out.push(
        relative(dir, join(entry.parentPath ?? entry.path, entry.name))
          .split(sep)
          .join('/'),
      )
  }
  return out.sort()
}

function tscPath() {
  const require = createRequire(import.meta.url)
  let pkg
  try {
    pkg = require.resolve('typescript/package.json')
  } catch {
    throw new BuildError('typescript is not installed (a production install?): run `npm ci` to build dist/')
  }
  return { tsc: join(dirname(pkg), 'bin', 'tsc'), version: require(pkg).version }
}

function esbuildVersion() {
  const require = createRequire(import.meta.url)
  try {
    return require('esbuild/package.json').version
  } catch {
    throw new BuildError('esbuild is not installed (a production install?): run `npm ci` to build dist/')
  }
}

/** The bundle's entry points (under dist/bundle/) and the compiled modules they start from. */
/** In dist/bundle/: each bundle file's modules (see bundleInputs). */
export const BUNDLE_INPUTS = 'inputs.json'

export const BUNDLE_ENTRIES = {
  main: 'cli/main.js',
  // Spawned by path (lab/attackers.ts), next to the chunk that spawns it.
  'attackers/main': 'lab/attackers/main.js',
}

/** The hash of everything the build reads: a different value means dist/ may differ. */
export async function inputFingerprint(root = REPO_ROOT) {
  const hash = createHash('sha256')
  hash.update(`format ${BUILD_FORMAT}\ntsc ${tscPath().version}\nesbuild ${esbuildVersion()}\n`)
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    hash.update(`${file}\n`)
    hash.update(await readFile(join(root, file)))
  }
  for (const file of await listFiles(join(root, 'src'))) {
    hash.update(`src/${file}\n`)
    hash.update(await readFile(join(root, 'src', file)))
  }
  return hash.digest('hex')
}

/** The dist/ path each source compiles to (a `.d.ts` compiles to nothing). */
function expectedOutputs(sources) {
  return sources.filter((f) => /\.[cm]?ts$/.test(f) && !/\.d\.[cm]?ts$/.test(f)).map((f) => f.replace(/ts$/, 'js'))
}

async function exists(path) {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

/** Whether dist/ was built from the sources as they are now, with every output present. */
export async function isDistFresh(root = REPO_ROOT, bundle = BUNDLE_ENTRIES) {
  const dist = join(root, 'dist')
  let stamp
  try {
    stamp = JSON.parse(await readFile(join(dist, STAMP_FILE), 'utf8'))
  } catch {
    return false
  }
  if (stamp.fingerprint !== (await inputFingerprint(root))) return false
  const bundled = Object.keys(bundle).map((name) => `bundle/${name}.js`)
  for (const file of [...expectedOutputs(await listFiles(join(root, 'src'))), ...bundled]) {
    if (!(await exists(join(dist, file)))) return false
  }
  return true
}

function processAlive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return err.code === 'EPERM'
  }
}

/** Holds dist/.build-lock (our pid inside); a lock whose process is gone is taken over. */
async function acquireLock(dist) {
  const path = join(dist, LOCK_FILE)
  const deadline = Date.now() + LOCK_WAIT_MS_MAX
  for (;;) {
    try {
      const handle = await open(path, 'wx')
      await handle.writeFile(String(process.pid))
      await handle.close()
      return async () => {
        await unlink(path).catch(() => undefined)
      }
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10)
    if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) {
      await unlink(path).catch(() => undefined)
      continue
    }
    if (Date.now() > deadline) {
      throw new BuildError(`${path} has been held by process ${holder} for ${LOCK_WAIT_MS_MAX / 1000} s`)
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS))
  }
}

function runTsc(root, outDir) {
  const { tsc } = tscPath()
  const args = [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir, '--pretty', 'false']
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: root, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new BuildError(`tsc failed to build dist/:\n${`${stdout}${stderr}`.trim() || err.message}`))
      else resolve()
    })
  })
}

/**
 * Bundles the compiled CLI in `outDir` into `outDir/bundle/`: ES modules split
 * at every dynamic import, so a command still loads only its own code. The
 * native LevelDB binding stays a package; CommonJS dependencies get a
 * `require` of their own. Paths made from import.meta.url keep working: the
 * bundle's files sit at the same depth as the modules they come from.
 */
async function runBundle(root, outDir, bundle) {
  const { build } = await import('esbuild')
  let result
  const entryPoints = Object.fromEntries(Object.entries(bundle).map(([name, file]) => [name, join(outDir, file)]))
  try {
    result = await build({
      entryPoints,
      metafile: true,
      absWorkingDir: root,
      outdir: join(outDir, 'bundle'),
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: ['classic-level'],
      sourcemap: 'linked',
      banner: {
        js: "import { createRequire as __peerchainRequire } from 'node:module'; const require = __peerchainRequire(import.meta.url);",
      },
      logLevel: 'silent',
    })
  } catch (err) {
    throw new BuildError(`esbuild failed to bundle dist/:\n${err.message}`)
  }
  await writeFile(
    join(outDir, 'bundle', BUNDLE_INPUTS),
    `${JSON.stringify(bundleInputs(result.metafile, root, outDir))}\n`,
  )
}

/**
 * Which modules each file of the bundle holds, as `/dist/…` and `/node_modules/…`
 * paths: what a test of "this command does not load libp2p" reads back.
 */
function bundleInputs(metafile, root, outDir) {
  const staged = relative(root, outDir).split(sep).join('/')
  const name = (path) => (path.startsWith(`${staged}/`) ? `/dist/${path.slice(staged.length + 1)}` : `/${path}`)
  const out = {}
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (!file.endsWith('.js')) continue
    out[file.slice(`${staged}/bundle/`.length)] = Object.keys(output.inputs).map(name).sort()
  }
  return out
}

/** Removes the files of dist/ that the build did not produce (outputs of deleted sources), then empty folders. */
async function removeStale(dist, produced) {
  const keep = new Set(produced)
  for (const file of await listFiles(dist)) {
    const top = file.split('/')[0]
    if (KEPT_TOP_LEVEL.has(top) || top.startsWith('.') || keep.has(file)) continue
    await unlink(join(dist, file)).catch(() => undefined)
  }
  const entries = await readdir(dist, { recursive: true, withFileTypes: true })
  const dirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .filter((d) => !KEPT_TOP_LEVEL.has(relative(dist, d).split(sep)[0]))
    .sort((a, b) => b.length - a.length)
  for (const dir of dirs) await rmdir(dir).catch(() => undefined) // fails unless empty: kept
}

/**
 * Builds dist/ unless it is fresh (or `force`). Resolves with whether it built and,
 * if so, how many files it wrote; a compile error rejects with a BuildError.
 * `bundle` names the bundle's entry points (default: the CLI's, BUNDLE_ENTRIES).
 * @param {{ root?: string, force?: boolean, bundle?: Record<string, string> }} [options]
 * @returns {Promise<{ built: boolean, files: number, ms: number }>}
 */
export async function buildDist({ root = REPO_ROOT, force = false, bundle = BUNDLE_ENTRIES } = {}) {
  const started = Date.now()
  if (!force && (await isDistFresh(root, bundle))) return { built: false, files: 0, ms: Date.now() - started }
  const dist = join(root, 'dist')
  await mkdir(dist, { recursive: true })
  const release = await acquireLock(dist)
  // Beside dist/, at the same depth, so the source maps' relative paths hold after the move.
  const staging = join(root, `.dist-build-${process.pid}`)
  try {
    // Another process may have built while we waited for the lock.
    if (!force && (await isDistFresh(root, bundle))) return { built: false, files: 0, ms: Date.now() - started }
    const fingerprint = await inputFingerprint(root)
    await rm(staging, { recursive: true, force: true })
    await runTsc(root, staging)
    await runBundle(root, staging, bundle)
    const produced = await listFiles(staging)
    for (const file of produced) {
      await mkdir(dirname(join(dist, file)), { recursive: true })
      await rename(join(staging, file), join(dist, file))
    }
    await removeStale(dist, produced)
    const stampTmp = join(dist, `${STAMP_FILE}.${process.pid}`)
    await writeFile(stampTmp, `${JSON.stringify({ fingerprint, builtAt: new Date().toISOString() })}\n`)
    await rename(stampTmp, join(dist, STAMP_FILE))
    return { built: true, files: produced.length, ms: Date.now() - started }
  } finally {
    await rm(staging, { recursive: true, force: true })
    await release()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const result = await buildDist({ force: process.argv.includes('--force') })
    console.log(
      result.built
        ? `peerchain: built dist/ (${result.files} files, ${(result.ms / 1000).toFixed(1)} s)`
        : 'peerchain: dist/ is up to date',
    )
  } catch (err) {
    if (!(err instanceof BuildError)) throw err
    console.error(`peerchain: ${err.message}`)
    process.exit(1)
  }
}
