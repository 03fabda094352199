/**
 * `peerchain sim`'s work: resolve the scenario, run it under virtual time
 * (src/sim/), print propagation, stale rate, convergence and traffic (and,
 * under proof of stake, commits, their latency and rounds) with the trace's
 * SHA-256 (the same seed and code print the same hash). Loaded only
 * when the command runs, so other commands never load the simulator.
 */
import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parse, TomlError } from 'smol-toml'
import { finalityViolations, lostTxs, stateRootMismatches } from '../sim/checks.js'
import { buildReport, formatReport, type SimReport } from '../sim/report.js'
import { parseScenario, type Scenario, ScenarioError } from '../sim/scenario.js'
import { SimWorld } from '../sim/world.js'
import { UsageError } from './errors.js'
import type { SimFlags } from './sim.js'

/** The scenario file (TOML) under the flags, validated. Throws UsageError naming the problem. */
export async function resolveScenario(flags: SimFlags): Promise<Scenario> {
  let base: Record<string, unknown> = {}
  if (flags.scenario !== undefined) {
    let text: string
    try {
      text = await readFile(flags.scenario, 'utf8')
    } catch (err) {
      throw new UsageError(`scenario file ${flags.scenario} cannot be read: ${(err as Error).message}`)
    }
    try {
      base = parse(text) as Record<string, unknown>
    } catch (err) {
      if (!(err instanceof TomlError)) throw err
      throw new UsageError(`scenario file ${flags.scenario} is not valid TOML: line ${err.line}, column ${err.column}`)
    }
  }
  const number = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined
    const n = Number(value)
    if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} takes a number, got "${value}"`)
    return n
  }
  const overrides: Record<string, unknown> = {
    nodes: number('nodes', flags.nodes),
    blocks: number('blocks', flags.blocks),
    tx_rate: number('tx-rate', flags.txRate),
    seed: number('seed', flags.seed),
    gossip: flags.gossip,
    consensus: flags.consensus,
    validators: number('validators', flags.validators),
  }
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) base[key] = value
  try {
    return parseScenario(base)
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(`invalid scenario:\n${err.message}`)
    throw err
  }
}

export interface SimOutcome {
  report: SimReport
  /** Invariants that did not hold (empty on a good run). */
  violations: string[]
  wallSeconds: number
}

const TRACE_WRITE_CHARS = 64 * 1024

/** Runs one scenario, writing its trace to `tracePath`. */
export async function runScenario(scenario: Scenario, tracePath: string): Promise<SimOutcome> {
  const out = createWriteStream(tracePath)
  // Lines go out in 64 KiB writes: one write per line cost ~10 % of a 200-node run.
  let pending: string[] = []
  let pendingChars = 0
  const flush = (): void => {
    if (pending.length === 0) return
    out.write(pending.join(''))
    pending = []
    pendingChars = 0
  }
  const started = performance.now()
  const world = await SimWorld.create(scenario, {
    trace: (line) => {
      pending.push(line)
      pendingChars += line.length
      if (pendingChars >= TRACE_WRITE_CHARS) flush()
    },
  })
  try {
    await world.run()
    const violations = [
      ...world.internalErrors,
      ...stateRootMismatches(world),
      ...(await lostTxs(world)),
      ...finalityViolations(world),
    ]
    const report = buildReport(world)
    return { report, violations, wallSeconds: (performance.now() - started) / 1000 }
  } finally {
    await world.close()
    flush()
    await new Promise<void>((done, fail) => out.end((err?: Error | null) => (err ? fail(err) : done())))
  }
}

export async function simCommand(flags: SimFlags): Promise<void> {
  const scenario = await resolveScenario(flags)
  const tracePath = resolve(flags.trace ?? `sim-trace-${scenario.seed}.jsonl`)
  const { report, violations, wallSeconds } = await runScenario(scenario, tracePath)
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...report, violations, wallSeconds, tracePath })}\n`)
  } else {
    for (const line of formatReport(report)) process.stdout.write(`${line}\n`)
    process.stdout.write(
      `wall         ${wallSeconds.toFixed(1)} s, ${Math.round(report.eventsRun / wallSeconds)} events/s; trace in ${tracePath}\n`,
    )
    process.stdout.write(
      violations.length === 0 ? 'checks       all hold\n' : `checks       FAILED:\n  ${violations.join('\n  ')}\n`,
    )
  }
  if (violations.length > 0) process.exitCode = 1
}
