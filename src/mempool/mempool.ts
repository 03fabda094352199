/**
 * Pending transactions: admission against the head state, per-sender nonce
 * order, replace-by-fee, caps with fee-rate eviction, expiry, re-validation
 * when the head changes, and block templates.
 *
 * Rules, in the order add() applies them:
 * 1. exact duplicate → MEMPOOL_DUPLICATE;
 * 2. stateless rules (checkTxStateless);
 * 3. cheap stateful rules against the sender's committed account, before any
 *    signature work (as Bitcoin Core checks inputs before scripts): the balance
 *    covers this tx's cost (an account that does not exist has none) and the
 *    nonce lies in the window [account nonce, next nonce + nonceGapMax];
 *    a flood of validly signed txs from unfunded keys ends here;
 * 4. the signature (deps.verify, the worker pool in a node);
 * 5. against the sender's committed account, read again in the admission queue:
 *    nonce below the account nonce → TX_NONCE_TOO_LOW; a nonce already pending
 *    is a replacement and needs a fee at least `replaceFeeBumpPercent` (10%)
 *    higher, else MEMPOOL_REPLACEMENT_UNDERPRICED; otherwise the sender must
 *    have fewer than `perSenderMax` pending (MEMPOOL_SENDER_LIMIT) and the nonce
 *    may skip at most `nonceGapMax` nonces past the sender's next executable
 *    one (MEMPOOL_NONCE_GAP);
 * 6. the balance must cover the cost (amount + fee) of every pending tx of the
 *    sender up to and including this nonce → TX_INSUFFICIENT_BALANCE;
 * 7. room: see eviction.ts (MEMPOOL_FULL).
 * Rules 3, 5 and 6 are the pure functions of account-rules.ts.
 * A tx contiguous with the account nonce is ready (minable next); a later one
 * is held as future and promoted when the gap fills. A tx that fills a gap or
 * replaces one at a higher cost may leave later nonces uncovered by the
 * balance: those are dropped (and reported in AddResult.droppedIds).
 *
 * reset() re-reads every pending sender's account in one readAccounts batch
 * (a reorg can take away credits from senders that appear in no changed
 * block), then applies the change as reset.ts does.
 *
 * Dropping a tx (eviction, expiry, remove) drops the later nonces of its
 * sender with it. add() and reset() read accounts and so run one at a time
 * through a queue; everything after their one await is synchronous, so the
 * synchronous methods always see a consistent pool.
 */
import { isVerifyError, VerifyError } from '../ledger/errors.js'
import { checkTxSignature, checkTxStateless, type TxContext } from '../ledger/rules/tx.js'
import type { Account } from '../ledger/state.js'
import type { Tx } from '../ledger/tx.js'
import { checkAgainstPending, checkFunded } from './account-rules.js'
import { newEntry, type PoolEntry, type TxStatus } from './entry.js'
import { planRoom } from './eviction.js'
import { type MempoolConfig, type MempoolDeps, type MempoolOptions, resolveOptions } from './options.js'
import { applyReset, type HeadTxs, screenReturned } from './reset.js'
import { SerialQueue } from './serial.js'
import { PoolStore } from './store.js'
import { selectTemplate, type TemplateLimits } from './template.js'

export type { HeadTxs } from './reset.js'

export interface AddResult {
  id: string
  status: TxStatus
  /** The tx this one replaced (same sender and nonce, higher fee). */
  replacedId?: string
  /**
   * Other txs dropped by this admission: evicted for room (with their later
   * nonces), left uncovered by the balance, or already mined by a head the
   * pool had not been reset to.
   */
  droppedIds: string[]
}

/** Where a tx came from: a peer's gossip or a local submission (API, wallet). */
export type TxSource = 'gossip' | 'rpc'

/** A tx the pool admitted, with where it came from: the one event API subscriptions and metrics hear. */
export type TxAddedListener = (tx: Tx, status: TxStatus, source: TxSource) => void

/**
 * Txs that left the pool without being mined (evicted for room, replaced,
 * expired, no longer covered or allowed): compact blocks keep a few of them,
 * since a block may still hold them.
 */
