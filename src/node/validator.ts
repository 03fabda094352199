/**
 * The validator service: runs the BFT rounds of each height over gossip.
 *
 * - A height starts once the head is at the height below it (and, after a
 *   decision, `commitPauseMs` later: the pause paces blocks and lets late
 *   precommits and new txs arrive, as Tendermint's timeout_commit does).
 *   A validator in the height's set first builds its candidate block, so the
 *   round machine can propose synchronously.
 * - Votes and proposals are checked before they are relayed: decoded
 *   strictly, the signer checked against the height's validator set, the
 *   proposed block checked against every import rule (chain.checkCandidate).
 *   A bad signature or a block that does not match its proposal is rejected
 *   and the sender charged; a message for an old height is ignored; one for
 *   the next few heights is kept (FutureMessages) once its signature checks.
 * - A decision imports the block with its commit; the head change announces
 *   the committed block to the network (relay), and starts the next height.
 * - Double signing seen in votes is kept as evidence (bounded), logged, and
 *   reported once per offender in an evidence tx (`submitEvidence`), which
 *   slashes and jails the offender when a block includes it.
 *
 * Protocol time, timers and the network come from outside, as everywhere.
 */
import type { Chain, HeadChange } from '../chain/chain.js'
import { encodeCommit } from '../consensus/bft/commit.js'
import type { DuplicateVoteEvidence } from '../consensus/bft/evidence.js'
import { decodeProposal, encodeProposal, type Proposal, verifyProposalSignature } from '../consensus/bft/proposal.js'
import { decodeProposalMessage, encodeProposalMessage } from '../consensus/bft/proposal-message.js'
import { RoundState } from '../consensus/bft/round-state.js'
import type { TimeoutConfig } from '../consensus/bft/timeouts.js'
import { decodeVote, type Vote, verifyVoteSignature } from '../consensus/bft/vote.js'
import type { PosEngine } from '../consensus/pos/engine.js'
import { addressFromPublicKey } from '../ledger/address.js'
import { Block } from '../ledger/block.js'
import type { KeyPair } from '../ledger/crypto.js'
import { strictDecoders } from '../ledger/decoders.js'
import { isVerifyError, VerifyError } from '../ledger/errors.js'
import type { Mempool } from '../mempool/index.js'
import type { GossipMessage, GossipVerdict } from '../net/network.js'
import type { GossipFns } from '../relay/gossip.js'
import { proposalTopic, voteTopic } from '../relay/topics.js'
import { equalBytes, toHex } from '../util/bytes.js'
import type { Logger } from '../util/log.js'
import type { Timers } from '../util/timers.js'
import { EvidenceReports } from './evidence-reports.js'
import { FutureMessages } from './future-messages.js'
import { sendVote, type ValidatorFault } from './validator-fault.js'

export type { ValidatorFault }

/** Heights ahead of the current one whose messages are kept. */
const FUTURE_HEIGHTS = 2
/** Messages kept per future height: a few rounds of every validator's votes and proposals. */
const FUTURE_PER_HEIGHT_MAX = 4096
/** Rounds ahead of the machine's whose proposals are checked at all (the machine's own window). */
const PROPOSAL_ROUNDS_AHEAD = 3

export interface ValidatorServiceDeps {
  chain: Chain
  engine: PosEngine
  mempool: Pick<Mempool, 'template'>
  net: Pick<GossipFns, 'subscribe' | 'publish' | 'reportPeer'>
  timers: Timers
  log: Logger
  /** Our validator key; absent: follow the rounds without voting. */
  key?: KeyPair
  timeouts?: TimeoutConfig
  /** Pause after a decision before the next height starts. */
  commitPauseMs: number
  /** Sends an evidence tx carrying `payload` (encoded evidence); absent, evidence is only kept and logged. */
  submitEvidence?: (payload: Uint8Array) => Promise<unknown>
  /**
   * A peer sent a message of a height above ours while ours is not decided
   * (or of two heights above): it is ahead, and we may have missed a
   * committed block (a partition, a lost gossip message). The caller syncs
   * from it, rate-limited; without this, a validator that missed the last
   * block before a stall could never catch up (the sim's PoS fuzzer found it).
   */
  onAhead?: (peer: string) => void
  /** A Byzantine behaviour, for the simulator's fuzzer and fault tests only (see ValidatorFault). */
  fault?: ValidatorFault
}

