/**
 * The BFT fuzzer's entry points: a seed's run with every check, and a
 * campaign over many seeds. scripts/bft-fuzz.ts is the CLI over these, and
 * test/sim/bft-fuzz.test.ts runs a campaign in CI.
 */
import {
  allViolations,
  livenessBoundMs,
  ROUNDS_AFTER_GST_MAX,
  type RunStats,
  runStats,
  type Violation,
} from './checks.js'
import { runScenario } from './harness.js'
import type { RunRecord, Sabotage } from './records.js'
import { type BftFuzzScenario, fuzzScenario } from './scenario.js'
import { withSignatureMemo } from './signature-memo.js'

export interface SeedResult {
  readonly seed: number
  readonly scenario: BftFuzzScenario
  readonly record: RunRecord
  readonly violations: readonly Violation[]
  readonly stats: RunStats
}

export interface FuzzOptions {
  /** Remember Ed25519 answers across runs (signature-memo.ts); default true. */
  readonly memo?: boolean
  /** How validators gossip (harness.ts RunOptions); default `once`, as the real service. */
  readonly gossip?: 'once' | 'catch-up'
  /** A deliberately broken harness (tests only). */
  readonly sabotage?: Sabotage
  /** Change the seed's scenario (tests only). */
  readonly tweak?: (scenario: BftFuzzScenario) => BftFuzzScenario
}

/** Runs `scenario` until every honest validator decided every height or the liveness bound passed, and checks it. */
export function fuzzRun(scenario: BftFuzzScenario, options: FuzzOptions = {}): SeedResult {
  const go = (): SeedResult => {
    const boundMs = livenessBoundMs(scenario)
    const record = runScenario(scenario, {
      untilMs: boundMs + 1,
      roundsAfterGstMax: ROUNDS_AFTER_GST_MAX,
      sabotage: options.sabotage,
      gossip: options.gossip,
    })
    return {
      seed: scenario.seed,
      scenario,
      record,
      violations: allViolations(record, boundMs),
      stats: runStats(record),
    }
  }
  return options.memo === false ? go() : withSignatureMemo(go)
}

export function fuzzSeed(seed: number, options: FuzzOptions = {}): SeedResult {
  const scenario = fuzzScenario(seed)
  return fuzzRun(options.tweak ? options.tweak(scenario) : scenario, options)
}

/** The command that replays `seed` exactly. */
export function replayCommand(seed: number): string {
  return `npx tsx scripts/bft-fuzz.ts --seed ${seed}`
}
