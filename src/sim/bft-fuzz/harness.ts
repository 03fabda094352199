import { verifyCommit } from '../../consensus/bft/commit.js'
import type { Proposal } from '../../consensus/bft/proposal.js'
import { RoundState } from '../../consensus/bft/round-state.js'
import type { Vote } from '../../consensus/bft/vote.js'
import { ValidatorSet } from '../../consensus/pos/validator-set.js'
import { addressFromPublicKey } from '../../ledger/address.js'
import { type KeyPair, sha256 } from '../../ledger/crypto.js'
import { isVerifyError } from '../../ledger/errors.js'
import { equalBytes, toHex, u64be } from '../../util/bytes.js'
import { type Rng, seededRng } from '../../util/rng.js'
import type { Timers } from '../../util/timers.js'
import { Equivocation, type Split } from './equivocation.js'
import { blockHashFor, blockValid, FUZZ_CHAIN_ID, fuzzKey, pooledKey } from './fixtures.js'
import { FuzzNetwork } from './fuzz-network.js'
import { type FuzzNode, type Message, newFuzzNode, type Pending } from './fuzz-node.js'
import type { Decision, RunOptions, RunRecord } from './records.js'
import type { BftFuzzScenario } from './scenario.js'
import { VirtualTimers } from './virtual-timers.js'

const encoder = new TextEncoder()

/** As node/validator.ts: rounds ahead of the machine's whose proposals are looked at. */
const PROPOSAL_ROUNDS_AHEAD = 3

export class BftFuzzRun {
  readonly timers = new VirtualTimers()
  readonly record: RunRecord
  private readonly rng: Rng
  private readonly equivocation: Equivocation
  private readonly nodes: FuzzNode[] = []
  private readonly sets: ValidatorSet[] = []
  private readonly byAddress = new Map<string, number>()
  private readonly honest: number[] = []
  private readonly network: FuzzNetwork<Message>
  private readonly errors: string[] = []
  private readonly counts = { sent: 0, dropped: 0, refused: 0, events: 0 }
  private readonly equivocated = new Set<number>()
  /** For each height some honest validator was deciding at GST, the highest round one was in. */
  private readonly gstRounds = new Map<bigint, number>()
  private stable = false
  private roundsExceeded = false

  constructor(
    readonly scenario: BftFuzzScenario,
    private readonly options: RunOptions,
  ) {
    this.rng = seededRng(scenario.seed)
    this.equivocation = new Equivocation(this.rng, scenario.validators.length)
    const keys = scenario.validators.map((v) => fuzzKey(v.key))
    const addresses = keys.map((k) => addressFromPublicKey(k.publicKey))
    addresses.forEach((a, i) => {
      this.byAddress.set(toHex(a), i)
    })
    this.sets.push(
      ValidatorSet.create(
        scenario.validators.map((v, i) => ({
          address: addresses[i] as Uint8Array,
          publicKey: (keys[i] as KeyPair).publicKey,
          power: BigInt(v.power),
        })),
      ),
    )
    scenario.validators.forEach((v, i) => {
      if (!v.fault) this.honest.push(i)
    })
    this.network = new FuzzNetwork({
      scenario,
      rng: this.rng,
      timers: this.timers,
      counts: this.counts,
      unreachable: options.sabotage === 'no-gst' ? this.honest[0] : undefined,
      deliver: (to, message) => this.deliver(to, message),
    })
    const rogue = options.sabotage === 'honest-equivocates' ? this.honest[0] : undefined
    scenario.validators.forEach((v, index) => {
      const key = keys[index] as KeyPair
      const node = newFuzzNode({
        index,
        address: addresses[index] as Uint8Array,
        fault: v.fault,
        secretKey: pooledKey(v.key).secretKey,
        rogue: index === rogue,
      })
      // a silent validator sends nothing: it needs no machine at all
      if (v.fault?.kind !== 'silent') (node as { machine: RoundState }).machine = this.machineOf(node, key)
      this.nodes.push(node)
    })
    this.record = {
      scenario,
      nodes: this.nodes.map((n) => n.record),
      setAt: (height) => this.setAt(height),
      indexOf: (address) => this.byAddress.get(toHex(address)) ?? -1,
      equivocated: this.equivocated,
      endMs: 0,
      stop: 'idle',
      errors: this.errors,
      counts: this.counts,
    }
  }

