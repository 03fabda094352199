/**
 * The chain: the block tree, fork choice, the head and its state, on a
 * KvStore. Fork choice is most cumulative work; equal work keeps the block
 * seen first. A head change moves one block at a time: each disconnect and
 * each connect is one atomic batch that also moves the stored head pointer,
 * so memory does not grow with a reorg's depth and a crash at any step leaves
 * a consistent chain on some block of the way. At open the chain moves on to
 * the stored tip with the most work, which finishes an interrupted reorg.
 * Listeners hear of a reorg once, when it is over (head-change.ts).
 */
import type { ConsensusEngine } from '../consensus/engine.js'
import { BLOCK_VERSION_MMR, type Block, type HeaderFields } from '../ledger/block.js'
import { BlockTxError, VerifyError } from '../ledger/errors.js'
import { type Genesis, headerVersionOf } from '../ledger/genesis.js'
import { checkHeaderFields } from '../ledger/rules/block.js'
import type { Tx } from '../ledger/tx.js'
import type { KvStore } from '../storage/kv.js'
import type { Clock } from '../util/clock.js'
import { AccountCache } from './account-cache.js'
import { checkBlockOnParent, checkBlockStateless } from './block-checks.js'
import { checkCandidate } from './candidate.js'
import { ChainHaltedError, ChainStoreError, type StoreWriteError } from './errors.js'
import { type BlockSource, describeHeadChange, type HeadChange } from './head-change.js'
import { ConnectFailure, HeadSteps } from './head-steps.js'
import { encodeEntry, type HeaderEntry, type HeaderIndex } from './header-index.js'
import { layout } from './layout.js'
import { loadEpochs, loadIndex, openGenesis, readBlock } from './load.js'
import { mmrStateAfter } from './mmr-store.js'
import type { DecodedNodeCache } from './mpt/update.js'
import { type OrphanLimits, OrphanPool } from './orphans.js'
import { type SignatureChecker, SignaturePrechecks } from './prechecks.js'
import { DEFAULT_MAX_REORG_DEPTH, ReorgLimit } from './reorg-limit.js'
import { checkStakingTx } from './staking-check.js'
import { StoredReads } from './stored-reads.js'
import { buildTemplate } from './template.js'
import { StateTrie } from './trie.js'

export { SYNC_FSYNC_INTERVAL_MS } from './head-steps.js'
export type { SignatureChecker } from './prechecks.js'
export { DEFAULT_MAX_REORG_DEPTH, MAX_REORG_DEPTH_KEY } from './reorg-limit.js'

export interface ChainDeps {
  store: KvStore
  genesis: Genesis
  engine: ConsensusEngine
  clock: Clock
  signatures: SignatureChecker
  /** Operator-facing notes (a refused deep reorg). */
  log?(msg: string, fields?: Record<string, unknown>): void
}

export interface ChainOptions {
  /** Deepest reorg followed (DEFAULT_MAX_REORG_DEPTH); a fork deeper below the head is refused and logged. */
  maxReorgDepth?: number
  orphans?: OrphanLimits
  accountCacheMax?: number
  trieCacheNodesMax?: number
  /**
   * Decoded trie nodes to read through instead of a private cache of
   * `trieCacheNodesMax`: trie nodes are content-addressed and immutable, so a
   * simulator's nodes share one cache and decode each node once per run.
   */
  trieNodeCache?: DecodedNodeCache
}

export type { BlockSource, HeadChange } from './head-change.js'
export { HEAD_CHANGE_BLOCKS_MAX, HEAD_CHANGE_BYTES_MAX } from './head-change.js'

export type ImportResult = { status: 'head'; change: HeadChange } | { status: 'side' } | { status: 'orphan' }

export { ChainHaltedError, ChainStoreError, StoreCorruptError, StoreWriteError } from './errors.js'

/** A valid block was stored (on the main chain or a side chain): what a propagation measure hears. */
export type BlockStoredListener = (block: Block, source: BlockSource) => void

export class Chain extends StoredReads {
  private readonly listeners = new Set<(change: HeadChange) => void>()
  private readonly storedListeners = new Set<BlockStoredListener>()
  private readonly haltListeners = new Set<(err: StoreWriteError) => void>()
  /** Blocks waiting for their parent; node/ attributes each to its sender (sync/unknown-parent.ts). */
  readonly orphans: OrphanPool
  private readonly reorgLimit: ReorgLimit
  private lock: Promise<unknown> = Promise.resolve()
  private closed = false
  private readonly prechecks: SignaturePrechecks
  /** The head and the batches that move it. */
  private readonly steps: HeadSteps
  /** Blocks waiting for their turn to import, by id (a count: one block may be imported twice at once). */
  private readonly queued = new Map<string, number>()

