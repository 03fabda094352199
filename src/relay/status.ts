/**
 * The status handshake on every new connection: each side sends its chain id,
 * genesis, head and role and gets the other's back. A peer on another chain
 * (or one that does not speak our chain's status protocol at all, unless it
 * is a stock IPFS node fetching our files over Bitswap) is discouraged,
 * so it is disconnected and never redialed; a peer whose head has more work
 * than ours is reported to `onPeerAhead` listeners (sync follows it). Heads
 * stay current after the handshake through `updateHead` (blocks a peer
 * gossips to us).
 *
 * A claimed head is believed only tentatively: it may start a sync, and sync
 * checks it against the peer's headers. A peer whose headers fall short of
 * its claim is refuted (`refuteClaim`): from then on only work it has proven
 * (blocks it gossiped that we accepted) counts, and a later handshake of the
 * same peer starts no sync. Status requests are rate limited per peer; a peer
 * past its quota is refused and charged. A completed exchange (either side
 * asking, same chain) is reported to the network, which cuts peers that never
 * complete one (the status deadline).
 */
import { decodeStatus, encodeStatus, type StatusFields } from '../ledger/codec/wire-codec.js'
import { isVerifyError } from '../ledger/errors.js'
import {
  type NetworkEvents,
  type PeerIdString,
  RequestError,
  type RequestHandler,
  type RequestLimits,
} from '../net/network.js'
import { bigintToBytes, bytesToBigint, toHex } from '../util/bytes.js'
import type { Clock } from '../util/clock.js'
import type { Timers } from '../util/timers.js'
import { type BucketRate, KeyedBuckets } from '../util/token-bucket.js'
import { statusProtocol } from './topics.js'

/**
 * What a node tells its peers it does. Informational, but for one rule: a
 * `light` peer (headers only) is never followed by sync. The handshake
 * accepts any role string (a newer peer may name a role we do not know), so
 * a validator is greeted like any node.
 */
export type Role = 'full' | 'miner' | 'validator' | 'light'

/** A peer's head with more work than ours: sync should follow it. */
export type PeerAheadListener = (peer: PeerIdString, status: PeerStatus) => void

export interface PeerStatus {
  chainId: string
  genesisId: string
  headId: string
  headHeight: number
  /** The work that counts: the claim while it is trusted, else what the peer has proven. */
  totalWork: bigint
  /** Work of the best block the peer gossiped that we accepted (0 until it does). */
  provenWork: bigint
  /** False once the peer's headers fell short of its claim. */
  claimTrusted: boolean
  role: string
}

export interface StatusFns {
  handle(protocol: string, handler: RequestHandler, limits: RequestLimits): Promise<void>
  request(peer: PeerIdString, protocol: string, request: Uint8Array, limits: RequestLimits): Promise<Uint8Array>
  /** Disconnects and refuses the peer for a while (in memory, never a permanent ban). */
  discourage(peer: PeerIdString, reason: string): void
  reportPeer(peer: PeerIdString, penalty: number, reason: string): void
  /** The status exchange with `peer` completed: the net layer stops its status deadline. */
  notePeerActivity(peer: PeerIdString, kind: 'status'): void
  /** A stock IPFS node fetching our files (Network.isContentOnlyPeer); absent: none is. */
  isContentOnlyPeer?(peer: PeerIdString): Promise<boolean>
  on<E extends keyof NetworkEvents>(event: E, listener: (detail: NetworkEvents[E]) => void): void
}

/** What the handshake reads of our chain (a light node's header store has it too). */
export interface StatusChain {
  readonly chainId: string
  readonly genesisBlock: { readonly hash: Uint8Array; readonly id: string }
  readonly head: { readonly header: { readonly hash: Uint8Array }; readonly height: number; readonly totalWork: bigint }
}

export interface StatusDeps {
  net: StatusFns
  chain: StatusChain
  clock: Clock
  timers: Timers
  log?(msg: string, fields?: Record<string, unknown>): void
}

export interface StatusOptions {
  role: Role
}

/** How long a peer of another chain keeps its connection after we answer it, so our answer arrives. */
const BAN_GRACE_MS = 500

export const STATUS_LIMITS: RequestLimits = { requestBytesMax: 512, responseBytesMax: 512, timeoutMs: 5_000 }

