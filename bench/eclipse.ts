/**
 * `npm run bench -- eclipse [--runs N]`: issue 10's Monte-Carlo eclipse
 * benchmark. Each run is one simulated day of an attacker with 256 IPs in 4
 * /16 groups flooding a victim with addresses and inbound connections while
 * the victim restarts at random times (bench/eclipse-run.ts), seeds 1..N
 * (1,000 by default). The old peer book and the new peer manager face the
 * same world, seed for seed; one JSON line each gives the share of runs where
 * the attacker ends the day holding at most 1 of the 10 outbound slots (the
 * goal: ≥ 0.99 for the new one), the mean and p99 slots it holds, the same
 * right after restarts, and the wall time. Runs are split over child
 * processes (`--workers`, default: the CPU count). `--policies old,new,core`
 * adds the new manager without its even odds per group (Bitcoin Core's rule).
 */
import { fork } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { report } from './common.js'
import { makePolicy, OUTBOUND_SLOTS, POLICY_NAMES, type PolicyName } from './eclipse-policies.js'
import { type RunResult, runEclipse } from './eclipse-run.js'

export interface PolicyFigures {
  policy: PolicyName
  runs: number
  /** Share of runs where the attacker holds at most 1 slot at the end of the day. */
  shareAtMostOne: number
  meanSlots: number
  p99Slots: number
  maxSlots: number
  /** The same over every restart's refill. */
  restarts: number
  restartShareAtMostOne: number
  restartMeanSlots: number
  /** Mean outbound slots filled at the end (10 when full). */
  meanFilled: number
}

export function summarize(policy: PolicyName, results: RunResult[]): PolicyFigures {
  const end = results.map((r) => r.attackerSlotsAtEnd).sort((a, b) => a - b)
  const afterRestarts = results.flatMap((r) => r.attackerSlotsAfterRestarts)
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length)
  return {
    policy,
    runs: results.length,
    shareAtMostOne: end.filter((n) => n <= 1).length / Math.max(1, end.length),
    meanSlots: mean(end),
    p99Slots: end[Math.min(end.length - 1, Math.ceil(end.length * 0.99) - 1)] ?? 0,
    maxSlots: end[end.length - 1] ?? 0,
    restarts: afterRestarts.length,
    restartShareAtMostOne: afterRestarts.filter((n) => n <= 1).length / Math.max(1, afterRestarts.length),
    restartMeanSlots: mean(afterRestarts),
    meanFilled: mean(results.map((r) => r.slotsAtEnd)),
  }
}

/** Runs `seeds` against one policy in this process. */
export function runSeeds(policy: PolicyName, seeds: number[]): RunResult[] {
  return seeds.map((seed) => runEclipse(makePolicy(policy), seed))
}

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`)
  const value = at < 0 ? undefined : Number(process.argv[at + 1])
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`--${name} wants a positive integer`)
  return value
}

/** `--policies old,new,core` (default old,new). */
function policiesWanted(): PolicyName[] {
  const at = process.argv.indexOf('--policies')
  if (at < 0) return ['old', 'new']
  const names = (process.argv[at + 1] ?? '').split(',')
  for (const name of names)
    if (!(POLICY_NAMES as readonly string[]).includes(name))
      throw new RangeError(`--policies wants names from ${POLICY_NAMES.join(', ')}: ${name}`)
  return names as PolicyName[]
}

/** Runs `seeds` of `policy` in a child process (this file, --child). */
function inChild(policy: PolicyName, seeds: number[]): Promise<RunResult[]> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let results: RunResult[] | undefined
    child.on('message', (msg) => {
      results = msg as RunResult[]
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      results === undefined ? reject(new Error(`eclipse worker exited with ${code}`)) : resolve(results),
    )
    child.send({ policy, seeds })
  })
}

async function runPolicy(policy: PolicyName, seeds: number[], workers: number): Promise<RunResult[]> {
  if (workers <= 1) return runSeeds(policy, seeds)
  const shares = Array.from({ length: workers }, (_, w) => seeds.filter((_, i) => i % workers === w))
  return (await Promise.all(shares.map((share) => inChild(policy, share)))).flat()
}

export async function run(): Promise<void> {
  const runs = flag('runs', 1_000)
  const workers = flag('workers', Math.min(availableParallelism(), 8))
  const seeds = Array.from({ length: runs }, (_, i) => i + 1)
  for (const policy of policiesWanted()) {
    const started = performance.now()
    const figures = summarize(policy, await runPolicy(policy, seeds, workers))
    const wallMs = performance.now() - started
    const { shareAtMostOne, ...rest } = figures
    report(`eclipse-${policy}`, shareAtMostOne, 'share of runs where the attacker holds <= 1 slot', {
      ...rest,
      slots: OUTBOUND_SLOTS,
      wallMs,
    })
  }
}

if (process.argv.includes('--child')) {
  process.once('message', (msg) => {
    const { policy, seeds } = msg as { policy: PolicyName; seeds: number[] }
    process.send?.(runSeeds(policy, seeds), () => process.disconnect())
  })
}
