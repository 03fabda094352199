/**
 * A deterministic in-memory network of BFT validators for tests: every node a
 * RoundState, one manual clock for timeouts and message delivery, a seeded
 * RNG for each message's delay (so messages overtake each other), gossip
 * relay of every new vote and proposal by honest nodes, offline nodes that
 * never run, and byzantine nodes that send each half of the network a
 * different signed message. A node that decides also announces the commit,
 * as a node gossips a committed block with its commit: a node still on that
 * height (one that never got the decided block's proposal) checks it and
 * takes the decision, as the real node imports the committed block. A seed
 * replays a run exactly.
 */
import { type Commit, verifyCommit } from '../../../../src/consensus/bft/commit.js'
import type { DuplicateVoteEvidence } from '../../../../src/consensus/bft/evidence.js'
import { type Proposal, signProposal } from '../../../../src/consensus/bft/proposal.js'
import { RoundState } from '../../../../src/consensus/bft/round-state.js'
import { DEFAULT_TIMEOUTS } from '../../../../src/consensus/bft/timeouts.js'
import { signVote, type Vote } from '../../../../src/consensus/bft/vote.js'
import { isVerifyError } from '../../../../src/ledger/errors.js'
import { toHex } from '../../../../src/util/bytes.js'
import { seededRng } from '../../../../src/util/rng.js'
import { testKey } from '../../ledger/fixtures.js'
import { blockHash, CHAIN_ID, RoundRobinSet, signingKey } from './helpers.js'
import { ManualTimers } from './manual-timers.js'

export interface SimOptions {
  readonly validators: number
  readonly seed: number
  /** Each message takes 1 … delayMsMax ms. */
  readonly delayMsMax: number
  /** Heights each running node decides before it stops starting new ones. */
  readonly heights: number
  readonly offline?: readonly number[]
  readonly byzantine?: readonly number[]
  /** The pause between deciding a height and starting the next (the caller applying the block). */
  readonly commitDelayMs?: number
}

export interface SimDecision {
  readonly blockHash: string
  readonly round: number
  readonly atMs: number
  readonly commit: Commit
}

type Message =
  | { kind: 'vote'; vote: Vote }
  | { kind: 'proposal'; proposal: Proposal }
  | { kind: 'commit'; blockHash: Uint8Array; commit: Commit }

interface SimNode {
  readonly index: number
  readonly rs: RoundState
  height: bigint
  /** Messages for heights the node has not started yet, replayed when it does (gossip catch-up). */
  readonly future: Message[]
  readonly decisions: Map<bigint, SimDecision>
}

export class SimNetwork {
  readonly timers = new ManualTimers()
  readonly evidence: DuplicateVoteEvidence[] = []
  readonly nodes: SimNode[] = []
  private readonly rng
  private readonly validBlocks = new Set<string>()
  private readonly offline: ReadonlySet<number>
  private readonly byzantine: ReadonlySet<number>

  constructor(readonly options: SimOptions) {
    this.rng = seededRng(options.seed)
    this.offline = new Set(options.offline ?? [])
    this.byzantine = new Set(options.byzantine ?? [])
    for (let index = 0; index < options.validators; index++) this.nodes.push(this.createNode(index))
  }

  static setAt(height: bigint, validators: number): RoundRobinSet {
    return RoundRobinSet.equal(validators, height)
  }

  get running(): SimNode[] {
    return this.nodes.filter((n) => !this.offline.has(n.index))
  }

  get honest(): SimNode[] {
    return this.running.filter((n) => !this.byzantine.has(n.index))
  }

  start(): void {
    for (const node of this.running) {
      node.height = 1n
      node.rs.start(1n)
    }
  }

  /** Runs until every honest node decided every height, or `untilMs` of virtual time passed. */
  run(untilMs: number): void {
    const done = (): boolean => this.honest.every((n) => n.decisions.size >= this.options.heights)
    while (!done()) {
      const at = this.timers.nextAtMs()
      if (at === undefined || at > untilMs) break
      this.timers.fireNext()
    }
  }

  /** Checks every honest node's decisions agree height by height and carry commits that verify; returns them. */
  agreedDecisions(): Map<bigint, string> {
    const agreed = new Map<bigint, string>()
    for (const node of this.honest) {
      for (const [height, d] of node.decisions) {
        const other = agreed.get(height)
        if (other !== undefined && other !== d.blockHash) {
          throw new Error(`height ${height}: node ${node.index} decided ${d.blockHash}, another ${other}`)
        }
        agreed.set(height, d.blockHash)
        verifyCommit(d.commit, SimNetwork.setAt(height, this.options.validators), CHAIN_ID)
      }
    }
    return agreed
  }