type Pending = { kind: 'vote'; vote: Vote } | { kind: 'proposal'; proposal: Proposal; block: Block }

export class ValidatorService {
  private readonly machine: RoundState
  private readonly address: Uint8Array | undefined
  /** The height being decided; 0 before the first start. */
  private height = 0n
  /** Blocks of the current height by hash hex: our candidate and the valid proposed ones. */
  private blocks = new Map<string, Block>()
  private readonly future = new FutureMessages<Pending>(FUTURE_HEIGHTS, FUTURE_PER_HEIGHT_MAX)
  private readonly evidence: EvidenceReports
  private startTimer: unknown
  private starting: Promise<void> | undefined
  private stopped = false

  constructor(private readonly deps: ValidatorServiceDeps) {
    const { chain, engine, timers, key } = deps
    this.address = key && addressFromPublicKey(key.publicKey)
    this.evidence = new EvidenceReports(deps.log, deps.submitEvidence)
    this.machine = new RoundState({
      chainId: chain.chainId,
      validatorSet: (height) => engine.schedule.setAt(Number(height)),
      timers,
      timeouts: deps.timeouts,
      key,
      broadcastProposal: (proposal) => this.publishProposal(proposal),
      broadcastVote: (vote, resend) => this.broadcastVote(vote, resend),
      propose: (height) => this.candidateHash(height),
      // The machine must not be re-entered from its callbacks: the import runs on the next turn.
      decide: (height, blockHash, commit) => {
        timers.setTimeout(() => void this.commitDecision(height, blockHash, encodeCommit(commit)), 0)
      },
      reportEvidence: (ev) => this.evidence.add(ev),
    })
  }

  /** The height being decided and where its rounds stand. */
  get state(): { height: bigint; round: number; step: string } | undefined {
    const s = this.machine.snapshot
    return s && { height: s.height, round: s.round, step: s.step }
  }

  /** Double signing seen so far (most recent last). */
  get evidenceSeen(): readonly DuplicateVoteEvidence[] {
    return this.evidence.seen
  }

  start(): void {
    const { chain, net } = this.deps
    net.subscribe(
      voteTopic(chain.chainId),
      (msg) => this.judge(msg, () => this.onVoteMessage(msg)),
      () => {},
    )
    net.subscribe(
      proposalTopic(chain.chainId),
      (msg) => this.judge(msg, () => this.onProposalMessage(msg)),
      () => {},
    )
    chain.onHeadChange((change) => this.onHeadChange(change))
    this.scheduleStart(0)
  }

  stop(): void {
    this.stopped = true
    if (this.startTimer !== undefined) this.deps.timers.clearTimeout(this.startTimer)
  }

  private onHeadChange(change: HeadChange): void {
    if (BigInt(change.head.height) >= this.height) this.scheduleStart(this.deps.commitPauseMs)
  }

  private scheduleStart(delayMs: number): void {
    if (this.stopped) return
    if (this.startTimer !== undefined) this.deps.timers.clearTimeout(this.startTimer)
    this.startTimer = this.deps.timers.setTimeout(() => {
      this.startTimer = undefined
      this.starting ??= this.startNextHeight().finally(() => {
        this.starting = undefined
      })
    }, delayMs)
  }

  /** Starts the height above the head, after building our candidate for it. */
  private async startNextHeight(): Promise<void> {
    const { chain, log } = this.deps
    const height = BigInt(chain.head.height + 1)
    if (height <= this.height || this.stopped) return
    const blocks = new Map<string, Block>()
    try {
      const candidate = await this.buildCandidate(height)
      if (candidate) blocks.set(candidate.id, candidate)
    } catch (err) {
      log.error('building a candidate block failed', { height: Number(height), error: String(err) })
    }
    // The head moved while we built: start from the new head instead.
    if (BigInt(chain.head.height + 1) !== height || this.stopped) {
      this.scheduleStart(0)
      return
    }
    this.height = height
    this.blocks = blocks
    this.machine.start(height)
    for (const pending of this.future.take(height)) this.replay(pending)
  }

