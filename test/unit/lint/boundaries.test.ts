/**
 * The architecture boundaries that biome.json enforces: only src/net/ imports
 * libp2p, and only the production edges (src/util/, net/, api/, cli/,
 * metrics/ and node/start.ts) touch the real clock, timers and randomness.
 *
 * Runs the project's own Biome on probe files. Not through `--stdin-file-path`:
 * in stdin mode Biome 2.5 prints no lint diagnostics and its exit code says
 * nothing about them (1 for any input without `--write`, 0 with it). So the
 * probes are real files in a temporary project that has a copy of biome.json,
 * at the paths the rules are about, and one `biome lint` run checks them all.
 * Every probe file holds every probe, one per line; a diagnostic's line says
 * which probe it is about.
 */
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '../../..')
const BIOME = join(ROOT, 'node_modules/.bin/biome')

const IMPORTS = 'lint/style/noRestrictedImports'
const GLOBALS = 'lint/style/noRestrictedGlobals'
const PROPERTIES = 'lint/nursery/noJsRestrictedProperties'

type Boundary = 'libp2p' | 'ambient'

interface Probe {
  name: string
  code: string
  boundary: Boundary
  rule: string
  /** What the diagnostic must point the reader to. */
  hint: string
}

const NETWORK = 'src/net/network.ts'
const CLOCK = 'src/util/clock.ts'
const TIMERS = 'src/util/timers.ts'
const RNG = 'src/util/rng.ts'

const PROBES: Probe[] = [
  {
    name: "import 'libp2p'",
    code: "import { createLibp2p } from 'libp2p'",
    boundary: 'libp2p',
    rule: IMPORTS,
    hint: NETWORK,
  },
  {
    name: "import '@libp2p/tcp'",
    code: "import { tcp } from '@libp2p/tcp'",
    boundary: 'libp2p',
    rule: IMPORTS,
    hint: NETWORK,
  },
  {
    name: "import '@libp2p/crypto/keys'",
    code: "import { generateKeyPair } from '@libp2p/crypto/keys'",
    boundary: 'libp2p',
    rule: IMPORTS,
    hint: NETWORK,
  },
  {
    name: "import type '@libp2p/interface'",
    code: "import type { PeerId } from '@libp2p/interface'",
    boundary: 'libp2p',
    rule: IMPORTS,
    hint: NETWORK,
  },
  {
    name: "import '@chainsafe/libp2p-noise'",
    code: "import { noise } from '@chainsafe/libp2p-noise'",
    boundary: 'libp2p',
    rule: IMPORTS,
    hint: NETWORK,
  },
  {
    name: "import '@multiformats/multiaddr'",
    code: "import { multiaddr } from '@multiformats/multiaddr'",
    boundary: 'libp2p',
    rule: IMPORTS,
    hint: NETWORK,
  },
  {
    name: "import 'node:timers/promises'",
    code: "import { setTimeout as delay } from 'node:timers/promises'",
    boundary: 'ambient',
    rule: IMPORTS,
    hint: TIMERS,
  },
  { name: 'Date.now()', code: 'export const now = Date.now()', boundary: 'ambient', rule: GLOBALS, hint: CLOCK },
  { name: 'new Date()', code: 'export const today = new Date()', boundary: 'ambient', rule: GLOBALS, hint: CLOCK },
  {
    name: 'setTimeout',
    code: 'export const timeout = setTimeout(() => {}, 1)',
    boundary: 'ambient',
    rule: GLOBALS,
    hint: TIMERS,
  },
  {
    name: 'setInterval',
    code: 'export const interval = setInterval(() => {}, 1)',
    boundary: 'ambient',
    rule: GLOBALS,
    hint: TIMERS,
  },
  {
    name: 'globalThis.setTimeout',
    code: 'export const timer = globalThis.setTimeout',
    boundary: 'ambient',
    rule: PROPERTIES,
    hint: TIMERS,
  },
  {
    name: 'Math.random()',
    code: 'export const coin = Math.random()',
    boundary: 'ambient',
    rule: PROPERTIES,
    hint: RNG,
  },
  {
    name: 'performance.now()',
    code: 'export const elapsed = performance.now()',
    boundary: 'ambient',
    rule: PROPERTIES,
    hint: CLOCK,
  },
]

// Every probe file: the probes in order (line i + 1 is PROBES[i]), then a line that uses the imports.
const PROBE_FILE = `${[
  ...PROBES.map((p) => p.code),
  'export const used: unknown[] = [createLibp2p, tcp, generateKeyPair, noise, multiaddr, delay]',
  'export type Used = PeerId',
].join('\n')}\n`

/** Where a probe file goes, and which boundaries hold there. */
interface Place {
  path: string
  forbids: Boundary[]
}