  /** Runs until every honest validator decided every height, or the time runs out. */
  run(): RunRecord {
    const { scenario } = this
    for (const node of this.nodes) {
      if (node.machine) node.startTimer = this.timers.setTimeout(() => this.startHeight(node, 1n), this.rng.int(50))
    }
    if (scenario.gstMs > 0) this.timers.at(scenario.gstMs, () => this.stabilise(), undefined)
    else this.stable = true
    const target = BigInt(scenario.heights)
    const done = (): boolean =>
      this.roundsExceeded || this.honest.every((i) => this.nodes[i]?.record.decisions.has(target))
    try {
      this.record.stop = this.timers.run(this.options.untilMs, this.options.eventsMax ?? 2_000_000, done)
    } catch (err) {
      this.errors.push(`the harness threw at ${this.timers.nowMs} ms: ${(err as Error).stack ?? String(err)}`)
    }
    this.record.endMs = this.timers.nowMs
    this.counts.events = this.timers.events
    return this.record
  }

  private setAt(height: bigint): ValidatorSet {
    while (this.sets.length < Number(height)) this.sets.push((this.sets[this.sets.length - 1] as ValidatorSet).next())
    return this.sets[Number(height) - 1] as ValidatorSet
  }

  private machineOf(node: FuzzNode, key: KeyPair): RoundState {
    const { scenario, options } = this
    // the machine's own timeouts move its round: look at it after each
    const timers: Timers = {
      setTimeout: (callback, ms) =>
        this.timers.setTimeout(() => {
          callback()
          this.observe(node)
        }, ms),
      clearTimeout: (handle) => this.timers.clearTimeout(handle),
    }
    return new RoundState({
      chainId: FUZZ_CHAIN_ID,
      validatorSet: (height) => this.setAt(height),
      timers,
      timeouts: scenario.timeouts,
      key,
      broadcastProposal: (proposal) => this.sendProposal(node, proposal),
      broadcastVote: (vote) => this.sendVote(node, vote),
      propose: (height, round) => blockHashFor(height, round),
      decide: (height, blockHash, decidedCommit) => {
        let commit = decidedCommit
        if (options.sabotage === 'forge-commit') commit = { ...commit, signatures: commit.signatures.slice(0, 1) }
        this.decided(node, { height, blockHash, commit, atMs: this.timers.nowMs, via: 'rounds' })
        // the machine must not be re-entered from its callback: the block is applied on the next turn
        this.timers.setTimeout(() => this.applied(node, height), 0)
      },
      reportEvidence: (evidence) => {
        if (options.sabotage !== 'evidence-lost') node.record.evidence.push(evidence)
      },
    })
  }

  // --- heights ---------------------------------------------------------------------------------

  private startHeight(node: FuzzNode, height: bigint): void {
    node.startTimer = undefined
    const machine = node.machine
    if (!machine || height <= node.height) return
    node.height = height
    node.seen = new Map()
    node.held = []
    machine.start(height)
    this.observe(node)
    for (const pending of node.future.take(height)) this.handle(node, pending)
    const commit = node.commitsAhead.get(height)
    for (const h of [...node.commitsAhead.keys()]) if (h <= height) node.commitsAhead.delete(h)
    if (commit) this.adopt(node, commit)
  }

  private decided(node: FuzzNode, decision: Decision): void {
    const { decisions, selfConflicts } = node.record
    const first = decisions.get(decision.height)
    if (!first) decisions.set(decision.height, decision)
    else if (!equalBytes(first.blockHash, decision.blockHash)) selfConflicts.push(decision)
  }

