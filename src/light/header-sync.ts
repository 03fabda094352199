/**
 * A light node's header sync: it asks full peers for main-chain headers by
 * height (the light protocol's HeadersRequest), checks each batch twice —
 * the client checks the batch's own links and proof of work, then the store
 * checks it against the stored parent it names (retarget and median time
 * with the parent's branch) — and keeps the most-work chain. It never asks
 * for a body.
 *
 * From one peer, `syncFrom` continues the branch it last followed there
 * (first our tip): a batch from the next height whose first header names a
 * parent we do not hold is a fork further down, not a lie, so it steps back
 * (16, 32, 64… headers, at most `maxForkDepth`) until the peer's headers
 * meet ours. A batch that fails verification charges the peer (the client
 * for the batch itself, `badProof` here for the link to our stored parent)
 * and ends the run with it. When a peer has nothing more, the work of what
 * it served is compared with the work it claimed in its status handshake: a
 * claim its headers do not reach is charged and refuted (the status
 * exchange then believes only proven work), as full nodes' sync does.
 *
 * Runs are one at a time; `poke(peer)` queues a peer (a handshake that shows
 * more work, the follow timer, a tx proof in a block we do not hold yet).
 *
 * On a version 2 chain whose tip is still the genesis, and with a client that
 * asks for sampling proofs, the first run starts the chain from FlyClient
 * proofs instead (fly-sync.ts): it waits for a second peer's poke (up to
 * `flyDeferrals` pokes of one peer alone), asks the poked peers for proofs,
 * and downloads only the last headers below the most-work proven tip; header
 * sync then follows those peers from there. If no proof is adopted (none
 * verified, or a version 1 peer), header sync runs from the genesis as before.
 * Below the lowest header the store holds (a proven chain's anchor, or its
 * memory window) no fork is followed.
 */
import type { PeerIdString } from '../net/network.js'
import type { Clock } from '../util/clock.js'
import type { LightClient, LightPenalties } from './client.js'
import { DEFAULT_LIGHT_PENALTIES } from './client.js'
import { type FlySyncOptions, type FlySyncOutcome, flySync, wantsFlySync } from './fly-sync.js'
import type { LightEntry, LightHeaderStore } from './header-store.js'
import { LIGHT_HEADERS_MAX } from './limits.js'
import { LightProofError } from './verify.js'

export interface HeaderSyncDeps {
  store: LightHeaderStore
  /** With `flyProof`, a fresh store on a version 2 chain starts from sampling proofs (fly-sync.ts). */
  client: Pick<LightClient, 'headers'> & Partial<Pick<LightClient, 'flyProof'>>
  report(peer: PeerIdString, penalty: number, reason: string): void
  /** The work the peer claimed in its status handshake, while that claim is believed. */
  claimedWork(peer: PeerIdString): bigint | undefined
  /** Its headers fell short of its claim: believe only proven work from now on. */
  refuteClaim(peer: PeerIdString): void
  clock?: Clock
  log?(msg: string, fields?: Record<string, unknown>): void
}

export interface HeaderSyncOptions {
  /** Headers per request (at most the protocol's 2,000). */
  batch: number
  /** The deepest fork followed (as chain.max_reorg_depth): a peer whose headers meet ours no nearer is left. */
  maxForkDepth: number
  /** What a claim its headers do not reach costs the peer (sync's claimRefuted). */
  claimRefutedPenalty: number
  penalties: LightPenalties
  /** Requests in one run with one peer, at most (a peer that keeps us walking is left). */
  requestsMax: number
  /** Starting from sampling proofs (fly-sync.ts), or `false` for header sync from the genesis always. */
  fly: Partial<FlySyncOptions> | false
  /** Pokes of one peer alone put off while waiting for a second peer to ask for a proof. */
  flyDeferrals: number
}

export const DEFAULT_HEADER_SYNC_OPTIONS: HeaderSyncOptions = {
  batch: LIGHT_HEADERS_MAX,
  maxForkDepth: 10_000,
  claimRefutedPenalty: 50,
  penalties: DEFAULT_LIGHT_PENALTIES,
  requestsMax: 1_000,
  fly: {},
  flyDeferrals: 2,
}

