/**
 * What one client (a remote address) may hold of the RPC server: a share of
 * the open connections, and calls per second. Every loopback client shares
 * 127.0.0.1; a client on another address has its own share and rate.
 */
import type { Socket } from 'node:net'
import type { Clock } from '../util/clock.js'
import { KeyedBuckets } from '../util/token-bucket.js'
import { RpcCode, RpcError } from './errors.js'
import { remoteKey } from './http-helpers.js'

export interface ClientLimitsOptions {
  connectionsPerClientMax: number
  clientCallsPerSec: number
  clientBurstSec: number
}

export class ClientLimits {
  /** Calls per remote address. */
  private readonly calls: KeyedBuckets<string>
  /** Open sockets per remote address. */
  private readonly sockets = new Map<string, number>()
  private refused = 0

  constructor(
    private readonly options: ClientLimitsOptions,
    clock: Clock,
  ) {
    const { clientCallsPerSec, clientBurstSec } = options
    this.calls = new KeyedBuckets(
      { capacity: Math.max(1, clientCallsPerSec * clientBurstSec), ratePerSec: clientCallsPerSec },
      clock,
    )
  }

  /** Sockets closed on arrival (here, and those counted with `noteRefused`). */
  get refusedSockets(): number {
    return this.refused
  }

  noteRefused(): void {
    this.refused++
  }

  /** Counts the socket against its address's share; over it, the socket is closed before anything is read. */
  admitSocket(socket: Socket): void {
    const client = remoteKey(socket)
    const held = this.sockets.get(client) ?? 0
    if (held >= this.options.connectionsPerClientMax) {
      this.refused++
      socket.destroy()
      return
    }
    this.sockets.set(client, held + 1)
    socket.once('close', () => {
      const left = (this.sockets.get(client) ?? 1) - 1
      if (left <= 0) this.sockets.delete(client)
      else this.sockets.set(client, left)
    })
  }

  /**
   * A request (or WebSocket message) takes one call from its client's bucket
   * up front, before its body is read; a batch's other calls are charged once
   * it is parsed (`chargeBatch`), as debt its next requests wait out. Returns
   * the error to answer with when the bucket is spent.
   */
  admitCall(client: string): RpcError | undefined {
    const bucket = this.calls.get(client)
    if (bucket.tryTake(1)) return undefined
    const retryAfterMs = Math.max(1, bucket.waitMs(1))
    const { clientCallsPerSec } = this.options
    return new RpcError(
      RpcCode.RATE_LIMITED,
      `rate limited: a client may make ${clientCallsPerSec} calls a second (a batch counts each call); ` +
        `retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      { callsPerSec: clientCallsPerSec, retryAfterMs },
    )
  }

  chargeBatch(client: string, parsed: unknown): void {
    if (Array.isArray(parsed) && parsed.length > 1) this.calls.charge(client, parsed.length - 1)
  }
}