  private constructor(
    private readonly deps: ChainDeps,
    index: HeaderIndex,
    head: HeaderEntry,
    readonly genesisBlock: Block,
    private readonly trie: StateTrie,
    accounts: AccountCache,
    opts: ChainOptions,
  ) {
    super(deps.store, index, accounts)
    this.orphans = new OrphanPool(opts.orphans)
    // Under BFT finality every block on the main chain is final: no fork below the head is followed.
    const maxDepth = deps.engine.finality ? 0 : (opts.maxReorgDepth ?? DEFAULT_MAX_REORG_DEPTH)
    this.reorgLimit = new ReorgLimit(maxDepth, deps.log)
    this.prechecks = new SignaturePrechecks(deps.signatures)
    this.steps = new HeadSteps(
      {
        ...deps,
        index,
        trie,
        accounts,
        onHalt: (err) => {
          for (const listener of this.haltListeners) listener(err)
        },
      },
      head,
    )
  }

  static async open(deps: ChainDeps, opts: ChainOptions = {}): Promise<Chain> {
    const trie = await StateTrie.open(deps.store, opts.trieCacheNodesMax, opts.trieNodeCache)
    const genesisBlock = await openGenesis(deps.store, deps.genesis, trie, (header) => deps.engine.work(header))
    trie.discardWrites()
    const { index, head } = await loadIndex(deps.store, headerVersionOf(deps.genesis.params) >= BLOCK_VERSION_MMR)
    await loadEpochs(deps.store, deps.engine.staking)
    const accounts = new AccountCache(deps.store, opts.accountCacheMax)
    const chain = new Chain(deps, index, head, genesisBlock, trie, accounts, opts)
    // A block stored just before a crash, with more work than the head, is connected now.
    await chain.exclusive(() => chain.activateBestChain('store'))
    return chain
  }

  get head(): HeaderEntry {
    return this.steps.head
  }

  /** The last final block: under BFT finality the head (every block is stored committed); none under proof of work. */
  get finalized(): HeaderEntry | undefined {
    return this.deps.engine.finality ? this.steps.head : undefined
  }

  /** True when blocks travel and are stored with their commits (an engine with BFT finality), from genesis on. */
  get hasFinality(): boolean {
    return this.deps.engine.finality !== undefined
  }

  get chainId(): string {
    return this.deps.genesis.chainId
  }

  get genesis(): Genesis {
    return this.deps.genesis
  }

  get orphanCount(): number {
    return this.orphans.size
  }