  private createNode(index: number): SimNode {
    const byzantine = this.byzantine.has(index)
    const node: SimNode = {
      index,
      height: 0n,
      future: [],
      decisions: new Map(),
      rs: new RoundState({
        chainId: CHAIN_ID,
        validatorSet: (height) => SimNetwork.setAt(height, this.options.validators),
        timers: this.timers,
        timeouts: DEFAULT_TIMEOUTS,
        key: testKey(index),
        broadcastProposal: (proposal) =>
          byzantine ? this.equivocateProposal(index, proposal) : this.broadcast(index, { kind: 'proposal', proposal }),
        broadcastVote: (vote) =>
          byzantine ? this.equivocateVote(index, vote) : this.broadcast(index, { kind: 'vote', vote }),
        propose: (height, round) => this.newBlock(`${height}/${round} by ${index}`),
        decide: (height, hash, commit) => this.onDecide(node, height, hash, commit),
        reportEvidence: (ev) => {
          if (!byzantine) this.evidence.push(ev)
        },
      }),
    }
    return node
  }

  private newBlock(label: string): Uint8Array {
    const hash = blockHash(label)
    this.validBlocks.add(toHex(hash))
    return hash
  }

  private onDecide(node: SimNode, height: bigint, hash: Uint8Array, commit: Commit): void {
    if (node.decisions.has(height)) return
    node.decisions.set(height, { blockHash: toHex(hash), round: commit.round, atMs: this.timers.clock.nowMs(), commit })
    if (!this.byzantine.has(node.index)) this.broadcast(node.index, { kind: 'commit', blockHash: hash, commit })
    if (height >= BigInt(this.options.heights)) return
    this.timers.setTimeout(() => {
      node.rs.start(height + 1n)
      node.height = height + 1n
      for (const message of node.future.splice(0)) this.deliver(node.index, message)
    }, this.options.commitDelayMs ?? 100)
  }

  private broadcast(from: number, message: Message): void {
    for (const to of this.nodes.keys()) if (to !== from) this.send(to, message)
  }

  private send(to: number, message: Message): void {
    const delayMs = 1 + this.rng.int(this.options.delayMsMax)
    this.timers.setTimeout(() => this.deliver(to, message), delayMs)
  }

  private deliver(to: number, message: Message): void {
    if (this.offline.has(to)) return
    const node = this.nodes[to]!
    const height =
      message.kind === 'vote'
        ? message.vote.height
        : message.kind === 'proposal'
          ? message.proposal.height
          : message.commit.height
    if (height > node.height) {
      node.future.push(message)
      return
    }
    if (height < node.height) return
    if (message.kind === 'commit') {
      if (node.decisions.has(height) || !this.validBlocks.has(toHex(message.blockHash))) return
      verifyCommit(message.commit, SimNetwork.setAt(height, this.options.validators), CHAIN_ID)
      this.onDecide(node, height, message.blockHash, message.commit)
      return
    }
    let fresh: boolean
    try {
      fresh =
        message.kind === 'vote'
          ? node.rs.onVote(message.vote).kind !== 'duplicate'
          : node.rs.onProposal(message.proposal, this.validBlocks.has(toHex(message.proposal.blockHash))) === 'added'
    } catch (err) {
      if (isVerifyError(err)) return
      throw err
    }
    // honest nodes gossip what is new to them, so every node sees every message (and both halves of a double-sign)
    if (fresh && !this.byzantine.has(to)) this.broadcast(to, message)
  }

  /** A byzantine proposer: one proposal to the lower half of the nodes, another to the upper half. */
  private equivocateProposal(from: number, proposal: Proposal): void {
    const other = signProposal(
      CHAIN_ID,
      { ...proposal, polRound: -1, blockHash: this.newBlock(`evil ${proposal.height}/${proposal.round}`) },
      signingKey(from),
    )
    this.split(from, { kind: 'proposal', proposal }, { kind: 'proposal', proposal: other })
  }

  /** A byzantine voter: its vote to one half, a conflicting one (another block, or nil) to the other. */
  private equivocateVote(from: number, vote: Vote): void {
    const otherHash = vote.blockHash === null ? blockHash(`evil ${vote.height}/${vote.round}`) : null
    const other = signVote(CHAIN_ID, { ...vote, blockHash: otherHash }, signingKey(from))
    this.split(from, { kind: 'vote', vote }, { kind: 'vote', vote: other })
  }

  private split(from: number, lower: Message, upper: Message): void {
    const half = Math.floor(this.nodes.length / 2)
    for (const to of this.nodes.keys()) if (to !== from) this.send(to, to < half ? lower : upper)
  }
}
