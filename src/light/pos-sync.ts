/**
 * A light node's header sync on a proof-of-stake chain: from the set it
 * trusts (the genesis set, then each set a verified epoch end committed to),
 * it asks full peers for runs of headers within the trusted set's epoch with
 * the commit of each run's last header (LightClient.posRun, verified by
 * pos-verify.ts), and stores each verified run with the set that signs the
 * height after it (LightHeaderStore.addCommitted), so a restart resumes from
 * the same trust. The head is the newest header with a verified commit.
 *
 * Runs are one at a time, one peer after another (`poke` queues a peer). A
 * peer whose answer does not verify is charged by the client and its run
 * ends; the next poked peer is asked from the same trust, as the PoW path
 * (header-sync.ts) does.
 */
import type { Validator } from '../consensus/bft/validators.js'
import { decodeEpochRecord } from '../consensus/pos/epoch-record.js'
import { ValidatorSet } from '../consensus/pos/validator-set.js'
import type { PeerIdString } from '../net/network.js'
import type { LightClient } from './client.js'
import type { LightHeaderStore } from './header-store.js'
import { LIGHT_HEADERS_MAX } from './limits.js'
import { genesisTrust, type PosRules, type PosTrust } from './pos-verify.js'

export interface PosHeaderSyncDeps {
  store: LightHeaderStore
  client: Pick<LightClient, 'posRun'>
  rules: PosRules
  /** The genesis set (consensus/pos/genesis-set.ts genesisValidators). */
  genesisValidators: readonly Validator[]
  log?(msg: string, fields?: Record<string, unknown>): void
}

export interface PosHeaderSyncOptions {
  /** Headers per request (at most the protocol's 2,000; a run also stops at its epoch's end). */
  batch: number
  /** Runs with one peer in one go, at most. */
  requestsMax: number
}

export const DEFAULT_POS_HEADER_SYNC_OPTIONS: PosHeaderSyncOptions = { batch: LIGHT_HEADERS_MAX, requestsMax: 1_000 }

/** How a run with one peer ended. */
export type PosSyncOutcome =
  | { kind: 'done'; peer: PeerIdString; added: number }
  | { kind: 'dropped'; peer: PeerIdString; added: number; code: string; reason: string }

/** Most outcomes kept for logs and tests. */
const OUTCOMES_MAX = 32

export class PosHeaderSync {
  private readonly options: PosHeaderSyncOptions
  private readonly wanted = new Set<PeerIdString>()
  private running: Promise<void> | undefined
  private current: PeerIdString | null = null
  private stopped = false
  readonly outcomes: PosSyncOutcome[] = []

  private constructor(
    private readonly deps: PosHeaderSyncDeps,
    private trust: PosTrust,
    options: Partial<PosHeaderSyncOptions>,
  ) {
    this.options = { ...DEFAULT_POS_HEADER_SYNC_OPTIONS, ...options }
  }

  /** Resumes from the store's tip and the set it stored with it, or starts from the genesis set. */
  static async open(deps: PosHeaderSyncDeps, options: Partial<PosHeaderSyncOptions> = {}): Promise<PosHeaderSync> {
    const { store } = deps
    const record = store.tip.height === 0 ? undefined : await store.posSetRecord()
    const trust = record
      ? { header: store.tip.header, nextSet: ValidatorSet.create(decodeEpochRecord(record)) }
      : genesisTrust(store.genesis.header, deps.genesisValidators)
    return new PosHeaderSync(deps, trust, options)
  }

  /** The newest header with a verified commit, and the set that signs the next height. */
  get trusted(): PosTrust {
    return this.trust
  }

  /** The peer of the run in progress; null when idle. */
  progress(): { peer: PeerIdString | null } {
    return { peer: this.current }
  }

  /** Queues a run with `peer`; resolves when the queue it joined is drained. */
  poke(peer: PeerIdString): Promise<void> {
    if (this.stopped) return Promise.resolve()
    this.wanted.add(peer)
    this.running ??= this.drain().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wanted.clear()
    await this.running
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const peer = this.wanted.values().next().value as PeerIdString | undefined
      if (peer === undefined) return
      this.wanted.delete(peer)
      this.current = peer
      try {
        const outcome = await this.syncFrom(peer)
        this.outcomes.push(outcome)
        if (this.outcomes.length > OUTCOMES_MAX) this.outcomes.shift()
        if (outcome.kind === 'dropped') this.deps.log?.('light pos sync: peer dropped', { ...outcome })
      } catch (err) {
        this.deps.log?.('light pos sync: run failed', { peer, error: (err as Error).stack ?? String(err) })
      } finally {
        this.current = null
      }
    }
  }

  /** Follows `peer`'s chain, run by run, until it has nothing past our trust. */
  async syncFrom(peer: PeerIdString): Promise<PosSyncOutcome> {
    let added = 0
    for (let requests = 0; requests < this.options.requestsMax; requests++) {
      if (this.stopped) break
      const answer = await this.deps.client.posRun(peer, this.trust, this.options.batch, this.deps.rules)
      if (!answer.ok) {
        if (answer.kind === 'unavailable') return { kind: 'done', peer, added }
        // the client charged what deserved it
        return { kind: 'dropped', peer, added, code: answer.code, reason: answer.message }
      }
      const { headers, trust, nextSetRecord } = answer.value
      const result = await this.deps.store.addCommitted(headers, nextSetRecord)
      added += result.added
      this.trust = trust
    }
    return { kind: 'done', peer, added }
  }
}