export type TxDroppedListener = (txs: readonly Tx[]) => void

export interface ResetResult {
  /** Pool txs removed because the new chain includes them. */
  includedCount: number
  /** Returned txs that are in the pool after the reset. */
  readdedIds: string[]
  /**
   * Txs that left the pool, or returned txs that did not come back: stale
   * nonce, balance no longer covers them, superseded by a higher fee at the
   * same nonce, failing the stateless rules, or over a cap.
   */
  droppedIds: string[]
}

export interface PoolTxInfo {
  id: string
  tx: Tx
  senderHex: string
  nonce: bigint
  fee: bigint
  status: TxStatus
  addedMs: number
}

export class Mempool {
  private readonly config: MempoolConfig
  private readonly store: PoolStore
  private readonly serial = new SerialQueue()
  private readonly ctx: TxContext
  private readonly verify: (tx: Tx) => void | Promise<void>
  private seq = 0
  /** Resets begun so far: add() re-reads its sender's account when one began during its signature check. */
  private resets = 0
  private readonly addedListeners = new Set<TxAddedListener>()
  private readonly droppedListeners = new Set<TxDroppedListener>()
  /** Nonces held by txs outside the pool (Dandelion's private stem pool), which nextNonce skips as it skips pending ones. */
  private heldOutside?: (senderHex: string, nonce: bigint) => boolean

  constructor(
    private readonly deps: MempoolDeps,
    options: MempoolOptions = {},
  ) {
    this.config = resolveOptions(options)
    this.store = new PoolStore(this.config.perSenderMax)
    this.ctx = { chainId: deps.chainId, limits: deps.limits, staking: deps.staking }
    this.verify = deps.verify ?? checkTxSignature
  }

  get options(): MempoolConfig {
    return this.config
  }

  /** Pending txs, ready and future. */
  get size(): number {
    return this.store.count
  }

  /** Encoded bytes of the pending txs. */
  get bytes(): number {
    return this.store.bytes
  }

  get readyCount(): number {
    return this.store.count - this.store.futureCount
  }

  get futureCount(): number {
    return this.store.futureCount
  }

  has(id: string): boolean {
    return this.store.has(id)
  }

  get(id: string): Tx | undefined {
    return this.store.get(id)?.tx
  }

  /** The first nonce from `accountNonce` on that `senderHex` has no tx pending for: what a wallet signs next. */
  nextNonce(senderHex: string, accountNonce: bigint): bigint {
    const queue = this.store.queue(senderHex)
    let nonce = accountNonce
    while (queue?.get(nonce) || this.heldOutside?.(senderHex, nonce)) nonce++
    return nonce
  }

  /** Txs held outside the pool (the stem pool) take their nonces too: a wallet's next send must not reuse one. */
  setHeldOutside(held: (senderHex: string, nonce: bigint) => boolean): void {
    this.heldOutside = held
  }

  /**
   * Runs add()'s rules 1-6 on `tx` without admitting it: Dandelion's stem
   * txs are validated like any tx but kept out of the pool's public view
   * until fluffed. Throws VerifyError; returns the status admission would give.
   */
  async check(tx: Tx): Promise<TxStatus> {
    if (this.store.has(tx.id)) throw duplicate(tx)
    checkTxStateless(tx, this.ctx)
    const [committed] = await this.readAccounts([tx.sender])
    const account = committed as Account
    checkFunded(tx, account, this.nextNonce(tx.senderHex, account.nonce), this.config.nonceGapMax)
    if (!tx.isTransfer) await this.deps.checkState?.(tx)
    await this.verify(tx)
    const queue = this.store.queue(tx.senderHex)
    checkAgainstPending(tx, account, queue, this.config)
    return tx.fields.nonce === (queue?.nextNonce ?? account.nonce) ? 'ready' : 'future'
  }

  /** The ready txs, grouped by sender in nonce order. */
  pending(): Tx[] {
    const txs: Tx[] = []
    for (const queue of this.store.queues()) for (const entry of queue.ready()) txs.push(entry.tx)
    return txs
  }

