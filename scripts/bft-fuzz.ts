/**
 * `npx tsx scripts/bft-fuzz.ts --runs N [--from S] [--seed S]`: the BFT
 * safety and liveness fuzzer (src/sim/bft-fuzz/). Each seed derives a
 * scenario (validators, powers, Byzantine faults, delays, drops and a
 * partition before GST), runs the real round state machine in every
 * validator on virtual time, and checks safety, liveness, commits and
 * slashing evidence. A failure prints its seed and the command that replays
 * it exactly; the exit code is 1 when any seed failed.
 *
 *   --seed S          run one seed and print its scenario and every validator's decisions
 *   --from S          first seed of --runs consecutive ones (default: a random start)
 *   --checks LIST     the checks that count, comma-separated (default: all of
 *                     safety,commit,evidence,liveness,harness)
 *   --gossip MODEL    once (default: the real service sends each message once) or
 *                     catch-up (validators send again what they hold at GST)
 *   --no-memo         check every Ed25519 signature afresh (slow; for cross-checking the memo)
 */
import { parseArgs } from 'node:util'
import type { CheckName } from '../src/sim/bft-fuzz/checks.js'
import { fuzzSeed, replayCommand, type SeedResult } from '../src/sim/bft-fuzz/fuzz.js'
import { describeScenario } from '../src/sim/bft-fuzz/scenario.js'
import { signatureMemoStats } from '../src/sim/bft-fuzz/signature-memo.js'
import { toHex } from '../src/util/bytes.js'
import { seededRng } from '../src/util/rng.js'

const ALL_CHECKS: CheckName[] = ['safety', 'commit', 'evidence', 'liveness', 'harness']

function printRun(result: SeedResult): void {
  const { scenario, record, stats } = result
  process.stdout.write(`scenario: ${describeScenario(scenario)}\n`)
  process.stdout.write(
    `ended at ${record.endMs} ms (${record.stop}); messages sent ${record.counts.sent}, dropped ${record.counts.dropped}, ` +
      `refused ${record.counts.refused}; events ${record.counts.events}\n`,
  )
  for (const node of record.nodes) {
    const decisions = [...node.decisions.values()]
      .map((d) => `h${d.height}=${toHex(d.blockHash).slice(0, 8)}@${d.atMs}ms/r${d.commit.round}/${d.via}`)
      .join(' ')
    process.stdout.write(
      `  validator ${node.index} (${node.fault?.kind ?? 'honest'}): rounds ≤ ${node.maxRound}, ` +
        `${node.roundsAfterGst} after GST, evidence ${node.evidence.length}; ${decisions || 'no decision'}\n`,
    )
  }
  process.stdout.write(`stats: ${JSON.stringify(stats)}\n`)
}

function main(): void {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '100' },
      from: { type: 'string' },
      seed: { type: 'string' },
      checks: { type: 'string' },
      gossip: { type: 'string', default: 'once' },
      'no-memo': { type: 'boolean', default: false },
    },
  })
  const gossip = values.gossip
  if (gossip !== 'once' && gossip !== 'catch-up') throw new Error(`--gossip is once or catch-up, not ${gossip}`)
  const checks = new Set((values.checks?.split(',') ?? ALL_CHECKS).map((c) => c.trim()))
  for (const c of checks) if (!ALL_CHECKS.includes(c as CheckName)) throw new Error(`unknown check ${c}`)
  const from = values.from !== undefined ? Number(values.from) : seededRng(Date.now() ^ process.pid).int(2 ** 31)
  const seeds =
    values.seed !== undefined ? [Number(values.seed)] : Array.from({ length: Number(values.runs) }, (_, i) => from + i)
  const extra = `${gossip === 'once' ? '' : ` --gossip ${gossip}`}${values.checks ? ` --checks ${values.checks}` : ''}`

  const started = performance.now()
  const failures = new Map<string, number>()
  let failed = 0
  let worstDecisionRound = 0
  let worstRoundsAfterGst = 0
  for (const seed of seeds) {
    const result = fuzzSeed(seed, { memo: !values['no-memo'], gossip })
    if (values.seed !== undefined) printRun(result)
    worstDecisionRound = Math.max(worstDecisionRound, result.stats.worstDecisionRound)
    const violations = result.violations.filter((v) => checks.has(v.check))
    if (violations.length === 0) {
      const honestRounds = result.record.nodes.filter((n) => !n.fault).map((n) => n.roundsAfterGst)
      worstRoundsAfterGst = Math.max(worstRoundsAfterGst, ...honestRounds)
      if (values.seed !== undefined) process.stdout.write(`seed ${seed}: ok\n`)
      continue
    }
    failed++
    const kinds = [...new Set(violations.map((v) => v.check))]
    for (const k of kinds) failures.set(k, (failures.get(k) ?? 0) + 1)
    process.stdout.write(`seed ${seed}: FAILED ${kinds.join(', ')}\n`)
    if (values.seed === undefined) process.stdout.write(`  ${describeScenario(result.scenario)}\n`)
    for (const v of violations.slice(0, 6)) process.stdout.write(`  ${v.check}: ${v.message}\n`)
    if (violations.length > 6) process.stdout.write(`  … ${violations.length - 6} more\n`)
    process.stdout.write(`  replay: ${replayCommand(seed)}${extra}\n`)
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const byCheck = [...failures].map(([k, n]) => `${k} ${n}`).join(', ')
  process.stdout.write(
    `${seeds.length - failed} of ${seeds.length} seeds held every checked property${failed ? ` (failed: ${byCheck})` : ''} ` +
      `in ${seconds} s; worst decision round ${worstDecisionRound}, ` +
      `worst rounds after GST on a passing seed ${worstRoundsAfterGst}\n`,
  )
  const memo = signatureMemoStats()
  if (!values['no-memo']) {
    process.stdout.write(
      `signature memo: ${memo.signs - memo.signHits} of ${memo.signs} signs and ` +
        `${memo.verifies - memo.verifyHits} of ${memo.verifies} verifies done for real\n`,
    )
  }
  if (failed > 0) process.exitCode = 1
}

main()
