/**
 * A light node's chain: headers only, in a KvStore of its own (LevelDB under
 * `<datadir>/light` in production), with the most-work tip. Nothing enters it
 * unverified: `add` checks a run of headers against its stored parent with
 * `verifyHeaderChain` (links, proof of work, retarget, median time past, the
 * future drift) and refuses the whole run on the first fault, storing
 * nothing. Fork choice is the full node's: most cumulative work, and on
 * equal work the tip seen first stays. On a proof-of-stake chain runs come
 * through `addCommitted` instead, already verified by their commits
 * (pos-verify.ts): each must extend the tip, since a committed header is
 * final and has no fork to choose.
 *
 * Every change is one atomic batch per run; what is stored where, and how it
 * is read back, is header-layout.ts's.
 *
 * A chain started from a proof (`adoptProven`) holds the genesis and the
 * recent headers only: the lowest of them, the anchor, has no stored parent,
 * and its total work is the proof's, so fork choice compares the work the
 * proof showed. Heights between the genesis and the anchor have no header.
 *
 * In memory the store keeps the main chain's ids by height, and the headers
 * of the last `memoryWindow` heights (and the genesis): older headers stay in
 * the KvStore only, and `get`/`mainAt` no longer answer for them. A fork that
 * leaves the main chain below the window is not followed (its parent is not
 * held); side branches there are dropped.
 */
import { workOf } from '../consensus/pow/target.js'
import type { Header } from '../ledger/block.js'
import type { ConsensusParams } from '../ledger/genesis.js'
import type { BatchOp, KvStore } from '../storage/kv.js'
import { equalBytes } from '../util/bytes.js'
import type { Clock } from '../util/clock.js'
import {
  encodeEntry,
  entryOf,
  type LightEntry,
  LightStoreError,
  lightKeys,
  mainChainKeys,
  readLightStore,
} from './header-layout.js'
import { verifyHeaderChain } from './verify.js'

export { type LightEntry, LightStoreError, type LightStoreErrorCode } from './header-layout.js'

/** Headers kept in memory below the tip by default: twice the light protocol's proof window. */
export const LIGHT_MEMORY_WINDOW = 2048

/** What a run added and whether the tip moved. */
export interface AddResult {
  /** Headers of the run not stored before. */
  added: number
  /** The run's last header (stored now or before). */
  last: LightEntry
  /** The tip after the run; `reorged` when the old tip left the main chain. */
  tip: LightEntry
  tipChanged: boolean
  reorged: boolean
}

export type TipListener = (tip: LightEntry, previous: LightEntry) => void

export interface LightHeaderStoreOptions {
  /** With a clock, headers further ahead of it than params.maxFutureDriftMs are refused. */
  clock?: Clock
  /** Heights below the tip whose headers are kept in memory (LIGHT_MEMORY_WINDOW by default). */
  memoryWindow?: number
  /**
   * What a header adds to its chain's weight: the proof-of-work work of its
   * target by default; a proof-of-stake chain passes its engine's (1 a
   * block), so the head it shows in the status handshake weighs as a full
   * node's does.
   */
  work?: (header: Header) => bigint
}

