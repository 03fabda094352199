/**
 * Dandelion++ transaction relay: txs that originate here, and stem txs
 * peers relay to us, travel a stem of single hops over the stem protocol
 * (stem-codec.ts) before they are fluffed into gossip, so the first node to
 * gossip a tx is most likely not its sender.
 *
 * A stem tx arriving from a peer is rate limited per peer, decoded strictly,
 * validated as a mempool admission would (without admitting it), kept in the
 * private stem pool (stem-pool.ts) with an embargo timer (embargo.ts), and
 * answered at once; then it goes where the router (routing.ts) says: on to
 * the relay of its inbound edge, or into gossip when we diffuse this epoch.
 * A stem tx we already hold came round a loop: it is fluffed. A next hop that
 * refuses or cannot be reached is dropped from the epoch's relays and the tx
 * tries the other route once (STEM_FORWARD_ATTEMPTS_MAX), then is fluffed.
 * A tx leaves the stem pool when it is fluffed (by us, through the embargo or
 * a fallback) or seen in gossip (`seenInGossip`).
 *
 * Time, timers, randomness and the network come from outside: the simulator
 * drives this class as the node does (src/sim/dandelion/).
 */
import { isVerifyError, VerifyError } from '../../ledger/errors.js'
import type { Tx } from '../../ledger/tx.js'
import type { TxStatus } from '../../mempool/entry.js'
import type { PeerIdString, RequestHandler, RequestLimits } from '../../net/network.js'
import type { Clock } from '../../util/clock.js'
import type { Rng } from '../../util/rng.js'
import type { Timers } from '../../util/timers.js'
import { type BucketRate, KeyedBuckets } from '../../util/token-bucket.js'
import { EMBARGO_MEAN_MS, EmbargoTimers } from './embargo.js'
import { StemError } from './errors.js'
import { type StemRoute, StemRouter } from './routing.js'
import { decodeStemAnswer, encodeStemAnswer, STEM_LIMITS, stemProtocol } from './stem-codec.js'
import { STEM_POOL_BYTES_MAX, STEM_POOL_TXS_MAX, StemPool } from './stem-pool.js'

/** Stem txs a peer may send: a burst of `capacity`, then `ratePerSec`. */
export const STEM_REQUEST_RATE: BucketRate = Object.freeze({ capacity: 32, ratePerSec: 8 })
/** Charged for each stem tx past the bucket (refused too). */
export const STEM_OVER_RATE_PENALTY = 5
/** Hops a stem tx is offered to before we fluff it ourselves: its route, then one fallback. */
export const STEM_FORWARD_ATTEMPTS_MAX = 2

/** Why a stem tx was fluffed here. */
export type FluffReason = 'diffuser' | 'embargo' | 'fallback' | 'loop' | 'pool-full' | 'no-relay'

/** The slice of the network the stem needs. */
export interface StemNetFns {
  handle(protocol: string, handler: RequestHandler, limits: RequestLimits): Promise<void>
  request(peer: PeerIdString, protocol: string, request: Uint8Array, limits: RequestLimits): Promise<Uint8Array>
  /** Our outbound peers: the stem relay candidates. */
  outboundPeers(): readonly PeerIdString[]
  reportPeer(peer: PeerIdString, penalty: number, reason: string): void
}

/** The slice of the ledger the stem needs. */
export interface StemLedgerFns {
  /** The strict tx decoder with the chain's cap; throws DecodeError. */
  decodeTx(bytes: Uint8Array): Tx
  /** The mempool's admission rules without admitting (Mempool.check); throws VerifyError. */
  check(tx: Tx): Promise<TxStatus>
  /** The tx is public already (in the mempool): there is nothing left to hide. */
  isPublic(id: string): boolean
  /** Fluff: admit to the mempool and publish on the tx topic. Throws VerifyError if the tx went stale meanwhile. */
  fluff(tx: Tx, own: boolean): Promise<void>
}

export interface DandelionHooks {
  onStemTx?(own: boolean): void
  onFluff?(reason: FluffReason, txId: string): void
  onEmbargoFire?(txId: string): void
  log?(msg: string, fields?: Record<string, unknown>): void
}

export interface DandelionOptions {
  chainId: string
  /** Per-epoch diffuser probability (default 10%). */
  fluffProbability?: number
  /** Mean embargo per stem tx (default EMBARGO_MEAN_MS). */
  embargoMeanMs?: number
  /** Routing epoch (default DANDELION_EPOCH_MS). */
  epochMs?: number
  poolTxsMax?: number
  poolBytesMax?: number
  /**
   * Tests only (PEERCHAIN_TEST_STEM_FAULT=drop): answer every stem tx
   * accepted and drop it, holding nothing and starting no embargo: a next hop
   * that takes a stem and loses it, so the integration test can check that
   * the upstream embargo covers it.
   */
  dropStems?: boolean
}

