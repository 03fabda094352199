/**
 * The status handshake on every new connection: each side sends its chain id,
 * genesis, head and role and gets the other's back. A peer on another chain
 * (or one that does not speak our chain's status protocol at all) is banned,
 * so it is disconnected and never redialed; a peer whose head has more work
 * than ours is reported to `onPeerAhead` listeners (sync follows it). Heads
 * stay current after the handshake through `updateHead` (blocks a peer
 * gossips to us).
 */
import type { Chain } from '../chain/chain.js'
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
import type { Timers } from '../util/timers.js'
import { statusProtocol } from './topics.js'

export type Role = 'full' | 'miner' | 'light'

/** A peer's head with more work than ours: sync should follow it. */
export type PeerAheadListener = (peer: PeerIdString, status: PeerStatus) => void

export interface PeerStatus {
  chainId: string
  genesisId: string
  headId: string
  headHeight: number
  totalWork: bigint
  role: string
}

export interface StatusFns {
  handle(protocol: string, handler: RequestHandler, limits: RequestLimits): Promise<void>
  request(peer: PeerIdString, protocol: string, request: Uint8Array, limits: RequestLimits): Promise<Uint8Array>
  ban(peer: PeerIdString, reason: string): Promise<void>
  reportPeer(peer: PeerIdString, penalty: number, reason: string): void
  on<E extends keyof NetworkEvents>(event: E, listener: (detail: NetworkEvents[E]) => void): void
}

export interface StatusDeps {
  net: StatusFns
  chain: Chain
  timers: Timers
  log?(msg: string, fields?: Record<string, unknown>): void
}

export interface StatusOptions {
  role: Role
}

/** How long a peer of another chain keeps its connection after we answer it, so our answer arrives. */
const BAN_GRACE_MS = 500

export const STATUS_LIMITS: RequestLimits = { requestBytesMax: 512, responseBytesMax: 512, timeoutMs: 5_000 }

export class WrongChainError extends Error {
  override readonly name = 'WrongChainError'
}

function fromFields(f: StatusFields): PeerStatus {
  return {
    chainId: f.chainId,
    genesisId: toHex(f.genesisHash),
    headId: toHex(f.headHash),
    headHeight: Number(f.headHeight),
    totalWork: bytesToBigint(f.totalWork),
    role: f.role,
  }
}

export class StatusExchange {
  private readonly statuses = new Map<PeerIdString, PeerStatus>()
  private readonly aheadListeners = new Set<PeerAheadListener>()
  private readonly protocol: string
  private readonly net: StatusFns
  private readonly chain: Chain

  constructor(
    private readonly deps: StatusDeps,
    private readonly options: StatusOptions,
  ) {
    this.net = deps.net
    this.chain = deps.chain
    this.protocol = statusProtocol(deps.chain.chainId)
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
        if (!theirs || theirs.totalWork <= this.chain.head.totalWork) return
        for (const listener of this.aheadListeners) listener(peer, theirs)
      })
      .catch((err: unknown) => {
        if (err instanceof RequestError && err.code === 'PROTOCOL') {
          // It does not speak our chain's status protocol: another chain id.
          void this.net.ban(peer, 'does not speak this chain id')
          return
        }
        this.deps.log?.('status exchange failed', { peer, error: String(err) })
      })
  }

  statusOf(peer: PeerIdString): PeerStatus | undefined {
    return this.statuses.get(peer)
  }

  /** A newer head the peer showed us after the handshake (a block it gossiped); a stale one is ignored. */
  updateHead(peer: PeerIdString, headHeight: number, totalWork: bigint, headId: string): void {
    const s = this.statuses.get(peer)
    if (s && totalWork > s.totalWork) this.statuses.set(peer, { ...s, headHeight, totalWork, headId })
  }

  forget(peer: PeerIdString): void {
    this.statuses.delete(peer)
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
      if (banDelayMs === 0) void this.net.ban(peer, reason)
      else this.deps.timers.setTimeout(() => void this.net.ban(peer, reason), banDelayMs)
      throw new WrongChainError(reason)
    }
    this.statuses.set(peer, status)
    return status
  }
}
