/**
 * The head and the writes that move it: one block at a time, each disconnect
 * and each connect one atomic batch that also moves the stored head pointer.
 * Every store write of the chain goes through `write`, and the first one that
 * fails halts the chain: the batch did not land (batches are atomic), so the
 * store holds the last one that did, and nothing more is written until the
 * node is restarted. Fork choice (which tip to walk to) stays in chain.ts.
 */
import type { ConsensusEngine } from '../consensus/engine.js'
import type { Block } from '../ledger/block.js'
import { VerifyError } from '../ledger/errors.js'
import type { Genesis } from '../ledger/genesis.js'
import type { BatchOp, KvStore } from '../storage/kv.js'
import type { Clock } from '../util/clock.js'
import type { AccountCache } from './account-cache.js'
import { accountOps, connectBlock, disconnectBlock, type StagedAccounts, type StateContext } from './connect.js'
import { ChainHaltedError, StoreWriteError } from './errors.js'
import type { BlockSource } from './head-change.js'
import type { HeaderEntry, HeaderIndex } from './header-index.js'
import { layout } from './layout.js'
import { readBlock } from './load.js'
import type { StateTrie } from './trie.js'

/** During sync, head changes are fsynced at most this often. */
export const SYNC_FSYNC_INTERVAL_MS = 1000

export interface HeadStepsDeps {
  store: KvStore
  genesis: Genesis
  clock: Clock
  index: HeaderIndex
  trie: StateTrie
  accounts: AccountCache
  engine: ConsensusEngine
  /** Called once, by the write that halts the chain. */
  onHalt(err: StoreWriteError): void
}

/** A block on the way to the new head broke a rule: mark it invalid and try another tip. */
export class ConnectFailure extends Error {
  constructor(
    readonly entry: HeaderEntry,
    override readonly cause: VerifyError,
  ) {
    super(cause.message)
  }
}

export class HeadSteps {
  /** Set by the first failed store write: nothing is written after it. */
  halted: StoreWriteError | undefined
  /** The last write landed without fsync. */
  unsynced = false
  private lastFsyncMs = Number.NEGATIVE_INFINITY

  constructor(
    private readonly deps: HeadStepsDeps,
    public head: HeaderEntry,
  ) {}

  /** Walks the head to `tip`: disconnects down to the fork, then connects up, one atomic batch per block. */
  async reorgTo(tip: HeaderEntry, source: BlockSource, fresh?: Block): Promise<void> {
    const fork = this.deps.index.fork(tip, this.head)
    while (this.head !== fork) await this.disconnectHead()
    const path: HeaderEntry[] = []
    for (let e: HeaderEntry = tip; e !== fork; e = e.parent as HeaderEntry) path.push(e)
    path.reverse()
    for (const entry of path) {
      const block = fresh?.id === entry.id ? fresh : await readBlock(this.deps.store, entry)
      await this.connectHead(entry, block, entry === tip ? source : undefined)
    }
  }

  /** One step back: the head block's accounts restored from its undo record, the head moved to its parent. */
  private async disconnectHead(): Promise<void> {
    const entry = this.head
    const parent = entry.parent as HeaderEntry
    const block = await readBlock(this.deps.store, entry)
    const staged: StagedAccounts = new Map()
    const ops: BatchOp[] = []
    await disconnectBlock(this.deps.store, block, staged, ops)
    accountOps(staged, ops)
    ops.push({ type: 'put', key: layout.head, value: parent.header.hash })
    await this.write(ops)
    this.deps.accounts.commit(staged)
    this.deps.index.setMain(parent)
    this.head = parent
  }

  /**
   * One step forward: `block` (a child of the head) applied and committed with
   * the head pointer. `last` is the source of the walk when this is its last
   * step, which decides whether the batch is fsynced.
   */
  private async connectHead(entry: HeaderEntry, block: Block, last: BlockSource | undefined): Promise<void> {
    const { trie, accounts } = this.deps
    const staged: StagedAccounts = new Map()
    const ops: BatchOp[] = []
    let epochRecord: Uint8Array | undefined
    try {
      epochRecord = await connectBlock(this.stateContext(), entry, block, staged, ops)
    } catch (err) {
      trie.discardWrites()
      if (err instanceof VerifyError) throw new ConnectFailure(entry, err)
      throw err
    }
    accountOps(staged, ops, this.deps.engine.staking !== undefined)
    ops.push(...trie.takeWrites())
    ops.push({ type: 'put', key: layout.head, value: entry.header.hash })
    // A head change is what peers and users act on: make it durable before announcing it. Blocks
    // synced from peers are fsynced at most once a second, and steps inside a walk not at all: a
    // crash loses none of the store's consistency (batches are atomic and land in order), only
    // blocks to download or steps to walk again.
    const now = this.deps.clock.nowMs()
    const durable = last !== undefined && (last !== 'sync' || now - this.lastFsyncMs >= SYNC_FSYNC_INTERVAL_MS)
    await this.write(ops, durable)
    if (durable) this.lastFsyncMs = now

    // Committed: bring the in-memory view in step.
    if (epochRecord) this.deps.engine.staking?.recordEpoch(entry.height, epochRecord)
    entry.status = 'valid'
    accounts.commit(staged)
    this.deps.index.setMain(entry)
    this.head = entry
  }

  /**
   * Applies `block` (a child of the head) to a throwaway copy of the staged
   * state: every rule of connecting it, the state root included, and nothing
   * written. A validator's verdict on a proposed block.
   */
  async checkConnect(entry: HeaderEntry, block: Block): Promise<void> {
    try {
      await connectBlock(this.stateContext(), entry, block, new Map(), [])
    } finally {
      this.deps.trie.discardWrites()
    }
  }

  /** What a block's state transition reads: the trie, the accounts, and under proof of stake the staking rules. */
  stateContext(): StateContext {
    const { trie, accounts, genesis, engine, store } = this.deps
    return {
      trie,
      accounts,
      genesis,
      staking: engine.staking && { rules: engine.staking, store },
      finality: engine.finality,
    }
  }

  /** Fsyncs the head pointer: a walk that did not end on its planned last step (a block failed on the way). */
  async syncHead(): Promise<void> {
    await this.write([{ type: 'put', key: layout.head, value: this.head.header.hash }], true)
    this.lastFsyncMs = this.deps.clock.nowMs()
  }

  /** Every store write of the chain: a failed one halts the chain (see the module comment). */
  async write(ops: BatchOp[], sync = false): Promise<void> {
    if (this.halted) throw new ChainHaltedError(this.halted)
    try {
      await this.deps.store.batch(ops, { sync })
      this.unsynced = !sync
    } catch (err) {
      const failure = new StoreWriteError(err)
      this.halted = failure
      this.deps.trie.discardWrites()
      this.deps.onHalt(failure)
      throw failure
    }
  }
}