/** Status requests served per peer: one per connection is the protocol, a few reconnects are fine. */
export const STATUS_REQUEST_RATE: BucketRate = { capacity: 4, ratePerSec: 1 / 10 }
/** What a status request past the quota costs its sender (refused too). */
export const STATUS_OVER_QUOTA_PENALTY = 5
/** Refuted peers remembered (past their disconnect), so a reconnect does not renew their claim. */
export const REFUTED_PEERS_MAX = 1024

/** A status request past the peer's quota: refused (the stream is reset). */
export class StatusRateLimited extends Error {
  override readonly name = 'StatusRateLimited'
}

export class WrongChainError extends Error {
  override readonly name = 'WrongChainError'
}

/** decodeStatus has checked headHeight is within 2^53 - 1, so Number() is exact. */
function fromFields(f: StatusFields): PeerStatus {
  return {
    chainId: f.chainId,
    genesisId: toHex(f.genesisHash),
    headId: toHex(f.headHash),
    headHeight: Number(f.headHeight),
    totalWork: bytesToBigint(f.totalWork),
    provenWork: 0n,
    claimTrusted: true,
    role: f.role,
  }
}

export class StatusExchange {
  private readonly statuses = new Map<PeerIdString, PeerStatus>()
  private readonly aheadListeners = new Set<PeerAheadListener>()
  /** Peers whose claim their headers refuted, oldest first. */
  private readonly refuted = new Set<PeerIdString>()
  /** Peers of another chain answered and banned after BAN_GRACE_MS: the timer and the reason. */
  private readonly pendingBans = new Map<PeerIdString, { timer: unknown; reason: string }>()
  private readonly requestQuota: KeyedBuckets<PeerIdString>
  private readonly protocol: string
  private readonly net: StatusFns
  private readonly chain: StatusChain

  constructor(
    private readonly deps: StatusDeps,
    private readonly options: StatusOptions,
  ) {
    this.net = deps.net
    this.chain = deps.chain
    this.protocol = statusProtocol(deps.chain.chainId)
    this.requestQuota = new KeyedBuckets(STATUS_REQUEST_RATE, deps.clock)
  }

  /** Calls `listener` when a handshake finds a peer whose head has more work than ours. */
  onPeerAhead(listener: PeerAheadListener): () => void {
    this.aheadListeners.add(listener)
    return () => this.aheadListeners.delete(listener)
  }

  ours(): StatusFields {
    const head = this.chain.head
    return {
      chainId: this.chain.chainId,
      genesisHash: this.chain.genesisBlock.hash,
      headHash: head.header.hash,
      headHeight: BigInt(head.height),
      totalWork: bigintToBytes(head.totalWork),
      role: this.options.role,
    }
  }

  /** Serves the protocol and runs the handshake on every new connection. */
  async start(): Promise<void> {
    this.net.on('peer:connect', (peer) => this.greet(peer))
    this.net.on('peer:disconnect', (peer) => this.forget(peer))
    await this.net.handle(
      this.protocol,
      async (request, peer) => {
        if (!this.requestQuota.tryTake(peer)) {
          this.net.reportPeer(peer, STATUS_OVER_QUOTA_PENALTY, 'status requests past the quota')
          throw new StatusRateLimited(`status requests from ${peer} past ${STATUS_REQUEST_RATE.capacity} per burst`)
        }
        try {
          this.accept(peer, this.decode(peer, request), BAN_GRACE_MS)
        } catch (err) {
          // A peer of another chain still gets our status, and the ban (which hangs up) waits a
          // moment so the answer arrives: otherwise its own exchange only sees a reset stream, it
          // never learns the mismatch, and it keeps redialing us.
          if (!(err instanceof WrongChainError)) throw err
        }
        return encodeStatus(this.ours())
      },
      STATUS_LIMITS,
    )
  }

  /** Asks `peer` for its status (sending ours). Resolves undefined if it is on another chain (then banned). */
  async exchange(peer: PeerIdString): Promise<PeerStatus | undefined> {
    const response = await this.net.request(peer, this.protocol, encodeStatus(this.ours()), STATUS_LIMITS)
    try {
      return this.accept(peer, this.decode(peer, response))
    } catch (err) {
      if (err instanceof WrongChainError) return undefined
      throw err
    }
  }