export class LightHeaderStore {
  private readonly entries = new Map<string, LightEntry>()
  /** Main-chain ids by height, genesis first; holes between the genesis and the anchor. */
  private main: string[] = []
  /** The lowest header of a chain started from a proof: stored without its parent. */
  private anchorId: string | undefined
  /** Main-chain headers below this height (the genesis aside) are no longer in memory. */
  private floor = 1
  private readonly listeners = new Set<TipListener>()
  /** Runs are added one at a time (each reads the tip the last one left). */
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly kv: KvStore,
    readonly params: ConsensusParams,
    readonly genesis: LightEntry,
    private readonly options: LightHeaderStoreOptions,
  ) {}

  /**
   * Opens `kv` (it is opened here and closed by `close`), writes the genesis
   * header on first use, and loads every stored header; throws
   * LightStoreError when the store holds another chain's genesis.
   */
  static async open(
    kv: KvStore,
    genesisHeader: Header,
    params: ConsensusParams,
    options: LightHeaderStoreOptions = {},
  ): Promise<LightHeaderStore> {
    await kv.open()
    try {
      const genesis: LightEntry = entryOf(genesisHeader, (options.work ?? powWork)(genesisHeader))
      const store = new LightHeaderStore(kv, params, genesis, options)
      await store.load()
      return store
    } catch (err) {
      await kv.close()
      throw err
    }
  }

  private async load(): Promise<void> {
    const stored = await readLightStore(this.kv, this.genesis)
    this.anchorId = stored.anchorId
    for (const entry of stored.entries) {
      if (entry.height === 0 && entry.id !== this.genesis.id) continue
      const rooted = entry.id === this.anchorId || this.entries.has(entry.header.parentId)
      if (entry.height > 0 && !rooted) continue // unreachable leftover
      this.entries.set(entry.id, entry)
    }
    const tip = stored.tipId === undefined ? undefined : this.entries.get(stored.tipId)
    if (!tip) throw new LightStoreError('the light store names no tip it holds', 'CORRUPT')
    this.main = this.branchIds(tip)
    this.evict()
  }

  private workOf(header: Header): bigint {
    return (this.options.work ?? powWork)(header)
  }

  /** Main-chain headers below this height, the genesis aside, are not held (in memory): no batch attaches there. */
  get floorHeight(): number {
    return this.floor
  }

  /** The anchor of a chain started from a proof, if any. */
  get anchor(): LightEntry | undefined {
    return this.anchorId === undefined ? undefined : this.entries.get(this.anchorId)
  }

  get tip(): LightEntry {
    return this.entries.get(this.main[this.main.length - 1] as string) as LightEntry
  }

  /** Headers held in memory, every branch. */
  get size(): number {
    return this.entries.size
  }

  get(id: string): LightEntry | undefined {
    return this.entries.get(id)
  }

  /** The main-chain header at `height`, if the tip is that high. */
  mainAt(height: number): LightEntry | undefined {
    const id = this.main[height]
    return id === undefined ? undefined : this.entries.get(id)
  }

  onMain(id: string): boolean {
    const entry = this.entries.get(id)
    return entry !== undefined && this.main[entry.height] === id
  }

  /** Calls `listener` after every tip change (after the change is on disk). */
  onTipChange(listener: TipListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The header at `height` on the branch ending at `entry` (none above it). */
  ancestorOf(entry: LightEntry, height: number): LightEntry | undefined {
    if (height > entry.height || height < 0) return undefined
    let at: LightEntry | undefined = entry
    // Walk back until the branch meets the main chain, then index by height.
    while (at && at.height > height && !this.onMain(at.id)) at = this.entries.get(at.header.parentId)
    if (!at) return undefined
    if (at.height === height) return at
    return this.mainAt(height)
  }

  /**
   * Verifies `headers` (consecutive, the first one's parent stored) against
   * that parent and its branch, then stores them and moves the tip if their
   * branch now has the most work. Throws LightProofError for a run that does
   * not verify (nothing is stored) and LightStoreError when the first
   * header's parent is not stored.
   */
  add(headers: readonly Header[]): Promise<AddResult> {
    const run = this.queue.then(() => this.addNow(headers))
    this.queue = run.catch(() => undefined)
    return run
  }

  /**
   * Proof of stake: stores `headers`, which pos-verify.ts verified on our tip
   * (linked, and committed by ⅔+ of the set it trusted), with `nextSetRecord`,
   * the set that signs the height after the last, in the same batch. The run
   * must extend the tip: a committed header is final, so there is no fork to
   * choose, and the stored set belongs to the tip. Throws LightStoreError
   * NOT_ON_TIP otherwise (nothing is stored).
   */
  addCommitted(headers: readonly Header[], nextSetRecord: Uint8Array): Promise<AddResult> {
    const run = this.queue.then(() => this.addNow(headers, nextSetRecord))
    this.queue = run.catch(() => undefined)
    return run
  }

  /** Proof of stake: the record addCommitted stored last, if any. */
  async posSetRecord(): Promise<Uint8Array | undefined> {
    return this.kv.get(lightKeys.posSet)
  }

  private async addNow(headers: readonly Header[], nextSetRecord?: Uint8Array): Promise<AddResult> {
    const first = headers[0]
    if (!first) throw new RangeError('no headers to add')
    if (nextSetRecord !== undefined && first.parentId !== this.tip.id) {
      throw new LightStoreError(
        `a committed run must extend the tip ${this.tip.id} at ${this.tip.height}; ${first.id} at ${first.height} follows ${first.parentId}`,
        'NOT_ON_TIP',
      )
    }
    const parent = this.entries.get(first.parentId)
    if (!parent) {
      throw new LightStoreError(`the parent of ${first.id} at ${first.height} is not stored`, 'PARENT_MISSING')
    }
    if (nextSetRecord === undefined) {
      verifyHeaderChain(headers, this.params, {
        parent: parent.header,
        ancestor: (height) => this.ancestorOf(parent, height)?.header,
        nowMs: this.options.clock?.nowMs(),
      })
    }
    const ops: BatchOp[] = []
    if (nextSetRecord !== undefined) ops.push({ type: 'put', key: lightKeys.posSet, value: nextSetRecord })
    const fresh: LightEntry[] = []
    let last = parent
    for (const header of headers) {
      const known = this.entries.get(header.id)
      if (known) {
        last = known
        continue
      }
      last = entryOf(header, last.totalWork + this.workOf(header))
      fresh.push(last)
      ops.push({ type: 'put', key: lightKeys.header(header.hash), value: encodeEntry(last) })
    }
    const previous = this.tip
    const tipChanged = last.totalWork > previous.totalWork
    let nextMain = this.main
    let reorged = false
    if (tipChanged) {
      for (const e of fresh) this.entries.set(e.id, e)
      const branch = this.branchIds(last)
      let fork = 0
      while (fork < branch.length && fork < this.main.length && branch[fork] === this.main[fork]) fork++
      reorged = fork < this.main.length
      for (let h = fork; h < branch.length; h++) {
        const id = branch[h]
        if (id === undefined) continue // below the anchor
        ops.push({ type: 'put', key: lightKeys.main(h), value: (this.entries.get(id) as LightEntry).header.hash })
      }
      for (let h = branch.length; h < this.main.length; h++) ops.push({ type: 'del', key: lightKeys.main(h) })
      ops.push({ type: 'put', key: lightKeys.tip, value: last.header.hash })
      nextMain = branch
    }
    try {
      await this.kv.batch(ops, { sync: tipChanged })
    } catch (err) {
      for (const e of fresh) this.entries.delete(e.id)
      throw err
    }
    for (const e of fresh) this.entries.set(e.id, e)
    this.main = nextMain
    const tip = this.tip
    if (tipChanged) {
      this.evict()
      for (const listener of this.listeners) listener(tip, previous)
    }
    return { added: fresh.length, last, tip, tipChanged, reorged }
  }

  /**
   * Starts the chain again from `headers` (consecutive, the last one a tip a
   * FlyClient proof showed with `totalWork`, the chain's work up to it
   * inclusive): they are checked among themselves (links, proof of work,
   * retargets and median times they hold the inputs of) and stored with the
   * work the proof showed, the first one as the anchor; every other header but
   * the genesis is dropped. Only a chain of more work than our tip is adopted.
   * Throws LightProofError for a run that does not verify, and
   * LightStoreError when it does not carry more work.
   */
  adoptProven(headers: readonly Header[], totalWork: bigint): Promise<AddResult> {
    const run = this.queue.then(() => this.adoptNow(headers, totalWork))
    this.queue = run.catch(() => undefined)
    return run
  }

  private async adoptNow(headers: readonly Header[], totalWork: bigint): Promise<AddResult> {
    const first = headers[0]
    const lastHeader = headers[headers.length - 1]
    if (!first || !lastHeader) throw new RangeError('no headers to adopt')
    if (first.height < 1) throw new RangeError('the genesis is not adopted')
    verifyHeaderChain(headers, this.params, { nowMs: this.options.clock?.nowMs() })
    const previous = this.tip
    if (totalWork <= previous.totalWork) {
      throw new LightStoreError(
        `the proven work ${totalWork} is not more than our tip's ${previous.totalWork}`,
        'NOT_MORE_WORK',
      )
    }
    // Total work of each header, down from the tip's.
    const fresh: LightEntry[] = new Array(headers.length)
    let work = totalWork
    for (let i = headers.length - 1; i >= 0; i--) {
      const header = headers[i] as Header
      fresh[i] = entryOf(header, work)
      work -= this.workOf(header)
    }
    if (work < this.genesis.totalWork)
      throw new LightStoreError('the proven work is less than the headers carry', 'NOT_MORE_WORK')
    const ops: BatchOp[] = []
    for (const key of await mainChainKeys(this.kv)) {
      if (key[0] === lightKeys.HEADER && !equalBytes(key.subarray(1), this.genesis.header.hash))
        ops.push({ type: 'del', key })
      else if (key[0] === lightKeys.MAIN && !equalBytes(key, lightKeys.main(0))) ops.push({ type: 'del', key })
    }
    for (const e of fresh) {
      ops.push({ type: 'put', key: lightKeys.header(e.header.hash), value: encodeEntry(e) })
      ops.push({ type: 'put', key: lightKeys.main(e.height), value: e.header.hash })
    }
    ops.push({ type: 'put', key: lightKeys.anchor, value: first.hash })
    ops.push({ type: 'put', key: lightKeys.tip, value: lastHeader.hash })
    await this.kv.batch(ops, { sync: true })
    this.entries.clear()
    this.entries.set(this.genesis.id, this.genesis)
    for (const e of fresh) this.entries.set(e.id, e)
    this.anchorId = first.id
    const main: string[] = new Array(lastHeader.height + 1)
    main[0] = this.genesis.id
    for (const e of fresh) main[e.height] = e.id
    this.main = main
    this.floor = first.height
    this.evict()
    const tip = this.tip
    for (const listener of this.listeners) listener(tip, previous)
    return { added: fresh.length, last: tip, tip, tipChanged: true, reorged: true }
  }

  /** Drops from memory the headers below the window (they stay in the KvStore), side branches there with them. */
  private evict(): void {
    const window = this.options.memoryWindow ?? LIGHT_MEMORY_WINDOW
    const below = this.tip.height - window
    if (below <= this.floor) return
    for (let h = this.floor; h < below; h++) {
      const id = this.main[h]
      if (id !== undefined && id !== this.anchorId) this.entries.delete(id)
    }
    this.floor = below
    if (this.entries.size > window + 1 + (this.anchorId ? 1 : 0) + 64) {
      for (const [id, entry] of this.entries) {
        if (entry.height > 0 && entry.height < below && id !== this.anchorId) this.entries.delete(id)
      }
    }
  }

  /** Ids from genesis to `entry` along its branch. */
  private branchIds(entry: LightEntry): string[] {
    const ids: string[] = new Array(entry.height + 1)
    let at: LightEntry | undefined = entry
    while (at) {
      // Shares the main chain below here: copy it instead of walking every parent.
      if (at.height < this.main.length && this.main[at.height] === at.id) {
        for (let h = at.height; h >= 0; h--) ids[h] = this.main[h] as string
        return ids
      }
      ids[at.height] = at.id
      if (at.height === 0) return ids
      if (at.id === this.anchorId) {
        ids[0] = this.genesis.id
        return ids
      }
      at = this.entries.get(at.header.parentId)
    }
    throw new LightStoreError(`the branch of ${entry.id} does not reach the genesis`, 'NO_PATH_TO_GENESIS')
  }

  async close(): Promise<void> {
    await this.queue
    await this.kv.close()
  }
}

function powWork(header: Header): bigint {
  return workOf(header.target)
}