export interface DandelionTime {
  clock: Clock
  timers: Timers
  rng: Rng
}

/** What a local submission answers (the shape of the mempool's AddResult). */
export interface StemSubmitResult {
  id: string
  status: TxStatus
  droppedIds: string[]
}

export interface DandelionCounts {
  /** Txs taken into the stem pool (ours and relayed). */
  stemTxs: number
  /** Stem txs this node fluffed, for any reason. */
  fluffs: number
  embargoFires: number
}

export class DandelionRelay {
  readonly router: StemRouter
  readonly pool: StemPool
  private readonly embargo: EmbargoTimers
  private readonly protocol: string
  private readonly quota: KeyedBuckets<PeerIdString>
  private readonly counts: DandelionCounts = { stemTxs: 0, fluffs: 0, embargoFires: 0 }
  private stopped = false
  private readonly dropStems: boolean

  constructor(
    private readonly net: StemNetFns,
    private readonly ledger: StemLedgerFns,
    private readonly time: DandelionTime,
    options: DandelionOptions,
    private readonly hooks: DandelionHooks = {},
  ) {
    this.protocol = stemProtocol(options.chainId)
    this.router = new StemRouter(
      { clock: time.clock, rng: time.rng, outboundPeers: () => net.outboundPeers() },
      { fluffProbability: options.fluffProbability, epochMs: options.epochMs },
    )
    this.pool = new StemPool({
      txsMax: options.poolTxsMax ?? STEM_POOL_TXS_MAX,
      bytesMax: options.poolBytesMax ?? STEM_POOL_BYTES_MAX,
    })
    this.embargo = new EmbargoTimers(time.timers, time.rng, options.embargoMeanMs ?? EMBARGO_MEAN_MS, (id) =>
      this.onEmbargo(id),
    )
    this.quota = new KeyedBuckets(STEM_REQUEST_RATE, time.clock)
    this.dropStems = options.dropStems ?? false
  }

  get stats(): Readonly<DandelionCounts> {
    return { ...this.counts }
  }

  /** Embargo timers running (one per stem tx held). */
  get embargoesRunning(): number {
    return this.embargo.size
  }

  /** Serves the stem protocol. */
  async start(): Promise<void> {
    await this.net.handle(this.protocol, (request, peer) => this.onStemRequest(request, peer), STEM_LIMITS)
  }

  /** Ends every embargo; stem txs still held are dropped with the node. */
  stop(): void {
    this.stopped = true
    this.embargo.cancelAll()
  }

  /**
   * A tx that originates here (API, wallet): validated as an admission
   * (throws its VerifyError), held privately and sent down the stem. The
   * answer has the status the mempool would give it.
   */
  async submitOwn(tx: Tx): Promise<StemSubmitResult> {
    if (this.pool.has(tx.id)) throw duplicateStem(tx)
    const status = await this.ledger.check(tx)
    const result = { id: tx.id, status, droppedIds: [] }
    if (!this.hold(tx, true)) {
      await this.fluffNow(tx, true, 'pool-full')
      return result
    }
    const route = this.router.routeOwn()
    // No relay to stem to (a lone node): gossip at once, and answer once the tx is in our mempool, as without Dandelion.
    if (route.kind === 'fluff') await this.send(tx.id, route, undefined, 1)
    else void this.send(tx.id, route, undefined, 1)
    return result
  }

  /** The tx reached our mempool through gossip: it is public, its stem ends here without a fluff. */
  seenInGossip(id: string): void {
    if (this.pool.take(id) === undefined) return
    this.embargo.cancel(id)
  }

  /** Txs a block on our chain includes: public now, their stems end here without a fluff. */
  included(ids: Iterable<string>): void {
    for (const id of ids) this.seenInGossip(id)
  }

  /** A peer disconnected: the router replaces it if it was a relay. */
  peerGone(peer: PeerIdString): void {
    this.router.peerGone(peer)
    this.quota.delete(peer)
  }