/** How a run with one peer ended. */
export type HeaderSyncOutcome =
  /** The peer had nothing more (its work was checked against its claim). */
  | { kind: 'done'; peer: PeerIdString; added: number }
  /** The peer answered something false (charged), or stopped answering. */
  | { kind: 'dropped'; peer: PeerIdString; added: number; code: string; reason: string }

export interface HeaderSyncProgress {
  /** The peer of the run in progress; null when idle. */
  peer: PeerIdString | null
  /** When that run began (the clock's ms; 0 without a clock). */
  sinceMs: number
}

const FIRST_STEP_BACK = 16

export class HeaderSync {
  private readonly options: HeaderSyncOptions
  private readonly wanted = new Set<PeerIdString>()
  private running: Promise<void> | undefined
  private current: PeerIdString | null = null
  private sinceMs = 0
  private stopped = false
  /** What each finished run ended as, for tests and logs (last 32). */
  readonly outcomes: HeaderSyncOutcome[] = []
  /** What each attempt to start from sampling proofs ended as. */
  readonly flyOutcomes: FlySyncOutcome[] = []
  /** Peers poked while we wait to ask them for sampling proofs. */
  private readonly flyPeers = new Set<PeerIdString>()
  private flyDeferred = 0
  private flyTried = false

  constructor(
    private readonly deps: HeaderSyncDeps,
    options: Partial<HeaderSyncOptions> = {},
  ) {
    this.options = { ...DEFAULT_HEADER_SYNC_OPTIONS, ...options }
  }

  /** Queues a run with `peer`; resolves when the queue it joined is drained. */
  poke(peer: PeerIdString): Promise<void> {
    if (this.stopped) return Promise.resolve()
    this.wanted.add(peer)
    if (!this.running) this.running = this.drainAll()
    return this.running
  }

  private async drainAll(): Promise<void> {
    // Pokes of this same tick join this drain (two handshakes, before a proof is asked of both).
    await Promise.resolve()
    try {
      await this.drain()
    } finally {
      this.running = undefined
    }
    // A poke that came as the drain ended.
    if (this.wanted.size > 0 && !this.stopped) {
      this.running = this.drainAll()
      await this.running
    }
  }

  progress(): HeaderSyncProgress {
    return { peer: this.current, sinceMs: this.sinceMs }
  }