  private async buildCandidate(height: bigint): Promise<Block | undefined> {
    const { chain, engine, mempool } = this.deps
    if (!this.address || engine.schedule.setAt(Number(height)).indexOf(this.address) < 0) return undefined
    const { limits } = chain.genesis
    const txs = mempool.template({ txsMax: limits.blockTxsMax, bytesMax: limits.blockBytesMax - 1024 })
    const { fields, txs: included } = await chain.buildBlock({ miner: this.address, txs })
    return new Block(await engine.seal(fields), included)
  }

  private candidateHash(height: bigint): Uint8Array {
    for (const block of this.blocks.values()) {
      if (BigInt(block.height) === height && equalBytes(block.header.fields.miner, this.address ?? new Uint8Array())) {
        return block.hash
      }
    }
    // Asked to propose with no candidate (the build failed): our bug, and the round times out on nil.
    throw new Error(`no candidate block for height ${height}`)
  }

  private async commitDecision(height: bigint, blockHash: Uint8Array, commit: Uint8Array): Promise<void> {
    const block = this.blocks.get(toHex(blockHash))
    if (!block) {
      // We never saw the block: it reaches us committed, from the relay or from sync.
      this.deps.log.info('decided a block we do not hold; waiting for it', { height: Number(height) })
      return
    }
    try {
      await this.deps.chain.importBlock(block, 'mined', commit)
    } catch (err) {
      if (!(isVerifyError(err) && err.code === 'BLOCK_KNOWN')) {
        this.deps.log.error('importing a decided block failed', { height: Number(height), error: String(err) })
      }
    }
  }

  private onVoteMessage(msg: GossipMessage): GossipVerdict {
    const vote = decodeVote(msg.data)
    if (vote.height < this.height) return 'ignore'
    if (vote.height > this.height) {
      this.noteAhead(msg.from, vote.height)
      return this.keepFuture(vote.height, { kind: 'vote', vote })
    }
    const result = this.machine.onVote(vote)
    // A conflicting vote is kept as evidence, not relayed: relaying it would amplify the attack.
    return result.kind === 'added' ? 'accept' : 'ignore'
  }

  private async onProposalMessage(msg: GossipMessage): Promise<GossipVerdict> {
    const { chain } = this.deps
    const parts = decodeProposalMessage(msg.data, chain.genesis.limits.blockBytesMax)
    const proposal = decodeProposal(parts.proposal)
    if (proposal.height < this.height) return 'ignore'
    const { blockBytesMax, blockTxsMax } = chain.genesis.limits
    const block = strictDecoders.block(parts.block, { blockBytesMax, blockTxsMax })
    if (!equalBytes(block.hash, proposal.blockHash) || BigInt(block.height) !== proposal.height) {
      throw new VerifyError(
        'PROPOSAL_BLOCK_MISMATCH',
        `proposal names ${toHex(proposal.blockHash)}, block is ${block.id}`,
      )
    }
    if (proposal.height > this.height) {
      this.noteAhead(msg.from, proposal.height)
      return this.keepFuture(proposal.height, { kind: 'proposal', proposal, block })
    }
    // The round first (the proposer's cost grows with it), then the signature, then the block:
    // checking a block costs far more than checking a signature.
    if (proposal.round > (this.machine.snapshot?.round ?? 0) + PROPOSAL_ROUNDS_AHEAD) return 'ignore'
    this.checkProposer(proposal)
    const valid = await chain.checkCandidate(block).then(
      () => true,
      (err: unknown) => {
        if (!isVerifyError(err)) throw err
        return false
      },
    )
    if (proposal.height !== this.height) return 'ignore' // the height moved on while we checked
    return this.offerProposal(proposal, block, valid)
  }

  private offerProposal(proposal: Proposal, block: Block, valid: boolean): GossipVerdict {
    if (valid) this.blocks.set(block.id, block)
    return this.machine.onProposal(proposal, valid) === 'added' ? 'accept' : 'ignore'
  }

