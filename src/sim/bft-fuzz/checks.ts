/**
 * The properties a BFT fuzz run must hold, each a pure function of the run's
 * record (so a test can hand one a fabricated record and see it bite):
 *
 * - safety: no two validators decide different blocks at one height, and no
 *   validator decides two; asked of every validator that runs a machine (the
 *   Byzantine ones only lie on the wire: their machines' decisions rest on
 *   ⅔+ precommits like everyone's), honest ones first;
 * - liveness: every honest validator decides every height by a bound after GST;
 * - commits: every decision carries a commit that verifyCommit accepts
 *   against the validator set of its height, for the decided block;
 * - evidence: every report verifies (verifyEvidence) and names a validator
 *   that equivocates, never an honest (or silent, or late) one, and every
 *   honest validator whose machine was handed two conflicting votes of one
 *   validator at one height reported that validator.
 */
import { verifyCommit } from '../../consensus/bft/commit.js'
import { verifyEvidence } from '../../consensus/bft/evidence.js'
import { STALL_FACTOR } from '../../consensus/bft/round-state.js'
import type { TimeoutConfig } from '../../consensus/bft/timeouts.js'
import { isVerifyError } from '../../ledger/errors.js'
import { equalBytes, toHex } from '../../util/bytes.js'
import { FUZZ_CHAIN_ID } from './fixtures.js'
import type { Decision, NodeRecord, RunRecord } from './records.js'
import type { BftFuzzScenario } from './scenario.js'

export type CheckName = 'safety' | 'liveness' | 'commit' | 'evidence' | 'harness'

export interface Violation {
  readonly check: CheckName
  readonly message: string
}

/** The longest a round can last: every step at its capped timeout, the vote steps ending on their stall timeouts. */
export function roundMaxMs(timeouts: TimeoutConfig): number {
  return timeouts.propose.maxMs + STALL_FACTOR * (timeouts.prevote.maxMs + timeouts.precommit.maxMs)
}

/** Rounds of the longest kind each height may take after GST before liveness counts as lost. */
export const ROUNDS_PER_HEIGHT_BOUND = 4

/**
 * Rounds an honest validator may go through at one height after GST
 * (NodeRecord.roundsAfterGst). With every vote reaching every validator after
 * GST, a couple of rounds line the validators up and f proposers may waste
 * one each (f ≤ 3 here). On seeds 1–1,000 the runs that stayed live needed at
 * most 9 (send-once gossip) and 10 (`catch-up`), and 4 and 3 since every
 * validator sends on the polka a re-proposal claims; the runs that lost liveness
 * (split locks, test/sim/bft-fuzz.test.ts) go on for hundreds of rounds, so
 * the run stops as soon as one passes the bound.
 */
export const ROUNDS_AFTER_GST_MAX = 10

/**
 * When every honest validator must have decided every height: GST, plus, for
 * each height, ROUNDS_PER_HEIGHT_BOUND rounds at their longest (a few rounds
 * to line the validators up again after GST, and the rounds of faulty
 * proposers), plus the commit pauses.
 */
export function livenessBoundMs(scenario: BftFuzzScenario): number {
  const perHeight = ROUNDS_PER_HEIGHT_BOUND * roundMaxMs(scenario.timeouts) + scenario.commitPauseMs
  return scenario.gstMs + scenario.heights * perHeight
}

const isHonest = (node: NodeRecord): boolean => node.fault === undefined
const hex = (hash: Uint8Array): string => toHex(hash).slice(0, 12)

export function safetyViolations(record: RunRecord): Violation[] {
  const out: Violation[] = []
  const who = (n: NodeRecord): string => `validator ${n.index}${isHonest(n) ? ' (honest)' : ` (${n.fault?.kind})`}`
  // honest validators first, so the first decision of a height that others are compared with is an honest one
  const ordered = [...record.nodes].sort((a, b) => Number(isHonest(b)) - Number(isHonest(a)))
  const first = new Map<bigint, { node: NodeRecord; decision: Decision }>()
  for (const node of ordered) {
    for (const decision of node.decisions.values()) {
      const known = first.get(decision.height)
      if (!known) {
        first.set(decision.height, { node, decision })
        continue
      }
      if (!equalBytes(known.decision.blockHash, decision.blockHash)) {
        out.push({
          check: 'safety',
          message:
            `height ${decision.height}: ${who(known.node)} decided ${hex(known.decision.blockHash)} ` +
            `(${known.decision.via}, round ${known.decision.commit.round}), ${who(node)} decided ` +
            `${hex(decision.blockHash)} (${decision.via}, round ${decision.commit.round})`,
        })
      }
    }
    for (const decision of node.selfConflicts) {
      out.push({
        check: 'safety',
        message: `height ${decision.height}: ${who(node)} decided ${hex(decision.blockHash)} after deciding another block`,
      })
    }
  }
  return out
}