  /** The decided block of `height` is applied: announce it, and start the next height after the pause. */
  private applied(node: FuzzNode, height: bigint): void {
    const decision = node.record.decisions.get(height)
    if (!decision) return
    this.broadcast(node, this.commitMessage(decision))
    if (height >= BigInt(this.scenario.heights) || node.startTimer || node.height > height) return
    node.startTimer = this.timers.setTimeout(() => this.startHeight(node, height + 1n), this.scenario.commitPauseMs)
  }

  private commitMessage({ height, blockHash, commit }: Decision): Message {
    return { kind: 'commit', height, blockHash, commit }
  }

  /** A commit of the height being decided: checked, then taken as the decision (sync importing the block). */
  private adopt(node: FuzzNode, message: Message & { kind: 'commit' }): void {
    const { height, blockHash, commit } = message
    if (node.record.decisions.has(height)) return
    try {
      if (commit.height !== height || !equalBytes(commit.blockHash, blockHash)) return
      verifyCommit(commit, this.setAt(height), FUZZ_CHAIN_ID)
    } catch (err) {
      if (isVerifyError(err)) {
        this.counts.refused++
        return
      }
      throw err
    }
    this.decided(node, { height, blockHash, commit, atMs: this.timers.nowMs, via: 'sync' })
    this.applied(node, height)
  }

  /** GST: the network has healed, and every validator's sync fetches what it missed. */
  private stabilise(): void {
    this.stable = true
    for (const i of this.honest) {
      const snapshot = this.nodes[i]?.machine?.snapshot
      if (!snapshot || snapshot.step === 'decided') continue
      this.gstRounds.set(snapshot.height, Math.max(this.gstRounds.get(snapshot.height) ?? 0, snapshot.round))
    }
    for (const node of this.nodes) {
      if (!node.machine) continue
      for (const decision of node.record.decisions.values()) this.broadcast(node, this.commitMessage(decision))
      if (this.options.gossip === 'catch-up') for (const message of node.held) this.broadcast(node, message)
    }
  }

  // --- receiving -------------------------------------------------------------------------------

  private deliver(to: number, message: Message): void {
    const node = this.nodes[to] as FuzzNode
    if (!node.machine) return
    if (message.kind === 'commit') {
      if (message.height < node.height || node.record.decisions.has(message.height)) return
      if (message.height > node.height) {
        if (!node.commitsAhead.has(message.height)) node.commitsAhead.set(message.height, message)
        return
      }
      this.adopt(node, message)
      return
    }
    const height = message.kind === 'vote' ? message.vote.height : message.proposal.height
    if (height < node.height) return
    if (height > node.height) {
      if (message.kind === 'proposal' && message.proposal.round > PROPOSAL_ROUNDS_AHEAD) return
      node.future.add(height, node.height, message)
      return
    }
    this.handle(node, message)
  }

  /** A vote or proposal of the height `node` is deciding, handed to its machine as the service does. */
  private handle(node: FuzzNode, message: Pending): void {
    const machine = node.machine as RoundState
    try {
      if (message.kind === 'vote') {
        const { vote } = message
        machine.onVote(vote)
        if (this.options.gossip === 'catch-up') node.held.push(message)
        // it counted or was recognised (added, duplicate, equivocation): note what the machine saw
        const key = `${toHex(vote.validator)}/${vote.round}/${vote.type}`
        let hashes = node.seen.get(key)
        if (!hashes) {
          hashes = new Set()
          node.seen.set(key, hashes)
        }
        hashes.add(vote.blockHash ? toHex(vote.blockHash) : 'nil')
        if (hashes.size > 1) node.record.conflictsSeen.add(this.byAddress.get(toHex(vote.validator)) ?? -1)
      } else {
        const { proposal } = message
        if (proposal.round > (machine.snapshot?.round ?? 0) + PROPOSAL_ROUNDS_AHEAD) return
        machine.onProposal(proposal, blockValid(proposal.blockHash))
        if (this.options.gossip === 'catch-up') node.held.push(message)
      }
    } catch (err) {
      if (!isVerifyError(err)) throw err
      this.counts.refused++
    } finally {
      this.observe(node)
    }
  }

