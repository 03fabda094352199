/**
 * What operators see of the validators of a proof-of-stake chain: missed
 * votes over a window of recent commits, read from the commits stored with
 * the blocks, and kept up to date on each head change, so `pos_validators`,
 * the metrics and the dashboard never re-read a window of commits per call.
 *
 * The window is W = min(genesis.pos.downtimeWindow, 1000) heights (the
 * heights available when the chain is shorter). Missed counts live in
 * consensus/pos/downtime.ts's DowntimeTracker: one bitset of W bits per
 * validator of the recent sets, so memory is bounded by
 * validators · W / 8 bytes (at most 125 KiB for 1000 × 1000). At start the
 * last W commits are read once; afterwards each new head reads the commits of
 * the heights it adds (all of them, at most W, however many a sync connects).
 *
 * Heights are recorded one at a time in order, behind one queue, so head
 * changes that arrive while a read is under way are never lost nor recorded
 * twice. Observers hear each height recorded after start (not those read at
 * start), with the round its commit was decided in.
 */
import type { Chain } from '../chain/chain.js'
import { decodeCommit } from '../consensus/bft/commit.js'
import { type CommitParticipation, DowntimeTracker } from '../consensus/pos/downtime.js'
import type { PosEngine } from '../consensus/pos/engine.js'

/** The most heights the missed-vote window covers, whatever the genesis says. */
export const MISSED_WINDOW_MAX = 1000

/** A committed height, as recorded. */
export interface CommittedHeight {
  height: number
  /** The round its commit was decided in (0 when the block has no stored commit). */
  round: number
  /** Validators of its set whose precommit is not in its commit. */
  missed: number
}

export interface ValidatorStatsDeps {
  chain: Pick<Chain, 'head' | 'index' | 'getCommit' | 'onHeadChange'>
  engine: Pick<PosEngine, 'schedule'>
  /** Heights in the window (1 … MISSED_WINDOW_MAX): genesis.pos.downtimeWindow, capped. */
  window: number
  /** A read or decode failure (our store's fault): logged by the caller; the height counts as fully signed. */
  onError?: (err: unknown, height: number) => void
}

/** The window of a genesis: min(downtimeWindow, MISSED_WINDOW_MAX), or MISSED_WINDOW_MAX without PoS params. */
export function missedWindowOf(genesis: { pos?: { downtimeWindow: number } }): number {
  return Math.min(genesis.pos?.downtimeWindow ?? MISSED_WINDOW_MAX, MISSED_WINDOW_MAX)
}

export class ValidatorStats {
  readonly window: number
  #tracker: DowntimeTracker
  /** The last height recorded; 0: none yet (genesis has no commit). */
  #recorded = 0
  /** Heights recorded in the tracker's current window (≤ window). */
  #heights = 0
  #queue: Promise<void> = Promise.resolve()
  readonly #observers = new Set<(height: CommittedHeight) => void>()
  #unsubscribe: (() => void) | undefined

  private constructor(private readonly deps: ValidatorStatsDeps) {
    if (!Number.isSafeInteger(deps.window) || deps.window < 1 || deps.window > MISSED_WINDOW_MAX) {
      throw new RangeError(`a missed-vote window is 1 … ${MISSED_WINDOW_MAX} heights, got ${deps.window}`)
    }
    this.window = deps.window
    this.#tracker = new DowntimeTracker(deps.window, deps.window)
  }

  /** Reads the last `window` commits, then follows the head. */
  static async open(deps: ValidatorStatsDeps): Promise<ValidatorStats> {
    const stats = new ValidatorStats(deps)
    stats.#unsubscribe = deps.chain.onHeadChange((change) => {
      stats.#enqueue(change.disconnectedCount > 0, true)
    })
    stats.#enqueue(false, false)
    await stats.#queue
    return stats
  }

  /** The last height recorded (the head, once the queue is drained). */
  get recordedHeight(): number {
    return this.#recorded
  }

  /** Heights the missed counts cover now: min(window, heights recorded since genesis). */
  get coveredHeights(): number {
    return this.#heights
  }

  /** Commits of the last `coveredHeights` heights without `address`'s precommit; 0 for a validator never seen. */
  missed(address: Uint8Array): number {
    return this.#tracker.missedCount(address)
  }

  /** Hears each height recorded after start, in order. */
  onHeight(listener: (height: CommittedHeight) => void): () => void {
    this.#observers.add(listener)
    return () => this.#observers.delete(listener)
  }

  /** Resolves once every head change heard so far is recorded. */
  settled(): Promise<void> {
    return this.#queue
  }

  close(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
  }

  #enqueue(reset: boolean, notify: boolean): void {
    this.#queue = this.#queue.then(() => this.#catchUp(reset, notify)).catch((err) => this.deps.onError?.(err, -1))
  }

  /** Records every height from the last recorded one up to the head (only the last `window` of them). */
  async #catchUp(reset: boolean, notify: boolean): Promise<void> {
    const head = this.deps.chain.head.height
    // A chain that went back (never under BFT finality, but the tracker must not drift), or a gap
    // wider than the window: start a fresh window on the last `window` heights.
    if (reset || head < this.#recorded || head - this.#recorded > this.window) {
      this.#tracker = new DowntimeTracker(this.window, this.window)
      this.#recorded = Math.max(0, head - this.window)
      this.#heights = 0
    }
    for (let height = this.#recorded + 1; height <= head; height++) {
      const committed = await this.#record(height)
      this.#recorded = height
      this.#heights = Math.min(this.window, this.#heights + 1)
      if (notify && committed) for (const listener of this.#observers) listener(committed)
    }
  }

  async #record(height: number): Promise<CommittedHeight | undefined> {
    const { chain, engine } = this.deps
    const set = engine.schedule.setAt(height)
    const signed = new Uint8Array(set.size)
    let round = 0
    let known = false
    try {
      const entry = chain.index.mainAt(height)
      const bytes = entry && (await chain.getCommit(entry.id))
      if (bytes) {
        const commit = decodeCommit(bytes, set.size)
        for (const sig of commit.signatures) if (sig.validatorIndex < set.size) signed[sig.validatorIndex] = 1
        round = commit.round
        known = true
      }
    } catch (err) {
      this.deps.onError?.(err, height)
    }
    const participants: CommitParticipation[] = []
    let missed = 0
    for (let i = 0; i < set.size; i++) {
      const didSign = !known || signed[i] === 1
      if (!didSign) missed++
      participants.push({ address: set.validator(i).address, signed: didSign })
    }
    this.#tracker.recordCommit(height, participants)
    return known ? { height, round, missed } : undefined
  }
}