const PLACES: Place[] = [
  { path: 'src/chain/probe.ts', forbids: ['libp2p', 'ambient'] },
  { path: 'src/relay/probe.ts', forbids: ['libp2p', 'ambient'] },
  { path: 'src/sync/probe.ts', forbids: ['libp2p', 'ambient'] },
  { path: 'src/sim/probe.ts', forbids: ['libp2p', 'ambient'] },
  { path: 'src/mempool/probe.ts', forbids: ['libp2p', 'ambient'] },
  { path: 'src/consensus/pow/probe.ts', forbids: ['libp2p', 'ambient'] },
  { path: 'src/node/node.ts', forbids: ['libp2p', 'ambient'] },
  { path: 'src/node/start.ts', forbids: ['libp2p'] },
  { path: 'src/util/probe.ts', forbids: ['libp2p'] },
  { path: 'src/cli/probe.ts', forbids: ['libp2p'] },
  { path: 'src/api/probe.ts', forbids: ['libp2p'] },
  { path: 'src/metrics/probe.ts', forbids: ['libp2p'] },
  { path: 'dashboard/src/probe.ts', forbids: ['libp2p'] },
  { path: 'src/net/probe.ts', forbids: [] },
  { path: 'test/unit/probe.test.ts', forbids: [] },
  { path: 'bench/probe.ts', forbids: [] },
]

interface Finding {
  path: string
  line: number
  category: string
  message: string
}

interface Run {
  code: number
  stdout: string
  stderr: string
}

function biome(cwd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(BIOME, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr })
    })
  })
}

// No git repository in the temporary project.
const LINT = ['lint', '--vcs-enabled=false', '--max-diagnostics=none', '--colors=off']

let dir: string
let findings: Finding[]
let report: string
let exitCode: number

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerchain-lint-'))
  await copyFile(join(ROOT, 'biome.json'), join(dir, 'biome.json'))
  for (const place of PLACES) {
    await mkdir(dirname(join(dir, place.path)), { recursive: true })
    await writeFile(join(dir, place.path), PROBE_FILE)
  }
  const [json, text] = await Promise.all([biome(dir, [...LINT, '--reporter=json', '.']), biome(dir, [...LINT, '.'])])
  exitCode = json.code
  const parsed = JSON.parse(json.stdout) as {
    summary: { diagnosticsNotPrinted: number }
    diagnostics: Array<{ category: string; message: string; location: { path: string; start: { line: number } } }>
  }
  expect(parsed.summary.diagnosticsNotPrinted).toBe(0)
  findings = parsed.diagnostics.map((d) => ({
    path: d.location.path.replace(/^\.\//, ''),
    line: d.location.start.line,
    category: d.category,
    message: d.message,
  }))
  report = text.stdout + text.stderr
}, 60_000)

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

const probeAt = (line: number): Probe | undefined => PROBES[line - 1]

describe('architecture boundaries (biome.json)', () => {
  it('lints the probes and fails, as some are forbidden', () => {
    expect(exitCode).toBe(1)
    expect(findings.length).toBeGreaterThan(0)
  })

  it('reports nothing but the boundary rules, and only on probe lines', () => {
    const other = findings.filter((f) => ![IMPORTS, GLOBALS, PROPERTIES].includes(f.category) || !probeAt(f.line))
    expect(other).toEqual([])
  })

  for (const place of PLACES) {
    const forbidden = PROBES.filter((p) => place.forbids.includes(p.boundary)).map((p) => p.name)
    const title =
      forbidden.length === 0
        ? `${place.path}: everything passes`
        : `${place.path}: forbids ${place.forbids.join(' and ')} (${forbidden.length} probes)`
    it(title, () => {
      const flagged = new Map<string, string>()
      for (const f of findings.filter((f) => f.path === place.path)) {
        const probe = probeAt(f.line)
        if (probe) flagged.set(probe.name, f.category)
      }
      expect([...flagged.keys()].sort()).toEqual([...forbidden].sort())
      for (const [name, category] of flagged) {
        expect(category, name).toBe(PROBES.find((p) => p.name === name)?.rule)
      }
    })
  }

  it('tells what to do instead: the Network interface, or a Clock / Timers / Rng from src/util/', () => {
    // The default reporter shows each rule's configured message (as the headline or as a note).
    const blocks = report.split(/^(?=\S+:\d+:\d+ lint\/)/m).slice(1)
    expect(blocks.length).toBe(findings.length)
    for (const block of blocks) {
      const [, path, line] = /^(\S+):(\d+):\d+ /.exec(block) ?? []
      const probe = probeAt(Number(line))
      expect(probe, block).toBeDefined()
      expect(block, `${path}: ${probe?.name}`).toContain(probe?.hint)
    }
  })
})
