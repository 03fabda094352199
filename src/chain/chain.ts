/**
 * The chain: the block tree, fork choice, the head and its state, on a
 * KvStore. Fork choice is most cumulative work; equal work keeps the block
 * seen first. Every head change (one block or a reorg of many) is one atomic
 * batch, so a crash restarts on the old head or the new one, never a mix.
 */
import type { ConsensusEngine } from '../consensus/engine.js'
import type { Block, HeaderFields } from '../ledger/block.js'
import { BlockTxError, VerifyError } from '../ledger/errors.js'
import type { Genesis } from '../ledger/genesis.js'
import { checkBlockBody, checkHeaderContext, checkHeaderFields, medianTimePast } from '../ledger/rules/block.js'
import { type Account, accountToBytes, EMPTY_ACCOUNT } from '../ledger/state.js'
import type { Tx } from '../ledger/tx.js'
import type { BatchOp, KvStore } from '../storage/kv.js'
import { toHex } from '../util/bytes.js'
import type { Clock } from '../util/clock.js'
import { AccountCache } from './account-cache.js'
import { connectBlock, disconnectBlock, type StagedAccounts } from './connect.js'
import { ChainStoreError } from './errors.js'
import { encodeEntry, type HeaderEntry, type HeaderIndex } from './header-index.js'
import { layout } from './layout.js'
import { loadIndex, openGenesis, readBlock } from './load.js'
import { type OrphanLimits, OrphanPool } from './orphans.js'
import { type SignatureChecker, SignaturePrechecks } from './prechecks.js'
import { buildTemplate } from './template.js'
import { StateTrie } from './trie.js'

export type { SignatureChecker } from './prechecks.js'

/** During sync, head changes are fsynced at most this often. */
export const SYNC_FSYNC_INTERVAL_MS = 1000

export interface ChainDeps {
  store: KvStore
  genesis: Genesis
  engine: ConsensusEngine
  clock: Clock
  signatures: SignatureChecker
}

export interface ChainOptions {
  /** Deepest reorg accepted; deeper forks are ignored. */
  maxReorgDepth?: number
  orphans?: OrphanLimits
  accountCacheMax?: number
  trieCacheNodesMax?: number
}

/**
 * Where a block came from: a peer's gossip, a sync download, our own miner,
 * an API call, or the store itself (a block saved just before a crash and
 * connected at open). Head changes carry it, so the relay can tell news to
 * announce from blocks the mesh already carries.
 */
export type BlockSource = 'gossip' | 'sync' | 'mined' | 'rpc' | 'store'

export interface HeadChange {
  /** The source of the import that moved the head. */
  source: BlockSource
  head: HeaderEntry
  /** Blocks that left the main chain, newest first. */
  disconnected: Block[]
  /** Blocks that joined the main chain, oldest first. */
  connected: Block[]
}

export type ImportResult = { status: 'head'; change: HeadChange } | { status: 'side' } | { status: 'orphan' }

export { ChainStoreError } from './errors.js'

/** A valid block was stored (on the main chain or a side chain): what a propagation measure hears. */
export type BlockStoredListener = (block: Block, source: BlockSource) => void

export class Chain {
  private readonly listeners = new Set<(change: HeadChange) => void>()
  private readonly storedListeners = new Set<BlockStoredListener>()
  private readonly orphans: OrphanPool
  private readonly maxReorgDepth: number
  private lock: Promise<unknown> = Promise.resolve()
  private closed = false
  private readonly prechecks: SignaturePrechecks
  private lastFsyncMs = Number.NEGATIVE_INFINITY
  /** Blocks waiting for their turn to import, by id (a count: one block may be imported twice at once). */
  private readonly queued = new Map<string, number>()

  private constructor(
    private readonly deps: ChainDeps,
    readonly index: HeaderIndex,
    private headEntry: HeaderEntry,
    readonly genesisBlock: Block,
    private readonly trie: StateTrie,
    private readonly accounts: AccountCache,
    opts: ChainOptions,
  ) {
    this.orphans = new OrphanPool(opts.orphans)
    this.maxReorgDepth = opts.maxReorgDepth ?? 1000
    this.prechecks = new SignaturePrechecks(deps.signatures)
  }

  static async open(deps: ChainDeps, opts: ChainOptions = {}): Promise<Chain> {
    const trie = await StateTrie.open(deps.store, opts.trieCacheNodesMax)
    const genesisBlock = await openGenesis(deps.store, deps.genesis, trie, (header) => deps.engine.work(header))
    trie.discardWrites()
    const { index, head } = await loadIndex(deps.store)
    const accounts = new AccountCache(deps.store, opts.accountCacheMax)
    const chain = new Chain(deps, index, head, genesisBlock, trie, accounts, opts)
    // A block stored just before a crash, with more work than the head, is connected now.
    await chain.exclusive(() => chain.activateBestChain('store'))
    return chain
  }

