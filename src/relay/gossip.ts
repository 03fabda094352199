/**
 * Transaction and block gossip. Every message is decoded strictly and run
 * through the ledger's rules before gossipsub relays it: the rule's verdict
 * maps straight onto gossip (accept → relay, ignore → drop, reject → drop and
 * the sender's score falls). Local txs enter here too (`submitTx`): admitted
 * to the mempool, then published. Which heads to announce is announce.ts's.
 *
 * A tx that fails a stateful rule (unfunded sender, nonce out of window) is
 * only ignored: an honest peer can relay one that a block made stale just
 * before it reached us. But such txs are cheap to make and each one costs us
 * an account read, so a peer may send only a bucket of them (STATEFUL_FAILURES)
 * and is charged for every one beyond it. Not while we sync: behind the
 * network, honest txs look unfunded to us.
 *
 * A peer that is first to bring us a valid tx or block is reported to the
 * network (`notePeerActivity`): inbound eviction protects such useful peers.
 *
 * Under BFT finality (proof of stake) a block is stored only with its commit,
 * so the block topic carries a CommittedBlock (the block and its commit)
 * instead of the bare block proof of work gossips. A bad commit is the
 * sender's fault like any bad block; a block sent without one is ignored.
 */
import type { Chain } from '../chain/chain.js'
import type { HeaderEntry } from '../chain/header-index.js'
import { commitBytesMax } from '../consensus/bft/limits.js'
import type { Block } from '../ledger/block.js'
import { decodeCommittedBlock, encodeCommittedBlock, WIRE_COMMIT_VALIDATORS_MAX } from '../ledger/codec/wire-codec.js'
import { type LedgerDecoders, strictDecoders } from '../ledger/decoders.js'
import { isVerifyError, type RuleCode } from '../ledger/errors.js'
import type { Tx } from '../ledger/tx.js'
import type { AddResult, Mempool } from '../mempool/index.js'
import type { GossipMessage, GossipVerdict, PeerIdString } from '../net/network.js'
import type { Clock } from '../util/clock.js'
import { type BucketRate, KeyedBuckets } from '../util/token-bucket.js'
import { blockTopic, txTopic } from './topics.js'

/** Txs failing a stateful rule a peer may send: a burst of `capacity`, then `ratePerSec`. */
export const STATEFUL_FAILURES: BucketRate = Object.freeze({ capacity: 64, ratePerSec: 16 })
/** Charged for each stateful failure beyond the bucket: ten in a row reach the ban threshold. */
export const STATEFUL_FAILURE_PENALTY = 10
/** The verdicts that count as stateful failures: they cost us a read and the sender nothing. */
const STATEFUL_CODES: ReadonlySet<RuleCode> = new Set<RuleCode>([
  'TX_INSUFFICIENT_BALANCE',
  'TX_NONCE_TOO_LOW',
  'TX_NONCE_TOO_HIGH',
  'MEMPOOL_NONCE_GAP',
])
/** The largest commit a gossiped CommittedBlock may carry (the exact bound is the engine's, for its height's set). */
export const GOSSIP_COMMIT_BYTES_MAX = commitBytesMax(WIRE_COMMIT_VALIDATORS_MAX)

/** The slice of the network gossip needs. */
export interface GossipFns {
  subscribe(
    topic: string,
    validate: (msg: GossipMessage) => Promise<GossipVerdict>,
    onMessage: (msg: GossipMessage) => void,
  ): void
  publish(topic: string, data: Uint8Array): Promise<number>
  reportPeer(peer: PeerIdString, penalty: number, reason: string): void
  /** The peer relayed a tx or a block that was new to us and valid: it protects the peer from inbound eviction. */
  notePeerActivity(peer: PeerIdString, kind: 'tx' | 'block'): void
}

export interface RelayHooks {
  /** A block arrived whose parent we lack: sync from the peer that sent it. */
  onUnknownParent(peer: PeerIdString, block: Block): void
  /** A peer gossiped a block that is now on our chain: its head is at least there. */
  onPeerBlock?(peer: PeerIdString, entry: HeaderEntry): void
  /** False while we are behind the network (syncing): stateful failures then prove nothing. Default true. */
  countsStatefulFailures?(): boolean
  /**
   * A gossiped tx that decoded but the mempool ignored (a nonce gap, unfunded
   * for now, the pool full): a block may still hold it (compact blocks keep a few).
   */
  onTxIgnored?(tx: Tx): void
  /** Counts verdicts per topic (metrics). */
  onVerdict?(topic: 'tx' | 'block', verdict: GossipVerdict, code?: string): void
  log?(msg: string, fields?: Record<string, unknown>): void
}

export class Relay {
  private readonly txTopic: string
  private readonly blockTopic: string
  /** Blocks travel with their commits (fixed by the engine, so read once). */
  private readonly withCommits: boolean
  private readonly statefulFailures: KeyedBuckets<PeerIdString>

  constructor(
    private readonly net: GossipFns,
    private readonly chain: Chain,
    private readonly mempool: Mempool,
    private readonly hooks: RelayHooks,
    clock: Clock,
    private readonly decode: LedgerDecoders = strictDecoders,
  ) {
    this.txTopic = txTopic(chain.chainId)
    this.blockTopic = blockTopic(chain.chainId)
    this.withCommits = chain.hasFinality
    this.statefulFailures = new KeyedBuckets(STATEFUL_FAILURES, clock)
  }

