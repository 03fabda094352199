/**
 * One modelled validator of a fuzz run as the harness keeps it: its record
 * (what the checks read), its round state machine (none for a silent one),
 * and what the validator service would hold beside the machine (messages of
 * heights ahead, commits ahead, what it saw and sent at the current height).
 */
import type { KeyObject } from 'node:crypto'
import type { Commit } from '../../consensus/bft/commit.js'
import type { Proposal } from '../../consensus/bft/proposal.js'
import type { RoundState } from '../../consensus/bft/round-state.js'
import type { Vote } from '../../consensus/bft/vote.js'
import { FutureMessages } from '../../node/future-messages.js'
import type { SimEvent } from '../event-queue.js'
import type { NodeRecord } from './records.js'
import type { BftFault } from './scenario.js'

/** As node/validator.ts: heights ahead whose messages are kept, and how many per height. */
const FUTURE_HEIGHTS = 2
const FUTURE_PER_HEIGHT_MAX = 4096

export type Message =
  | { readonly kind: 'vote'; readonly vote: Vote }
  | { readonly kind: 'proposal'; readonly proposal: Proposal }
  | { readonly kind: 'commit'; readonly height: bigint; readonly blockHash: Uint8Array; readonly commit: Commit }

/** What a machine takes: a vote or a proposal. */
export type Pending = Exclude<Message, { kind: 'commit' }>

export interface FuzzNode {
  readonly record: NodeRecord
  readonly machine: RoundState | undefined
  readonly secretKey: KeyObject
  /** Equivocates although the scenario calls it honest (sabotage). */
  readonly rogue: boolean
  /** The height being decided; 0 before the first start. */
  height: bigint
  readonly future: FutureMessages<Pending>
  /** Commits of heights not started yet. */
  readonly commitsAhead: Map<bigint, Message & { kind: 'commit' }>
  /** Block hashes handed to the machine at the current height, by `validator/round/type`. */
  seen: Map<string, Set<string>>
  /** Votes and proposals of the current height it sent or its machine took (for `catch-up` gossip). */
  held: Pending[]
  startTimer: SimEvent | undefined
}

/** A validator before its first height; the caller gives it its machine. */
export function newFuzzNode(opts: {
  index: number
  address: Uint8Array
  fault: BftFault | undefined
  secretKey: KeyObject
  rogue: boolean
}): FuzzNode {
  const record: NodeRecord = {
    index: opts.index,
    address: opts.address,
    fault: opts.fault,
    decisions: new Map(),
    selfConflicts: [],
    evidence: [],
    conflictsSeen: new Set(),
    maxRound: 0,
    roundsAfterGst: 0,
  }
  return {
    record,
    machine: undefined,
    secretKey: opts.secretKey,
    rogue: opts.rogue,
    height: 0n,
    future: new FutureMessages(FUTURE_HEIGHTS, FUTURE_PER_HEIGHT_MAX),
    commitsAhead: new Map(),
    seen: new Map(),
    held: [],
    startTimer: undefined,
  }
}