  /** Notes the round `node`'s machine is in. */
  private observe(node: FuzzNode): void {
    const snapshot = node.machine?.snapshot
    if (!snapshot) return
    const { record } = node
    if (snapshot.round > record.maxRound) record.maxRound = snapshot.round
    if (!this.stable) return
    const rounds = snapshot.round - (this.gstRounds.get(snapshot.height) ?? 0)
    if (rounds <= record.roundsAfterGst) return
    record.roundsAfterGst = rounds
    const max = this.options.roundsAfterGstMax
    if (max !== undefined && rounds > max && record.fault === undefined) this.roundsExceeded = true
  }

  // --- sending ---------------------------------------------------------------------------------

  private sendVote(node: FuzzNode, vote: Vote): void {
    if (this.options.gossip === 'catch-up' && vote.height === node.height) node.held.push({ kind: 'vote', vote })
    const { fault } = node.record
    if (fault?.kind !== 'equivocate' && !node.rogue) {
      this.broadcast(node, { kind: 'vote', vote })
      return
    }
    const split = this.equivocation.splitOf(vote.height, vote.round)
    const conflicting = this.equivocation.conflictingVote(vote, split, node.secretKey)
    this.equivocated.add(node.record.index)
    this.sendSplit(node, split, { kind: 'vote', vote }, { kind: 'vote', vote: conflicting })
  }

  private sendProposal(node: FuzzNode, proposal: Proposal): void {
    if (this.options.gossip === 'catch-up' && proposal.height === node.height) {
      node.held.push({ kind: 'proposal', proposal })
    }
    if (node.record.fault?.kind !== 'equivocate') {
      this.broadcast(node, { kind: 'proposal', proposal })
      return
    }
    const split = this.equivocation.splitOf(proposal.height, proposal.round)
    const second = this.equivocation.secondProposal(proposal, split, node.secretKey)
    if (!second) {
      this.broadcast(node, { kind: 'proposal', proposal })
      return
    }
    this.sendSplit(node, split, { kind: 'proposal', proposal }, { kind: 'proposal', proposal: second })
  }

  private sendSplit(node: FuzzNode, split: Split, mine: Message, conflicting: Message): void {
    const from = node.record.index
    for (const to of this.nodes.keys()) {
      if (to === from) continue
      if (split.all) {
        this.send(node, to, mine)
        this.send(node, to, conflicting)
      } else this.send(node, to, split.side[to] === 0 ? mine : conflicting)
    }
  }

  private broadcast(node: FuzzNode, message: Message): void {
    if (node.record.fault?.kind === 'silent') return
    for (const to of this.nodes.keys()) if (to !== node.record.index) this.send(node, to, message)
  }

  private send(node: FuzzNode, to: number, message: Message): void {
    const fault = node.record.fault
    this.network.send(node.record.index, to, message, fault?.kind === 'late' ? fault.lateMs : 0)
  }
}

/** One run of `scenario`, with its record. */
export function runScenario(scenario: BftFuzzScenario, options: RunOptions): RunRecord {
  return new BftFuzzRun(scenario, options).run()
}

/** A short digest of what a run decided and when: equal digests, equal runs (for replay tests). */
export function traceDigest(record: RunRecord): string {
  const parts: Uint8Array[] = []
  for (const node of record.nodes) {
    for (const d of node.decisions.values()) {
      parts.push(encoder.encode(`${node.index}:${d.height}:${d.via}:${d.atMs}:${d.commit.round}:`), d.blockHash)
    }
    parts.push(u64be(BigInt(node.evidence.length)), u64be(BigInt(node.maxRound)))
  }
  parts.push(encoder.encode(`${record.endMs}/${record.counts.sent}/${record.counts.dropped}/${record.counts.events}`))
  return toHex(sha256(...parts)).slice(0, 16)
}
