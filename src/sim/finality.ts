/**
 * What proof of stake must show in a simulated run, recorded as it happens:
 *
 * - Safety: the first block any node holds final at a height is the only one
 *   any node ever holds final there. Every head change is checked (a block
 *   once final may never leave a main chain, and no node may finalize
 *   another block at a height), not only the chains at the end.
 * - Liveness: while ⅔+ of the voting power is connected (no partition, or a
 *   side holding it), new heights keep committing; while no side holds ⅔+,
 *   none does; after a heal, heights commit again. A faulty (byzantine)
 *   validator's power may help commit a height but is never owed: heights
 *   must commit while the honest power of one side is ⅔+, and may while the
 *   running power (faulty included) of one side is. The power is the set's
 *   at each height, so a validator dropped at an epoch (a slashed
 *   equivocator) stops counting there. While messages are lost no height is
 *   owed (a lost vote is sent again only by a later round or with a
 *   re-proposal: consensus/bft/vote-gossip.ts), and one must
 *   commit after the loss stops.
 * - Pace: each height's first proposal, the moment its block is final at ⅔
 *   of the running nodes, and the round it was decided in.
 *
 * Pure bookkeeping on virtual times the world passes in: nothing here feeds
 * back into the nodes.
 */
import { Samples } from './stats.js'

/**
 * A commit seen this long after a split that left no side ⅔+ of the power is
 * a liveness record's violation; sooner, it may be a decision whose
 * precommits were on the wire when the network split.
 */
export const SPLIT_GRACE_MS = 2000

export interface FinalityInit {
  /** Nodes that run (offline validators never start and never count). */
  running: readonly boolean[]
  /** Voting power of each node in the genesis set (0 for a full node). */
  power: readonly bigint[]
  /** Nodes driven to a fault (byzantine validators): their power may commit a height but is not owed one. Default: none. */
  faulty?: readonly boolean[]
  /**
   * Each node's voting power in the set of `height` (the set changes at
   * epochs); undefined when the set is not known yet. Absent: `power` at
   * every height.
   */
  powerAt?: (height: number) => readonly bigint[] | undefined
  /** Messages are being lost at the start: no height is owed a commit until `onReliable`. */
  lossy?: boolean
}

export interface FinalAt {
  id: string
  node: number
  atMs: number
}

export class FinalityRecord {
  /** Height → the first block seen final there. */
  readonly firstFinal = new Map<number, FinalAt>()
  /** Height → virtual ms of the first proposal (any round) for it. */
  readonly firstProposalMs = new Map<number, number>()
  /** Height → virtual ms when its block was final at ⅔ of the running nodes. */
  readonly quorumFinalMs = new Map<number, number>()
  /** Height → the round its commit was decided in (filled after the run from the stored commits). */
  readonly decidedRound = new Map<number, number>()
  /** Safety violations: conflicting final blocks, final blocks reverted. */
  readonly conflicts: string[] = []
  /** Heights first committed while no side held ⅔+ of the power (past the split's grace). */
  readonly commitsWithoutQuorum: string[] = []
  /** The longest wait for a new height while ⅔+ of the power was connected. */
  stallMsMax = 0
  /** Heals (and the end of loss, `lossEnd`), and whether a height committed after each. */
  readonly heals: Array<{ atMs: number; heightAt: number; committedAfter: boolean; lossEnd?: true }> = []
  private readonly finalCounts = new Map<number, number>()
  private readonly runningCount: number
  private readonly everyNode: readonly number[]
  /** Since when ⅔+ of the honest power has been connected; undefined while it is not. */
  private liveSinceMs: number | undefined
  /** The network's sides now (one, holding every node, while it is whole). */
  private sides: readonly (readonly number[])[]
  private splitAtMs = 0
  private lossy: boolean
  private lastCommitMs = 0
  private bestFinal = 0

  constructor(private readonly init: FinalityInit) {
    this.runningCount = init.running.filter(Boolean).length
    this.everyNode = init.running.map((_, i) => i)
    this.sides = [this.everyNode]
    this.lossy = init.lossy ?? false
    if (this.owesCommits(1)) this.liveSinceMs = 0
  }

  /** The highest height any node holds final. */
  get bestHeight(): number {
    return this.bestFinal
  }

  /** Heights whose block is final at ⅔ of the running nodes. */
  get heightsAtQuorum(): number {
    return this.quorumFinalMs.size
  }

  /** Node `node` now holds block `id` final at `height`. */
  onFinal(node: number, height: number, id: string, atMs: number): void {
    const first = this.firstFinal.get(height)
    if (first) {
      if (first.id !== id) {
        this.conflicts.push(
          `height ${height}: node ${node} finalized ${id.slice(0, 16)}, node ${first.node} ${first.id.slice(0, 16)}`,
        )
        return
      }
    } else {
      this.firstFinal.set(height, { id, node, atMs })
      this.onNewHeight(height, atMs)
    }
    const count = (this.finalCounts.get(height) ?? 0) + 1
    this.finalCounts.set(height, count)
    if (count * 3 >= this.runningCount * 2 && !this.quorumFinalMs.has(height)) this.quorumFinalMs.set(height, atMs)
  }

