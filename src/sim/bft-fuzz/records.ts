/** What a fuzz run records and the options it takes (harness.ts runs it, checks.ts judges it). */
import type { Commit } from '../../consensus/bft/commit.js'
import type { DuplicateVoteEvidence } from '../../consensus/bft/evidence.js'
import type { ValidatorSetView } from '../../consensus/bft/validators.js'
import type { BftFault, BftFuzzScenario } from './scenario.js'

export interface Decision {
  readonly height: bigint
  readonly blockHash: Uint8Array
  readonly commit: Commit
  readonly atMs: number
  /** From the validator's own rounds, or a commit it received (sync). */
  readonly via: 'rounds' | 'sync'
}

/** What one validator did in a run (by scenario index). */
export interface NodeRecord {
  readonly index: number
  readonly address: Uint8Array
  readonly fault: BftFault | undefined
  /** First decision of each height. */
  readonly decisions: Map<bigint, Decision>
  /** A second decision of a height that differs from the first (the machine against itself, or against sync). */
  readonly selfConflicts: Decision[]
  /** Everything its machine reported. */
  readonly evidence: DuplicateVoteEvidence[]
  /** Validators (scenario index) two of whose conflicting votes this validator handed its machine at one height. */
  readonly conflictsSeen: Set<number>
  /** The highest round its machine reached, over all heights. */
  maxRound: number
  /**
   * The most rounds its machine went through at one height after GST: its
   * round less the highest round an honest validator was in at that height at
   * GST (0 for a height nobody had started by then).
   */
  roundsAfterGst: number
}

export interface RunRecord {
  readonly scenario: BftFuzzScenario
  readonly nodes: readonly NodeRecord[]
  setAt(height: bigint): ValidatorSetView
  /** Scenario index of the validator with this address, or −1. */
  indexOf(address: Uint8Array): number
  /** Validators (scenario index) that sent at least one conflicting vote. */
  readonly equivocated: ReadonlySet<number>
  /** Virtual time the run ended. */
  endMs: number
  stop: 'done' | 'idle' | 'untilMs' | 'eventsMax'
  /** Unexpected throws (not VerifyError) of the machines or the harness. */
  readonly errors: string[]
  readonly counts: { sent: number; dropped: number; refused: number; events: number }
}

/**
 * Deliberately broken variants, for the tests that show the checks bite:
 * `honest-equivocates` makes the first honest validator send a conflicting
 * vote beside each of its own, `evidence-lost` throws away every evidence
 * report, `no-gst` keeps dropping messages to the first honest validator
 * forever, `forge-commit` keeps only the first signature of each commit a
 * machine decides with.
 */
export type Sabotage = 'honest-equivocates' | 'evidence-lost' | 'no-gst' | 'forge-commit'

export interface RunOptions {
  /** Virtual ms the run may last at most. */
  readonly untilMs: number
  /** The run also stops once an honest validator's roundsAfterGst passes this (liveness is lost already). */
  readonly roundsAfterGstMax?: number
  readonly eventsMax?: number
  readonly sabotage?: Sabotage
  /**
   * `once` (the real service): the network carries each message once, and a
   * lost one is sent again only as the machines send votes again
   * (vote-gossip.ts: our votes on each new round, and the prevotes of the
   * polka a valid re-proposal claims); a lost proposal stays lost. `catch-up`: at GST every validator also sends again
   * every vote and proposal it holds for the height it is deciding, as the
   * vote gossip Algorithm 1 assumes (CometBFT's peers send each other the
   * votes they lack) would: the model under which the paper proves liveness.
   */
  readonly gossip?: 'once' | 'catch-up'
}