  /** Throws VerifyError unless `proposal` is signed by the proposer of its height and round (callers bound the round). */
  private checkProposer(proposal: Proposal): void {
    const set = this.deps.engine.schedule.setAt(Number(proposal.height))
    const proposer = set.validator(set.proposer(proposal.round))
    if (!equalBytes(proposer.address, proposal.proposer)) {
      throw new VerifyError('PROPOSAL_WRONG_PROPOSER', `not the proposer of round ${proposal.round}`)
    }
    if (!verifyProposalSignature(this.deps.chain.chainId, proposal, proposer.publicKey)) {
      throw new VerifyError('PROPOSAL_BAD_SIGNATURE', `proposal of round ${proposal.round} does not verify`)
    }
  }

  /** Keeps a message of a coming height once its signer checks out; relayed only then. */
  /** See `onAhead`: the next height while we are still deciding ours, or any height beyond it. */
  private noteAhead(peer: string, height: bigint): void {
    const decided = this.machine.snapshot?.step === 'decided'
    if (height > this.height + 1n || !decided) this.deps.onAhead?.(peer)
  }

  private keepFuture(height: bigint, pending: Pending): GossipVerdict {
    if (!this.future.accepts(height, this.height)) return 'ignore'
    // A height of the next epoch before the block that chooses its set is stored: nothing to check it against.
    if (!this.deps.engine.schedule.knows(Number(height))) return 'ignore'
    if (pending.kind === 'vote') {
      const set = this.deps.engine.schedule.setAt(Number(height))
      const index = set.indexOf(pending.vote.validator)
      if (index < 0) throw new VerifyError('VOTE_UNKNOWN_VALIDATOR', 'vote of a validator outside the set')
      if (!verifyVoteSignature(this.deps.chain.chainId, pending.vote, set.validator(index).publicKey)) {
        throw new VerifyError('VOTE_BAD_SIGNATURE', 'vote does not verify')
      }
    } else if (pending.proposal.round > PROPOSAL_ROUNDS_AHEAD) {
      return 'ignore'
    } else this.checkProposer(pending.proposal)
    return this.future.add(height, this.height, pending) ? 'accept' : 'ignore'
  }

  /** A kept message of the height just started: run as if it arrived now (its verdict was given already). */
  private replay(pending: Pending): void {
    try {
      if (pending.kind === 'vote') this.machine.onVote(pending.vote)
      else {
        void this.deps.chain.checkCandidate(pending.block).then(
          () => this.replayProposal(pending.proposal, pending.block, true),
          () => this.replayProposal(pending.proposal, pending.block, false),
        )
      }
    } catch (err) {
      if (!isVerifyError(err)) throw err
    }
  }

  private replayProposal(proposal: Proposal, block: Block, valid: boolean): void {
    if (proposal.height !== this.height) return
    try {
      this.offerProposal(proposal, block, valid)
    } catch (err) {
      if (!isVerifyError(err)) throw err
    }
  }

  private broadcastVote(vote: Vote, resend?: number): void {
    const { chain, fault, key, timers } = this.deps
    const topic = voteTopic(chain.chainId)
    sendVote(vote, resend, (bytes) => this.publish(topic, bytes), { fault, key, chainId: chain.chainId, timers })
  }

  private publishProposal(proposal: Proposal): void {
    if (this.deps.fault?.kind === 'silent') return
    const block = this.blocks.get(toHex(proposal.blockHash))
    if (!block) {
      this.deps.log.error('proposing a block we do not hold', { height: Number(proposal.height) })
      return
    }
    const data = encodeProposalMessage({ proposal: encodeProposal(proposal), block: block.bytes })
    this.publish(proposalTopic(this.deps.chain.chainId), data)
  }

  private publish(topic: string, data: Uint8Array): void {
    // No peer on the topic yet is normal at start: the rounds go on, and others time out to us.
    this.deps.net
      .publish(topic, data)
      .catch((err: unknown) => this.deps.log.debug('publish failed', { topic, error: String(err) }))
  }

  /** Runs a message's checks; a VerifyError becomes its verdict and a rejection charges the sender. */
  private async judge(msg: GossipMessage, check: () => GossipVerdict | Promise<GossipVerdict>): Promise<GossipVerdict> {
    try {
      return await check()
    } catch (err) {
      if (!isVerifyError(err)) {
        this.deps.log.error('consensus message check failed unexpectedly', { topic: msg.topic, error: String(err) })
        return 'ignore'
      }
      if (err.verdict === 'reject') this.deps.net.reportPeer(msg.from, err.penalty, err.code)
      return err.verdict
    }
  }
}