  /** Node `node`'s main chain dropped `count` blocks: under finality, a final block was undone. */
  onReverted(node: number, count: number, headHeight: number): void {
    this.conflicts.push(`node ${node} reverted ${count} final block(s) below height ${headHeight + count + 1}`)
  }

  onProposal(height: number, atMs: number): void {
    if (!this.firstProposalMs.has(height)) this.firstProposalMs.set(height, atMs)
  }

  /** The network split into `sides` (node indices). */
  onSplit(sides: readonly (readonly number[])[], atMs: number): void {
    this.closeLive(atMs)
    this.splitAtMs = atMs
    this.sides = sides
    if (this.owesCommits(this.bestFinal + 1)) this.liveSinceMs = atMs
  }

  onHeal(atMs: number): void {
    this.closeLive(atMs)
    this.heals.push({ atMs, heightAt: this.bestFinal, committedAfter: false })
    this.sides = [this.everyNode]
    if (this.owesCommits(this.bestFinal + 1)) this.liveSinceMs = atMs
  }

  /** Messages stop being lost: heights are owed commits again (as after a heal), and one must commit. */
  onReliable(atMs: number): void {
    if (!this.lossy) return
    this.lossy = false
    this.heals.push({ atMs, heightAt: this.bestFinal, committedAfter: false, lossEnd: true })
    if (this.owesCommits(this.bestFinal + 1)) this.liveSinceMs = atMs
  }

  /** The run is over: the wait since the last height counts too. */
  onEnd(atMs: number): void {
    this.closeLive(atMs)
  }

  /** Virtual ms from each height's first proposal to its block being final at ⅔ of the running nodes. */
  commitLatencyMs(): Samples {
    const out = new Samples()
    for (const [height, finalMs] of this.quorumFinalMs) {
      const proposedMs = this.firstProposalMs.get(height)
      if (proposedMs !== undefined) out.push(finalMs - proposedMs)
    }
    return out
  }

  /** How many decided heights needed round ≥ 1, and the highest round any needed. */
  roundsSummary(): { heights: number; laterRounds: number; roundMax: number } {
    let laterRounds = 0
    let roundMax = 0
    for (const round of this.decidedRound.values()) {
      if (round >= 1) laterRounds++
      roundMax = Math.max(roundMax, round)
    }
    return { heights: this.decidedRound.size, laterRounds, roundMax }
  }

  private onNewHeight(height: number, atMs: number): void {
    if (height > this.bestFinal) this.bestFinal = height
    // Every heal (or end of loss) not yet followed by a commit: two may come before the next commit.
    for (let i = this.heals.length - 1; i >= 0; i--) {
      const heal = this.heals[i] as FinalityRecord['heals'][number]
      if (heal.committedAfter) break
      if (height > heal.heightAt) heal.committedAfter = true
    }
    if (this.liveSinceMs !== undefined) {
      this.stallMsMax = Math.max(this.stallMsMax, atMs - Math.max(this.liveSinceMs, this.lastCommitMs))
    } else if (atMs - this.splitAtMs > SPLIT_GRACE_MS && !this.mayCommit(height)) {
      this.commitsWithoutQuorum.push(`height ${height} committed at ${atMs} ms while no side held ⅔+ of the power`)
    }
    this.lastCommitMs = atMs
    if (height < this.bestFinal) return
    // The next height's set may differ (an epoch began): whether it is owed a commit is asked again.
    const owed = this.owesCommits(height + 1)
    if (owed && this.liveSinceMs === undefined) this.liveSinceMs = atMs
    else if (!owed) this.liveSinceMs = undefined
  }

  private closeLive(atMs: number): void {
    if (this.liveSinceMs === undefined) return
    this.stallMsMax = Math.max(this.stallMsMax, atMs - Math.max(this.liveSinceMs, this.lastCommitMs))
    this.liveSinceMs = undefined
  }

  /**
   * Whether one side's running honest validators hold ⅔+ of the power of
   * `height`'s set, with no message lost: that height is owed a commit.
   */
  private owesCommits(height: number): boolean {
    if (this.lossy) return false
    return this.sides.some((side) => this.hasQuorum(side, height, false))
  }

  /** Whether one side's running validators, faulty ones included, hold ⅔+ of the power of `height`'s set. */
  private mayCommit(height: number): boolean {
    return this.sides.some((side) => this.hasQuorum(side, height, true))
  }

  /** Whether the running validators among `nodes` hold ⅔+ of all the power of `height`'s set (the offline's included). */
  private hasQuorum(nodes: readonly number[], height: number, withFaulty: boolean): boolean {
    const { running, faulty } = this.init
    const powers = this.init.powerAt?.(height) ?? this.init.power
    const total = powers.reduce((a, b) => a + b, 0n)
    let power = 0n
    for (const i of nodes) if (running[i] && (withFaulty || !faulty?.[i])) power += powers[i] ?? 0n
    return total > 0n && power * 3n > total * 2n
  }
}