  /** A snapshot of every pending tx, oldest first. */
  list(): PoolTxInfo[] {
    return Array.from(this.store.entries(), (e) => ({
      id: e.id,
      tx: e.tx,
      senderHex: e.senderHex,
      nonce: e.nonce,
      fee: e.fee,
      status: e.status,
      addedMs: e.addedMs,
    }))
  }

  /** Calls `listener` for every tx admitted by add(), after it is in the pool. */
  onAdded(listener: TxAddedListener): () => void {
    this.addedListeners.add(listener)
    return () => this.addedListeners.delete(listener)
  }

  /** Calls `listener` with the txs that leave the pool unmined (see TxDroppedListener). */
  onDropped(listener: TxDroppedListener): () => void {
    this.droppedListeners.add(listener)
    return () => this.droppedListeners.delete(listener)
  }

  private emitDropped(txs: readonly Tx[]): void {
    if (txs.length === 0) return
    for (const listener of this.droppedListeners) listener(txs)
  }

  /** Validates and admits `tx`; throws VerifyError (see the rules above). */
  async add(tx: Tx, source: TxSource = 'rpc'): Promise<AddResult> {
    // Cheap checks before the signature, so duplicates and junk cost no verify.
    if (this.store.has(tx.id)) throw duplicate(tx)
    checkTxStateless(tx, this.ctx)
    const resetsBefore = this.resets
    const [committed] = await this.readAccounts([tx.sender])
    const account = committed as Account
    checkFunded(tx, account, this.nextNonce(tx.senderHex, account.nonce), this.config.nonceGapMax)
    if (!tx.isTransfer) await this.deps.checkState?.(tx)
    await this.verify(tx)
    const result = await this.serial.run(async () => {
      // A reset that began since the first read may have moved the head under it: read again.
      const account = this.resets === resetsBefore ? committed : (await this.readAccounts([tx.sender]))[0]
      return this.admit(tx, account as Account)
    })
    for (const listener of this.addedListeners) listener(tx, result.status, source)
    return result
  }

  /**
   * Follows a head change: removes the txs the new chain includes, puts the
   * returned txs back (they passed block validation, so their signatures are
   * not checked again), then re-checks every sender against its new account.
   */
  async reset(change: HeadTxs): Promise<ResetResult> {
    return this.serial.run(async () => {
      this.resets++
      const { returned, refused } = screenReturned(change, this.store, this.ctx)
      const addresses = new Map<string, Uint8Array>()
      for (const queue of this.store.queues()) addresses.set(queue.addressHex, queue.address)
      for (const tx of returned) addresses.set(tx.senderHex, tx.sender)
      const accountList = await this.readAccounts([...addresses.values()])
      const accounts = new Map([...addresses.keys()].map((hex, i) => [hex, accountList[i] as Account]))
      const disallowed = await this.disallowedByState([...this.store.entries()].map((e) => e.tx))

      // Synchronous from here on.
      const { includedCount, dropped } = applyReset(this.store, {
        included: change.included,
        returned,
        accounts,
        disallowed,
        nowMs: this.deps.clock.nowMs(),
        nextSeq: () => this.seq++,
      })
      const droppedTxs = [...refused, ...dropped, ...this.trimToCaps().map((entry) => entry.tx)]
      const readdedIds = returned.filter((tx) => this.store.has(tx.id)).map((tx) => tx.id)
      this.emitDropped(droppedTxs)
      return { includedCount, readdedIds, droppedIds: droppedTxs.map((tx) => tx.id) }
    })
  }

  /** The ids of the stake, unstake and evidence txs among `txs` that the head's state no longer allows. */
  private async disallowedByState(txs: readonly Tx[]): Promise<string[]> {
    const check = this.deps.checkState
    if (!check) return []
    const out: string[] = []
    for (const tx of txs) {
      if (tx.isTransfer) continue
      try {
        await check(tx)
      } catch (err) {
        if (!isVerifyError(err)) throw err
        out.push(tx.id)
      }
    }
    return out
  }