  /** Lets the run in progress finish its request, then stops. */
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
      if (this.flyWanted()) {
        this.flyPeers.add(peer)
        if (this.flyPeers.size < 2 && this.flyDeferred++ < this.options.flyDeferrals) continue
        await this.runFly()
        continue
      }
      this.current = peer
      this.sinceMs = this.deps.clock?.nowMs() ?? 0
      try {
        const outcome = await this.syncFrom(peer)
        this.outcomes.push(outcome)
        if (this.outcomes.length > 32) this.outcomes.shift()
        if (outcome.kind === 'dropped') {
          this.deps.log?.('light sync: peer dropped', { peer, code: outcome.code, reason: outcome.reason })
        }
      } catch (err) {
        // Our own failure (the store, a bug), not the peer's: logged, and the next peer is tried.
        this.deps.log?.('light sync: run failed', { peer, error: (err as Error).stack ?? String(err) })
      } finally {
        this.current = null
      }
    }
  }

  private flyWanted(): boolean {
    return (
      !this.flyTried &&
      this.options.fly !== false &&
      this.deps.client.flyProof !== undefined &&
      wantsFlySync(this.deps.store)
    )
  }

  /** Starts from the poked peers' sampling proofs, then queues them for header sync past the proven tip. */
  private async runFly(): Promise<void> {
    const peers = [...this.flyPeers]
    this.flyPeers.clear()
    this.flyTried = true
    const { flyProof, headers } = this.deps.client
    if (!flyProof) return
    this.current = peers[0] ?? null
    this.sinceMs = this.deps.clock?.nowMs() ?? 0
    try {
      const outcome = await flySync(
        {
          store: this.deps.store,
          client: { flyProof, headers },
          report: this.deps.report,
          log: this.deps.log,
        },
        peers,
        this.options.fly || {},
      )
      this.flyOutcomes.push(outcome)
      if (outcome.kind === 'none') this.deps.log?.('light sync: no sampling proof adopted', { ...outcome })
    } catch (err) {
      this.deps.log?.('light sync: sampling proofs failed', { error: (err as Error).stack ?? String(err) })
    } finally {
      this.current = null
    }
    for (const p of peers) this.wanted.add(p)
  }

  /** Follows `peer`'s main chain from our tip until it has nothing more. */
  async syncFrom(peer: PeerIdString): Promise<HeaderSyncOutcome> {
    const { store, client } = this.deps
    const { batch, maxForkDepth } = this.options
    let cursor: LightEntry = store.tip
    let back = 0
    let added = 0
    /** Whether we looked below our tip for the work the peer claimed. */
    let probed = false
    // The lowest height a batch can start at: its first header's parent must be held.
    const lowestFrom = store.floorHeight <= 1 ? 1 : store.floorHeight + 1
    for (let requests = 0; ; requests++) {
      if (this.stopped) return { kind: 'done', peer, added }
      if (requests >= this.options.requestsMax) {
        return { kind: 'dropped', peer, added, code: 'TOO_MANY_REQUESTS', reason: `${requests} requests in one run` }
      }
      const from = Math.max(lowestFrom, cursor.height + 1 - back)
      const answer = await client.headers(peer, from, batch, store.params)
      if (!answer.ok) {
        // The client charged what deserved it (a batch that does not verify, an oversize answer).
        return { kind: 'dropped', peer, added, code: answer.code, reason: answer.message }
      }
      const headers = answer.value.headers
      const first = headers[0]
      if (first === undefined) {
        if (back === 0) {
          // Nothing past `cursor`: the peer's chain ends at or below it.
          const claimed = this.deps.claimedWork(peer)
          if (claimed === undefined || claimed <= cursor.totalWork) return { kind: 'done', peer, added }
          if (probed) return this.refute(peer, added, claimed, cursor.totalWork)
          // It claimed more: a heavier fork no longer than ours, or a lie. Look below.
          probed = true
        } else if (from === 1) {
          // No header past the genesis at all.
          cursor = store.genesis
          back = 0
          probed = true
          continue
        }
        back = back === 0 ? FIRST_STEP_BACK : back * 2
      } else if (!store.get(first.parentId)) {
        if (from === 1) {
          // Height 1 must name our genesis: another chain (status said ours), or a lie.
          return this.charge(peer, added, 'HEADERS_NOT_LINKED', 'its header at height 1 does not follow our genesis')
        }
        // A fork below `from`: step back until its headers meet ours.
        back = back === 0 ? FIRST_STEP_BACK : back * 2
      } else {
        let result: Awaited<ReturnType<LightHeaderStore['add']>>
        try {
          result = await store.add(headers)
        } catch (err) {
          if (!(err instanceof LightProofError)) throw err
          return this.charge(peer, added, err.code, err.message)
        }
        added += result.added
        cursor = result.last
        back = 0
        // A short batch may still not be the end (a server's byte cap): ask on until an empty one.
        continue
      }
      if (back > 0 && lowestFrom > 1 && from === lowestFrom) {
        const reason = `its chain meets ours below the lowest header we hold (${lowestFrom - 1})`
        return { kind: 'dropped', peer, added, code: 'FORK_TOO_DEEP', reason }
      }
      if (back > 2 * maxForkDepth) {
        const reason = `its chain meets ours more than ${maxForkDepth} headers down`
        return { kind: 'dropped', peer, added, code: 'FORK_TOO_DEEP', reason }
      }
    }
  }

  /** The peer's headers end with `shown` work, less than it claimed at the handshake. */
  private refute(peer: PeerIdString, added: number, claimed: bigint, shown: bigint): HeaderSyncOutcome {
    const reason = `claimed work ${claimed} but its headers show ${shown}`
    this.deps.report(peer, this.options.claimRefutedPenalty, `light sync: ${reason}`)
    this.deps.refuteClaim(peer)
    return { kind: 'dropped', peer, added, code: 'HEADERS_LOW_WORK', reason }
  }

  private charge(peer: PeerIdString, added: number, code: string, reason: string): HeaderSyncOutcome {
    this.deps.report(peer, this.options.penalties.badProof, `light sync: ${reason}`)
    return { kind: 'dropped', peer, added, code, reason }
  }
}