  private async onStemRequest(request: Uint8Array, peer: PeerIdString): Promise<Uint8Array> {
    if (!this.quota.tryTake(peer)) {
      this.net.reportPeer(peer, STEM_OVER_RATE_PENALTY, 'STEM_RATE_LIMITED')
      throw new StemError('STEM_RATE_LIMITED', `stem txs from ${peer} past ${STEM_REQUEST_RATE.capacity} per burst`)
    }
    if (this.dropStems) {
      this.hooks.log?.('stem: TEST FAULT: dropping a stem tx', { peer })
      this.counts.stemTxs++
      this.hooks.onStemTx?.(false)
      return encodeStemAnswer('accepted')
    }
    let tx: Tx
    try {
      tx = this.ledger.decodeTx(request)
      if (this.ledger.isPublic(tx.id)) return encodeStemAnswer('accepted')
      if (this.pool.has(tx.id)) {
        // Routing is fixed for the epoch, so a tx we hold came round a cycle of relayers: end the stem here.
        await this.fluffHeld(tx.id, 'loop')
        return encodeStemAnswer('accepted')
      }
      await this.ledger.check(tx)
      // Another copy arrived while this one was checked (two edges of a cycle): the first one routes it.
      if (this.pool.has(tx.id) || this.ledger.isPublic(tx.id)) return encodeStemAnswer('accepted')
    } catch (err) {
      if (!isVerifyError(err)) throw err
      if (err.verdict === 'reject') this.net.reportPeer(peer, err.penalty, err.code)
      return encodeStemAnswer('refused')
    }
    if (!this.hold(tx, false)) {
      void this.fluffNow(tx, false, 'pool-full')
      return encodeStemAnswer('accepted')
    }
    const route = this.router.routeRelayed(peer)
    // Answer first: the previous hop need not wait for the rest of the stem.
    void this.send(tx.id, route, peer, 1)
    return encodeStemAnswer('accepted')
  }

  /** Into the stem pool with its embargo; false when the pool is full. */
  private hold(tx: Tx, own: boolean): boolean {
    try {
      this.pool.add(tx, own, this.time.clock.nowMs())
    } catch (err) {
      if (err instanceof StemError && err.code === 'STEM_POOL_FULL') return false
      throw err
    }
    this.embargo.start(tx.id)
    this.counts.stemTxs++
    this.hooks.onStemTx?.(own)
    return true
  }

  /** Offers a held tx to the route's next hop; on failure the router's fallback, then a fluff. */
  private async send(id: string, route: StemRoute, from: PeerIdString | undefined, attempt: number): Promise<void> {
    const entry = this.pool.get(id)
    if (entry === undefined || this.stopped) return
    if (route.kind === 'fluff') {
      await this.fluffHeld(id, from === undefined && entry.own ? 'no-relay' : 'diffuser')
      return
    }
    try {
      const answer = decodeStemAnswer(await this.net.request(route.peer, this.protocol, entry.tx.bytes, STEM_LIMITS))
      if (answer === 'accepted') return
      this.hooks.log?.('stem: next hop refused a tx', { tx: id, peer: route.peer })
    } catch (err) {
      this.hooks.log?.('stem: next hop failed', { tx: id, peer: route.peer, error: String(err) })
    }
    if (attempt >= STEM_FORWARD_ATTEMPTS_MAX) {
      await this.fluffHeld(id, 'fallback')
      return
    }
    const next = this.router.fallback(route.peer, from)
    if (next.kind === 'fluff') await this.fluffHeld(id, 'fallback')
    else await this.send(id, next, from, attempt + 1)
  }

  private onEmbargo(id: string): void {
    if (!this.pool.has(id)) return
    this.counts.embargoFires++
    this.hooks.onEmbargoFire?.(id)
    void this.fluffHeld(id, 'embargo')
  }

  /** Ends a held tx's stem: out of the stem pool, into the mempool and gossip. */
  private async fluffHeld(id: string, reason: FluffReason): Promise<void> {
    const entry = this.pool.take(id)
    if (entry === undefined) return
    this.embargo.cancel(id)
    await this.fluffNow(entry.tx, entry.own, reason)
  }

  private async fluffNow(tx: Tx, own: boolean, reason: FluffReason): Promise<void> {
    this.counts.fluffs++
    this.hooks.onFluff?.(reason, tx.id)
    try {
      await this.ledger.fluff(tx, own)
    } catch (err) {
      // Stale by now (mined, replaced, the sender's balance spent): nothing to relay.
      this.hooks.log?.('stem: fluffing a tx failed', { tx: tx.id, reason, error: String(err) })
    }
  }
}

/** A local submission of a tx already in its stem: the mempool's answer to a duplicate. */
function duplicateStem(tx: Tx): VerifyError {
  return new VerifyError('MEMPOOL_DUPLICATE', `tx ${tx.id} is already pending (in its stem)`)
}