  get head(): HeaderEntry {
    return this.headEntry
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

  /** Calls `listener` for every block stored by an import, before any head change it causes. */
  onBlockStored(listener: BlockStoredListener): () => void {
    this.storedListeners.add(listener)
    return () => this.storedListeners.delete(listener)
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      this.closed = true
    })
  }

  /** Runs `fn` after every earlier import has finished: imports never interleave. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(() => {
      if (this.closed) throw new ChainStoreError('the chain is closed')
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
  importBlock(block: Block, source: BlockSource): Promise<ImportResult> {
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
      const result = await this.importOne(block, source)
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
      checkHeaderFields(block.header)
      this.deps.engine.checkSeal(block.header)
      checkBlockBody(block, { chainId: this.deps.genesis.chainId, limits: this.deps.genesis.limits })
    } catch (err) {
      if (err instanceof VerifyError) return // the import reports it, in its turn
      throw err
    }
    this.prechecks.start(block)
  }

  private async importOne(block: Block, source: BlockSource): Promise<ImportResult> {
    const known = this.index.get(block.id)
    if (known) {
      if (known.status === 'invalid') throw new VerifyError('BLOCK_INVALID_ANCESTOR', `block ${block.id} is invalid`)
      throw new VerifyError('BLOCK_KNOWN', `block ${block.id} is already stored`)
    }
    const header = block.header
    checkHeaderFields(header)
    const parent = this.index.get(header.parentId)
    if (!parent) {
      this.deps.engine.checkSeal(header)
      this.orphans.add(block)
      return { status: 'orphan' }
    }
    if (this.index.hasInvalidAncestry(parent)) {
      throw new VerifyError('BLOCK_INVALID_ANCESTOR', `block ${block.id} descends from an invalid block`)
    }
    const fork = this.index.fork(parent, this.headEntry)
    if (this.headEntry.height - fork.height > this.maxReorgDepth) {
      throw new VerifyError(
        'BLOCK_REORG_TOO_DEEP',
        `fork at height ${fork.height} is deeper than ${this.maxReorgDepth}`,
      )
    }
    const { params, limits, chainId } = this.deps.genesis
    checkHeaderContext(header, {
      parent: parent.header,
      medianTimePastMs: medianTimePast(this.index.recentTimestamps(parent, params.medianTimeSpan)),
      nowMs: this.deps.clock.nowMs(),
      maxFutureDriftMs: params.maxFutureDriftMs,
    })
    this.deps.engine.checkHeader(header, parent.header, this.index)
    checkBlockBody(block, { chainId, limits })
    const bad = await this.prechecks.take(block)
    if (bad >= 0) {
      throw new BlockTxError(bad, new VerifyError('TX_BAD_SIGNATURE', `signature of tx ${bad} does not verify`))
    }

    const totalWork = parent.totalWork + this.deps.engine.work(header)
    await this.deps.store.batch([
      { type: 'put', key: layout.header(block.hash), value: encodeEntry({ status: 'stored', totalWork, header }) },
      { type: 'put', key: layout.block(block.hash), value: block.bytes },
    ])
    const entry = this.index.add(header, totalWork, 'stored')
    for (const listener of this.storedListeners) listener(block, source)
    if (totalWork <= this.headEntry.totalWork) return { status: 'side' }

    const change = await this.activateBestChain(source, block)
    if (this.headEntry === entry && change) return { status: 'head', change }
    if (this.index.hasInvalidAncestry(entry)) {
      throw new VerifyError('BLOCK_INVALID_ANCESTOR', `block ${block.id} or an ancestor failed to connect`)
    }
    return { status: 'side' }
  }

  /**
   * Moves the head to the valid tip with the most work. A block that fails to
   * connect is marked invalid (with its descendants) and the next best tip is
   * tried; the head only moves on a fully valid chain. If `fresh` itself is
   * the block that fails, its VerifyError is thrown to the caller.
   */
  private async activateBestChain(source: BlockSource, fresh?: Block): Promise<HeadChange | undefined> {
    let lastChange: HeadChange | undefined
    for (;;) {
      const best = this.index
        .tipsByWork()
        .find(
          (tip) =>
            !this.index.hasInvalidAncestry(tip) &&
            this.headEntry.height - this.index.fork(tip, this.headEntry).height <= this.maxReorgDepth,
        )
      if (!best || best.totalWork <= this.headEntry.totalWork) return lastChange
      try {
        lastChange = await this.reorgTo(best, source, fresh)
      } catch (err) {
        if (!(err instanceof ConnectFailure)) throw err
        this.trie.discardWrites()
        err.entry.status = 'invalid'
        await this.deps.store.batch([
          { type: 'put', key: layout.header(err.entry.header.hash), value: encodeEntry(err.entry) },
        ])
        if (fresh && err.entry.id === fresh.id) throw err.cause
      }
    }
  }

  private async reorgTo(tip: HeaderEntry, source: BlockSource, fresh?: Block): Promise<HeadChange> {
    const fork = this.index.fork(tip, this.headEntry)
    const staged: StagedAccounts = new Map()
    const ops: BatchOp[] = []
    const disconnected: Block[] = []
    for (let e = this.headEntry; e !== fork; e = e.parent as HeaderEntry) {
      const block = await readBlock(this.deps.store, e)
      await disconnectBlock(this.deps.store, block, staged, ops)
      disconnected.push(block)
    }
    const path: HeaderEntry[] = []
    for (let e: HeaderEntry = tip; e !== fork; e = e.parent as HeaderEntry) path.push(e)
    path.reverse()
    const connected: Block[] = []
    for (const entry of path) {
      const block = fresh?.id === entry.id ? fresh : await readBlock(this.deps.store, entry)
      try {
        await connectBlock(
          { trie: this.trie, accounts: this.accounts, genesis: this.deps.genesis },
          entry,
          block,
          staged,
          ops,
        )
      } catch (err) {
        if (err instanceof VerifyError) throw new ConnectFailure(entry, err)
        throw err
      }
      connected.push(block)
    }
    for (const { address, account, bytes } of staged.values()) {
      ops.push(
        account
          ? { type: 'put', key: layout.account(address), value: bytes ?? accountToBytes(account) }
          : { type: 'del', key: layout.account(address) },
      )
    }
    ops.push(...this.trie.takeWrites())
    ops.push({ type: 'put', key: layout.head, value: tip.header.hash })
    // A head change is what peers and users act on: make it durable before announcing it. Blocks
    // synced from peers are fsynced at most once a second: a crash loses none of the store's
    // consistency (batches are atomic and land in order), only synced blocks to download again.
    const now = this.deps.clock.nowMs()
    const durable = source !== 'sync' || now - this.lastFsyncMs >= SYNC_FSYNC_INTERVAL_MS
    await this.deps.store.batch(ops, { sync: durable })
    if (durable) this.lastFsyncMs = now

    // Committed: bring the in-memory view in step.
    for (const entry of path) entry.status = 'valid'
    this.accounts.commit(staged)
    this.index.setMain(tip)
    this.headEntry = tip
    const change: HeadChange = { source, head: tip, disconnected, connected }
    for (const listener of this.listeners) listener(change)
    return change
  }

  // ---- reads -------------------------------------------------------------

  async getBlock(id: string): Promise<Block | undefined> {
    const entry = this.index.get(id)
    return entry ? readBlock(this.deps.store, entry) : undefined
  }

  /** A stored block's bytes, without decoding them (for serving peers). */
  async getBlockBytes(id: string): Promise<Uint8Array | undefined> {
    const entry = this.index.get(id)
    return entry ? this.deps.store.get(layout.block(entry.header.hash)) : undefined
  }

  async getBlockAt(height: number): Promise<Block | undefined> {
    const entry = this.index.mainAt(height)
    return entry ? readBlock(this.deps.store, entry) : undefined
  }

  /** Accounts at the head (an unknown address reads as an empty account). */
  async getAccounts(addresses: readonly Uint8Array[]): Promise<Account[]> {
    const found = await this.accounts.getMany(addresses)
    return found.map((a) => a ?? EMPTY_ACCOUNT)
  }

  async getAccount(address: Uint8Array): Promise<Account> {
    return (await this.getAccounts([address]))[0] as Account
  }

  /** Where a main-chain transaction sits, or undefined. */
  async getTxLocation(txHash: Uint8Array): Promise<{ blockId: string; index: number } | undefined> {
    const value = await this.deps.store.get(layout.txLocation(txHash))
    if (!value) return undefined
    return { blockId: toHex(value.subarray(0, 32)), index: new DataView(value.buffer, value.byteOffset).getUint32(32) }
  }

  /** A Merkle proof of the account (or of its absence) against the head's state root. */
  proveAccount(address: Uint8Array): Promise<Uint8Array[]> {
    return this.exclusive(() => this.trie.prove(this.headEntry.header.fields.stateRoot, address))
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
          { trie: this.trie, accounts: this.accounts, genesis: this.deps.genesis, engine: this.deps.engine },
          this.index,
          this.headEntry,
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

/** A block on the way to the new head broke a rule: mark it invalid and try another tip. */
class ConnectFailure extends Error {
  constructor(
    readonly entry: HeaderEntry,
    override readonly cause: VerifyError,
  ) {
    super(cause.message)
  }
}