  /** The handshake with a newly connected peer; a peer ahead of us is reported to the listeners. */
  private greet(peer: PeerIdString): void {
    this.exchange(peer)
      .then((theirs) => {
        if (!theirs?.claimTrusted || theirs.totalWork <= this.chain.head.totalWork) return
        // A light peer holds headers only: nothing to sync from it.
        if (theirs.role === 'light') return
        for (const listener of this.aheadListeners) listener(peer, theirs)
      })
      .catch((err: unknown) => {
        if (err instanceof RequestError && err.code === 'PROTOCOL') {
          void this.refuseOtherChain(peer)
          return
        }
        this.deps.log?.('status exchange failed', { peer, error: String(err) })
      })
  }

  /**
   * A peer that does not speak our chain's status protocol is on another
   * chain id, unless it is a stock IPFS node fetching our files (it speaks
   * Bitswap and no peerchain protocol): that one is left connected.
   */
  private async refuseOtherChain(peer: PeerIdString): Promise<void> {
    if (await this.net.isContentOnlyPeer?.(peer)) {
      this.deps.log?.('status: an IPFS peer (Bitswap only): no handshake asked of it', { peer })
      return
    }
    this.net.discourage(peer, 'does not speak this chain id')
  }

  statusOf(peer: PeerIdString): PeerStatus | undefined {
    return this.statuses.get(peer)
  }

  /**
   * A newer head the peer showed us after the handshake (a block it gossiped
   * that we accepted, so its work is proven); a stale one is ignored.
   */
  updateHead(peer: PeerIdString, headHeight: number, totalWork: bigint, headId: string): void {
    const s = this.statuses.get(peer)
    if (!s) return
    const provenWork = totalWork > s.provenWork ? totalWork : s.provenWork
    if (totalWork > s.totalWork) this.statuses.set(peer, { ...s, headHeight, totalWork, headId, provenWork })
    else this.statuses.set(peer, { ...s, provenWork })
  }

  /**
   * The peer's headers fell short of its claimed work: only its proven work
   * counts from now on, also after a reconnect. (Sync charges it.)
   */
  refuteClaim(peer: PeerIdString): void {
    this.refuted.delete(peer)
    this.refuted.add(peer)
    if (this.refuted.size > REFUTED_PEERS_MAX) this.refuted.delete(this.refuted.values().next().value as string)
    const s = this.statuses.get(peer)
    if (s) this.statuses.set(peer, distrusted(s))
  }

  forget(peer: PeerIdString): void {
    this.statuses.delete(peer)
    // A peer of another chain that hung up within its grace is banned now, so it cannot come back meanwhile.
    const pending = this.pendingBans.get(peer)
    if (pending === undefined) return
    this.deps.timers.clearTimeout(pending.timer)
    this.banNow(peer, pending.reason)
  }

  private banNow(peer: PeerIdString, reason: string): void {
    this.pendingBans.delete(peer)
    this.net.discourage(peer, reason)
  }

  private decode(peer: PeerIdString, bytes: Uint8Array): PeerStatus {
    try {
      return fromFields(decodeStatus(bytes))
    } catch (err) {
      if (isVerifyError(err)) this.net.reportPeer(peer, err.penalty, err.code)
      throw err
    }
  }

  private accept(peer: PeerIdString, status: PeerStatus, banDelayMs = 0): PeerStatus {
    if (status.chainId !== this.chain.chainId || status.genesisId !== this.chain.genesisBlock.id) {
      const reason = `wrong chain: ${status.chainId} / genesis ${status.genesisId.slice(0, 16)}`
      if (banDelayMs === 0) this.net.discourage(peer, reason)
      else if (!this.pendingBans.has(peer)) {
        const timer = this.deps.timers.setTimeout(() => this.banNow(peer, reason), banDelayMs)
        this.pendingBans.set(peer, { timer, reason })
      }
      throw new WrongChainError(reason)
    }
    const kept = this.refuted.has(peer) ? distrusted(status) : status
    this.statuses.set(peer, kept)
    // Either direction completes the handshake: the peer is ours, its status deadline stops.
    this.net.notePeerActivity(peer, 'status')
    return kept
  }
}

/** A status whose claim is not believed: its work is what the peer has proven. */
function distrusted(s: PeerStatus): PeerStatus {
  return { ...s, claimTrusted: false, totalWork: s.provenWork }
}