export function livenessViolations(
  record: RunRecord,
  boundMs = livenessBoundMs(record.scenario),
  roundsMax = ROUNDS_AFTER_GST_MAX,
): Violation[] {
  const out: Violation[] = []
  for (const node of record.nodes) {
    if (!isHonest(node)) continue
    if (node.roundsAfterGst > roundsMax) {
      out.push({
        check: 'liveness',
        message: `honest validator ${node.index} went through ${node.roundsAfterGst} rounds of one height after GST (at most ${roundsMax})`,
      })
    }
    for (let h = 1n; h <= BigInt(record.scenario.heights); h++) {
      const decision = node.decisions.get(h)
      if (!decision) {
        out.push({
          check: 'liveness',
          message: `honest validator ${node.index} never decided height ${h} (run ended at ${record.endMs} ms, ${record.stop}; bound ${boundMs} ms)`,
        })
        break
      }
      if (decision.atMs > boundMs) {
        out.push({
          check: 'liveness',
          message: `honest validator ${node.index} decided height ${h} at ${decision.atMs} ms, after the bound ${boundMs} ms`,
        })
      }
    }
  }
  return out
}

export function commitViolations(record: RunRecord): Violation[] {
  const out: Violation[] = []
  for (const node of record.nodes) {
    for (const d of [...node.decisions.values(), ...node.selfConflicts]) {
      const where = `validator ${node.index}, height ${d.height} (${d.via})`
      if (d.commit.height !== d.height || !equalBytes(d.commit.blockHash, d.blockHash)) {
        out.push({ check: 'commit', message: `${where}: the commit is for another height or block` })
        continue
      }
      try {
        verifyCommit(d.commit, record.setAt(d.height), FUZZ_CHAIN_ID)
      } catch (err) {
        if (!isVerifyError(err)) throw err
        out.push({ check: 'commit', message: `${where}: ${err.code} ${err.message}` })
      }
    }
  }
  return out
}

export function evidenceViolations(record: RunRecord): Violation[] {
  const out: Violation[] = []
  const equivocates = (index: number): boolean => record.nodes[index]?.fault?.kind === 'equivocate'
  for (const node of record.nodes) {
    for (const ev of node.evidence) {
      const offender = record.indexOf(ev.voteA.validator)
      const what = `evidence reported by validator ${node.index} (h${ev.voteA.height}/r${ev.voteA.round} ${ev.voteA.type})`
      try {
        verifyEvidence(ev, record.setAt(ev.voteA.height), FUZZ_CHAIN_ID)
      } catch (err) {
        if (!isVerifyError(err)) throw err
        out.push({ check: 'evidence', message: `${what} does not verify: ${err.code} ${err.message}` })
      }
      if (!equivocates(offender)) {
        const kind = record.nodes[offender]?.fault?.kind ?? 'honest'
        out.push({ check: 'evidence', message: `${what} names validator ${offender}, which is ${kind}` })
      }
    }
    if (!isHonest(node)) continue
    for (const offender of node.conflictsSeen) {
      const reported = node.evidence.some((ev) => record.indexOf(ev.voteA.validator) === offender)
      if (!reported) {
        out.push({
          check: 'evidence',
          message: `honest validator ${node.index} was handed conflicting votes of validator ${offender} and reported nothing`,
        })
      }
    }
  }
  return out
}

/** Every check over one run, the harness's own errors first. */
export function allViolations(record: RunRecord, boundMs?: number): Violation[] {
  return [
    ...record.errors.map((message) => ({ check: 'harness' as const, message })),
    ...safetyViolations(record),
    ...commitViolations(record),
    ...evidenceViolations(record),
    ...livenessViolations(record, boundMs),
  ]
}

/** What a run tells about the protocol beyond pass/fail. */
export interface RunStats {
  /** Highest round of an honest validator's decision (its commit's round). */
  readonly worstDecisionRound: number
  /** Highest round any honest machine reached. */
  readonly worstRound: number
  /** Last honest decision after GST, in ms. */
  readonly settleMs: number
  /** Honest decisions taken from a received commit rather than the validator's own rounds. */
  readonly synced: number
  /** Equivocators whose double votes some honest validator saw, and how many of those were reported. */
  readonly equivocatorsSeen: number
  readonly equivocatorsReported: number
}

export function runStats(record: RunRecord): RunStats {
  let worstDecisionRound = 0
  let worstRound = 0
  let lastMs = 0
  let synced = 0
  const seen = new Set<number>()
  const reported = new Set<number>()
  for (const node of record.nodes) {
    if (!isHonest(node)) continue
    worstRound = Math.max(worstRound, node.maxRound)
    for (const d of node.decisions.values()) {
      worstDecisionRound = Math.max(worstDecisionRound, d.commit.round)
      lastMs = Math.max(lastMs, d.atMs)
      if (d.via === 'sync') synced++
    }
    for (const i of node.conflictsSeen) seen.add(i)
    for (const ev of node.evidence) reported.add(record.indexOf(ev.voteA.validator))
  }
  return {
    worstDecisionRound,
    worstRound,
    settleMs: Math.max(0, lastMs - record.scenario.gstMs),
    synced,
    equivocatorsSeen: seen.size,
    equivocatorsReported: [...seen].filter((i) => reported.has(i)).length,
  }
}