  onHeadChange(listener: (change: HeadChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Calls `listener` once, when a store write fails (a full disk): the chain
   * then refuses every import and write (ChainHaltedError). What is on disk is
   * the last batch that landed, a consistent chain the next start opens.
   */
  onHalt(listener: (err: StoreWriteError) => void): () => void {
    this.haltListeners.add(listener)
    return () => this.haltListeners.delete(listener)
  }

  /** The failed write that stopped the chain, if one did. */
  get haltedBy(): StoreWriteError | undefined {
    return this.steps.halted
  }

  /** Calls `listener` for every block stored by an import, before any head change it causes. */
  onBlockStored(listener: BlockStoredListener): () => void {
    this.storedListeners.add(listener)
    return () => this.storedListeners.delete(listener)
  }

  /** Closes after the imports under way (a halted chain closes too: the node stops on a halt). */
  async close(): Promise<void> {
    const run = this.lock.then(() => {
      this.closed = true
    })
    this.lock = run
    await run
  }

  /** Runs `fn` after every earlier import has finished: imports never interleave. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(() => {
      if (this.closed) throw new ChainStoreError('the chain is closed')
      if (this.steps.halted) throw new ChainHaltedError(this.steps.halted)
      return fn()
    })
    this.lock = run.catch(() => undefined)
    return run
  }

  /**
   * Validates and stores a block, then moves the head if it makes the chain
   * with the most work. Throws VerifyError for a block a peer should be charged
   * for; an unknown parent parks the block among the orphans.
   */
  importBlock(block: Block, source: BlockSource, commit?: Uint8Array): Promise<ImportResult> {
    try {
      this.preverify(block)
    } catch {
      // Not a rule a block broke: the import runs the same checks in its turn and rejects with it.
    }
    this.queued.set(block.id, (this.queued.get(block.id) ?? 0) + 1)
    const done = () => {
      const n = (this.queued.get(block.id) ?? 1) - 1
      if (n > 0) this.queued.set(block.id, n)
      else this.queued.delete(block.id)
    }
    const run = this.exclusive(async () => {
      const result = await this.importOne(block, source, commit)
      if (result.status === 'orphan') return result
      // Orphans waiting for this block (and their own children) can go in now.
      const queue = this.orphans.takeChildren(block.id)
      let last = result
      while (queue.length > 0) {
        const child = queue.shift() as Block
        try {
          const r = await this.importOne(child, source)
          if (r.status === 'head') last = r
          queue.push(...this.orphans.takeChildren(child.id))
        } catch (err) {
          if (!(err instanceof VerifyError)) throw err
        }
      }
      return last
    })
    run.then(done, done)
    return run
  }

  /**
   * Starts checking `block`'s signatures on the pool now, ahead of its turn to
   * import, so they are checked while the blocks before it are applied. Only
   * for a block that passes the checks needing no state (its proof of work
   * among them) and builds on a block held, queued or being prechecked: an
   * orphan gets no signature check until its parent comes.
   */
  preverify(block: Block): void {
    if (this.prechecks.has(block.id) || this.index.get(block.id)) return
    const { parentId } = block.header
    if (!this.index.get(parentId) && !this.queued.has(parentId) && !this.prechecks.has(parentId)) return
    try {
      checkBlockStateless(this.deps, block)
    } catch (err) {
      if (err instanceof VerifyError) return // the import reports it, in its turn
      throw err
    }
    this.prechecks.start(block)
  }

  private async importOne(block: Block, source: BlockSource, commit?: Uint8Array): Promise<ImportResult> {
    const known = this.index.get(block.id)
    if (known) {
      if (known.status === 'invalid') throw new VerifyError('BLOCK_INVALID_ANCESTOR', `block ${block.id} is invalid`)
      throw new VerifyError('BLOCK_KNOWN', `block ${block.id} is already stored`)
    }
    const header = block.header
    const version = headerVersionOf(this.deps.genesis.params)
    const { finality } = this.deps.engine
    checkHeaderFields(header, version, finality !== undefined)
    const parent = this.index.get(header.parentId)
    if (!parent) {
      this.deps.engine.checkSeal(header)
      // Under finality a block is stored only with its commit, which the orphan pool does not keep:
      // the caller learns the parent is missing (and syncs) instead.
      if (!finality) this.orphans.add(block)
      return { status: 'orphan' }
    }
    if (this.index.hasInvalidAncestry(parent)) {
      throw new VerifyError('BLOCK_INVALID_ANCESTOR', `block ${block.id} descends from an invalid block`)
    }
    this.reorgLimit.check(this.index, this.steps.head, parent, block.id)
    checkBlockOnParent(this.deps, this.index, parent, block, this.deps.clock.nowMs())
    if (finality) {
      if (!commit) throw new VerifyError('BLOCK_MISSING_COMMIT', `block ${block.id} came without its commit`)
      finality.checkCommit(header, commit)
    }
    const bad = await this.prechecks.take(block)
    if (bad >= 0) {
      throw new BlockTxError(bad, new VerifyError('TX_BAD_SIGNATURE', `signature of tx ${bad} does not verify`))
    }

    const work = this.deps.engine.work(header)
    const totalWork = parent.totalWork + work
    const mmr = version >= BLOCK_VERSION_MMR ? mmrStateAfter(parent, header, work) : undefined
    await this.steps.write([
      { type: 'put', key: layout.header(block.hash), value: encodeEntry({ status: 'stored', totalWork, header }) },
      { type: 'put', key: layout.block(block.hash), value: block.bytes },
      ...(commit && finality ? [{ type: 'put' as const, key: layout.commit(block.hash), value: commit }] : []),
      ...(mmr ? [{ type: 'put' as const, key: layout.mmr(block.hash), value: mmr }] : []),
    ])
    const entry = this.index.add(header, totalWork, 'stored', mmr)
    for (const listener of this.storedListeners) listener(block, source)
    if (totalWork <= this.steps.head.totalWork) return { status: 'side' }

    const change = await this.activateBestChain(source, block)
    if (this.steps.head === entry && change) return { status: 'head', change }
    if (this.index.hasInvalidAncestry(entry)) {
      throw new VerifyError('BLOCK_INVALID_ANCESTOR', `block ${block.id} or an ancestor failed to connect`)
    }
    return { status: 'side' }
  }

  /**
   * Moves the head to the valid tip with the most work, one block at a time.
   * A block that fails to connect is marked invalid (with its descendants)
   * and the best remaining tip is tried from wherever the head stands: back
   * to the old chain, or on to the best valid prefix of the new one. The
   * listeners hear one head change, from where the head was to where it ends,
   * even when a store error cuts the walk short. If `fresh` itself is the
   * block that fails, its VerifyError is thrown once the head is settled.
   */
  private async activateBestChain(source: BlockSource, fresh?: Block): Promise<HeadChange | undefined> {
    const start = this.steps.head
    let freshFailure: VerifyError | undefined
    let change: HeadChange | undefined
    try {
      for (;;) {
        const best = this.index
          .tipsByWork()
          .find(
            (tip) => !this.index.hasInvalidAncestry(tip) && this.reorgLimit.allows(this.index, this.steps.head, tip),
          )
        let target = best && best.totalWork > this.steps.head.totalWork ? best : undefined
        // A walk cut short by a bad block goes back to where it started unless it stands on more work
        // already: on equal work the chain seen first stays, as it would have without the walk.
        if (!target && this.steps.head !== start && start.totalWork >= this.steps.head.totalWork) {
          if (!this.index.hasInvalidAncestry(start)) target = start
        }
        if (!target) break
        try {
          await this.steps.reorgTo(target, source, fresh)
        } catch (err) {
          if (!(err instanceof ConnectFailure)) throw err
          err.entry.status = 'invalid'
          await this.steps.write([
            { type: 'put', key: layout.header(err.entry.header.hash), value: encodeEntry(err.entry) },
          ])
          if (fresh && err.entry.id === fresh.id) freshFailure = err.cause
        }
      }
    } finally {
      // Also after an error: listeners must hear of every step that landed.
      if (this.steps.head !== start) change = await this.announce(source, start, fresh)
    }
    // The walk ended short of its planned (fsynced) last step: a block on the way failed.
    if (change && this.steps.unsynced && source !== 'sync') await this.steps.syncHead()
    if (freshFailure) throw freshFailure
    return change
  }

  private async announce(source: BlockSource, from: HeaderEntry, fresh?: Block): Promise<HeadChange> {
    const to = this.steps.head
    const change = await describeHeadChange(source, from, to, this.index.fork(from, to), (entry) =>
      fresh?.id === entry.id ? Promise.resolve(fresh) : readBlock(this.deps.store, entry),
    )
    for (const listener of this.listeners) listener(change)
    return change
  }

  /**
   * Checks a proposed child of the head against every rule a block passes on
   * import, state root included, without storing anything (a BFT validator's
   * verdict before it prevotes). Throws the rule's VerifyError.
   */
  checkCandidate(block: Block): Promise<void> {
    return this.exclusive(() => checkCandidate(this.deps, this.index, this.steps, block))
  }

  /** A Merkle proof of the account (or of its absence) against the head's state root. */
  proveAccount(address: Uint8Array): Promise<Uint8Array[]> {
    return this.exclusive(() => this.trie.prove(this.steps.head.header.fields.stateRoot, address))
  }

  /** Throws the VerifyError the next block would refuse `tx` with for its kind's state rules (staking.ts); transfers pass. */
  checkStakingTx(tx: Tx): Promise<void> {
    return checkStakingTx(this.steps.stateContext(), tx, this.steps.head.height + 1)
  }

  /**
   * An unsealed header for a new block on the head carrying `txs` (in order;
   * txs that no longer apply are left out). The caller seals it with the engine
   * and imports the block.
   */
  buildBlock(opts: { miner: Uint8Array; txs: readonly Tx[] }): Promise<{ fields: HeaderFields; txs: Tx[] }> {
    return this.exclusive(async () => {
      try {
        return await buildTemplate(
          { ...this.steps.stateContext(), engine: this.deps.engine },
          this.index,
          this.steps.head,
          opts.miner,
          opts.txs,
          this.deps.clock.nowMs(),
        )
      } finally {
        this.trie.discardWrites()
      }
    })
  }
}