  /** Drops the txs admitted `expiryMs` or more ago, with the later nonces of their senders; returns their ids. */
  expire(): string[] {
    const cutoffMs = this.deps.clock.nowMs() - this.config.expiryMs
    const dropped: string[] = []
    // Arrival order is age order as long as the clock does not go back.
    const droppedTxs: Tx[] = []
    for (const entry of this.store.entries()) {
      if (entry.addedMs > cutoffMs) break
      for (const e of this.store.dropWithTail(entry)) {
        dropped.push(e.id)
        droppedTxs.push(e.tx)
      }
    }
    this.emitDropped(droppedTxs)
    return dropped
  }

  /** Removes the given txs, with the later nonces of their senders; returns the ids removed. */
  remove(ids: Iterable<string>): string[] {
    const dropped: string[] = []
    for (const id of ids) {
      const entry = this.store.get(id)
      if (entry) for (const e of this.store.dropWithTail(entry)) dropped.push(e.id)
    }
    return dropped
  }

  /** The best ready txs for a block, each sender's in nonce order (see template.ts). */
  template(limits: TemplateLimits): Tx[] {
    return selectTemplate(this.readyRuns(), limits)
  }

  private *readyRuns(): Generator<PoolEntry[]> {
    for (const queue of this.store.queues()) yield queue.ready()
  }

  /** The account-dependent rules and the commit; synchronous, runs inside the queue. */
  private admit(tx: Tx, account: Account): AddResult {
    if (this.store.has(tx.id)) throw duplicate(tx)
    const { nonce } = tx.fields
    const droppedEntries: PoolEntry[] = []
    const known = this.store.queue(tx.senderHex)
    if (known) {
      // The head may have moved since the last reset: bring the sender up to date first.
      known.account = account
      for (const entry of this.store.settle(known)) droppedEntries.push(entry)
    }
    const queue = this.store.queue(tx.senderHex)
    const existing = checkAgainstPending(tx, account, queue, this.config)
    const nextNonce = queue?.nextNonce ?? account.nonce

    const entry = newEntry(tx, this.deps.clock.nowMs(), this.seq++)
    const takesFutureSlot = !existing && nonce !== nextNonce
    const victims = planRoom(this.store, this.config, { incoming: entry, replaced: existing, takesFutureSlot })

    // Commit: nothing below throws a VerifyError.
    if (existing) this.store.drop(existing)
    for (let i = victims.length - 1; i >= 0; i--) {
      const victim = victims[i] as PoolEntry
      this.store.drop(victim)
      droppedEntries.push(victim)
    }
    const target = this.store.insert(entry, account)
    for (const dropped of this.store.settle(target)) droppedEntries.push(dropped)
    if (!this.store.has(entry.id)) throw new Error(`admitted tx ${entry.id} was dropped by its own sender's re-check`)
    const droppedIds = droppedEntries.map((e) => e.id)
    const result: AddResult = { id: entry.id, status: entry.status, droppedIds }
    if (existing) result.replacedId = existing.id
    this.emitDropped([...(existing ? [existing.tx] : []), ...droppedEntries.map((e) => e.tx)])
    return result
  }

  /** Evicts lowest fee rate first (with later nonces) until every cap holds again. */
  private trimToCaps(): PoolEntry[] {
    const dropped: PoolEntry[] = []
    const { countMax, bytesMax, futureMax } = this.config
    for (let top = this.store.futureHeap.peek(); top && this.store.futureCount > futureMax; ) {
      dropped.push(...this.store.dropWithTail(top))
      top = this.store.futureHeap.peek()
    }
    for (let top = this.store.evictHeap.peek(); top && (this.store.count > countMax || this.store.bytes > bytesMax); ) {
      dropped.push(...this.store.dropWithTail(top))
      top = this.store.evictHeap.peek()
    }
    return dropped
  }

  private async readAccounts(addresses: Uint8Array[]): Promise<Account[]> {
    if (addresses.length === 0) return []
    const accounts = await this.deps.readAccounts(addresses)
    if (accounts.length !== addresses.length) {
      throw new Error(`readAccounts returned ${accounts.length} accounts for ${addresses.length} addresses`)
    }
    return accounts
  }
}

function duplicate(tx: Tx): VerifyError {
  return new VerifyError('MEMPOOL_DUPLICATE', `tx ${tx.id} is already pending`)
}
