/**
 * The status handshake on every new connection: each side sends its chain id,
 * genesis, head and role and gets the other's back. A peer on another chain is
 * banned (so it is disconnected and never redialed); the heads of the others
 * tell sync whom to follow.
 */
import type { Chain } from '../chain/chain.js'
import { decodeStatus, encodeStatus, type StatusFields } from '../ledger/codec/wire-codec.js'
import { isVerifyError } from '../ledger/errors.js'
import type { PeerIdString, RequestHandler, RequestLimits } from '../net/network.js'
import { bigintToBytes, bytesToBigint, toHex } from '../util/bytes.js'
import { statusProtocol } from './topics.js'

export type Role = 'full' | 'miner' | 'light'

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
  private readonly protocol: string

  constructor(
    private readonly net: StatusFns,
    private readonly chain: Chain,
    private readonly role: Role,
  ) {
    this.protocol = statusProtocol(chain.chainId)
  }

  ours(): StatusFields {
    const head = this.chain.head
    return {
      chainId: this.chain.chainId,
      genesisHash: this.chain.genesisBlock.hash,
      headHash: head.header.hash,
      headHeight: BigInt(head.height),
      totalWork: bigintToBytes(head.totalWork),
      role: this.role,
    }
  }

  async start(): Promise<void> {
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

  statusOf(peer: PeerIdString): PeerStatus | undefined {
    return this.statuses.get(peer)
  }

  /** A newer head announced by gossip or learned from sync. */
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
      else setTimeout(() => void this.net.ban(peer, reason), banDelayMs).unref()
      throw new WrongChainError(reason)
    }
    this.statuses.set(peer, status)
    return status
  }
}