  start(): void {
    this.net.subscribe(
      this.txTopic,
      (msg) => this.validateTx(msg),
      () => {},
    )
    this.net.subscribe(
      this.blockTopic,
      (msg) => this.validateBlock(msg),
      () => {},
    )
  }

  /**
   * A local tx (API, wallet): admitted to the mempool (throws its VerifyError),
   * then published. A failed publish (no peer on the topic yet) is logged, not
   * thrown: the tx is in our pool, and reaches the network in a block we mine
   * or when the caller submits it again.
   */
  async submitTx(tx: Tx): Promise<AddResult> {
    const result = await this.mempool.add(tx, 'rpc')
    await this.net
      .publish(this.txTopic, tx.bytes)
      .catch((err: unknown) => this.hooks.log?.('publishing a tx failed', { error: String(err) }))
    return result
  }

  /**
   * Publishes a block to the mesh (announce.ts decides which); under finality
   * with the commit stored with it. A block we hold no commit for is not
   * published (logged): peers would ignore it without one.
   */
  async publishBlock(block: Block): Promise<number> {
    if (!this.withCommits) return this.net.publish(this.blockTopic, block.bytes)
    const commit = await this.chain.getCommit(block.id)
    if (!commit) {
      this.hooks.log?.('not publishing a block without a stored commit', { block: block.id, height: block.height })
      return 0
    }
    return this.net.publish(this.blockTopic, encodeCommittedBlock({ block: block.bytes, commit }))
  }

  private async validateTx(msg: GossipMessage): Promise<GossipVerdict> {
    let tx: Tx | undefined
    const verdict = await this.judge(msg, async () => {
      tx = this.decode.tx(msg.data, this.chain.genesis.limits.txBytesMax)
      await this.mempool.add(tx, 'gossip')
      // Admitted (a duplicate or a failing tx throws): the sender did us a useful turn.
      this.net.notePeerActivity(msg.from, 'tx')
      return undefined
    })
    if (verdict.code !== undefined && STATEFUL_CODES.has(verdict.code as RuleCode)) this.countStatefulFailure(msg.from)
    if (tx && verdict.verdict === 'ignore' && verdict.code !== 'MEMPOOL_DUPLICATE') this.hooks.onTxIgnored?.(tx)
    this.hooks.onVerdict?.('tx', verdict.verdict, verdict.code)
    return verdict.verdict
  }

  private async validateBlock(msg: GossipMessage): Promise<GossipVerdict> {
    const verdict = await this.judge(msg, async () => {
      const { block, commit } = this.decodeBlockMessage(msg.data)
      const result = await this.chain.importBlock(block, 'gossip', commit)
      if (result.status === 'orphan') {
        this.hooks.onUnknownParent(msg.from, block)
        return 'ignore'
      }
      const entry = this.chain.index.get(block.id)
      if (entry && entry.status !== 'invalid') this.hooks.onPeerBlock?.(msg.from, entry)
      // Stored, new to us (a known block throws BLOCK_KNOWN): the sender did us a useful turn.
      this.net.notePeerActivity(msg.from, 'block')
      return 'accept'
    })
    this.hooks.onVerdict?.('block', verdict.verdict, verdict.code)
    return verdict.verdict
  }

  /** The block topic's payload: a bare block, or under finality a CommittedBlock (an empty commit is none). */
  private decodeBlockMessage(data: Uint8Array): { block: Block; commit?: Uint8Array } {
    const { blockBytesMax, blockTxsMax } = this.chain.genesis.limits
    if (!this.withCommits) return { block: this.decode.block(data, { blockBytesMax, blockTxsMax }) }
    const committed = decodeCommittedBlock(data, { blockBytesMax, commitBytesMax: GOSSIP_COMMIT_BYTES_MAX })
    const block = this.decode.block(committed.block, { blockBytesMax, blockTxsMax })
    return committed.commit.byteLength > 0 ? { block, commit: committed.commit } : { block }
  }

  private countStatefulFailure(peer: PeerIdString): void {
    if (this.hooks.countsStatefulFailures?.() === false) return
    if (this.statefulFailures.tryTake(peer)) return
    this.net.reportPeer(peer, STATEFUL_FAILURE_PENALTY, 'TX_STATEFUL_FAILURES')
  }

  /** Runs `check`; a VerifyError becomes its verdict and a rejection charges the sender. */
  private async judge(
    msg: GossipMessage,
    check: () => Promise<GossipVerdict | undefined>,
  ): Promise<{ verdict: GossipVerdict; code?: string }> {
    try {
      return { verdict: (await check()) || 'accept' }
    } catch (err) {
      if (!isVerifyError(err)) {
        // Our own bug: do not relay, do not blame the peer.
        this.hooks.log?.('gossip validation failed unexpectedly', { topic: msg.topic, error: String(err) })
        return { verdict: 'ignore', code: 'INTERNAL' }
      }
      if (err.verdict === 'reject') this.net.reportPeer(msg.from, err.penalty, err.code)
      return { verdict: err.verdict, code: err.code }
    }
  }
}
