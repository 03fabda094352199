/** The RPC server's options and their defaults (docs/API.md, "Limits", lists them). */
import type { MethodTable } from './methods.js'

export const RPC_DEFAULTS = {
  host: '127.0.0.1',
  port: 8645,
  /** Largest HTTP request body; larger → HTTP 413 with REQUEST_TOO_LARGE. */
  bodyBytesMax: 1024 * 1024,
  /** Largest WebSocket message; larger → the socket is closed with 1009. */
  wsMessageBytesMax: 1024 * 1024,
  batchMax: 100,
  wsConnectionsMax: 64,
  wsSubscriptionsMax: 32,
  /** Requests (or batches) of one WebSocket still being answered; more → TOO_MANY_REQUESTS. */
  wsInflightMax: 32,
  /** Bytes queued to a WebSocket that does not read; past this it is dropped. */
  wsBufferedBytesMax: 8 * 1024 * 1024,
  /** A WebSocket that misses a ping for this long is dropped. */
  wsPingIntervalMs: 30_000,
  /** Whole HTTP request, headers and body. */
  requestTimeoutMs: 30_000,
} as const

export interface RpcServerOptions {
  host?: string
  /** 0 picks a free port; read it back from `port` or `url` after start(). */
  port?: number
  methods?: MethodTable
  bodyBytesMax?: number
  wsMessageBytesMax?: number
  batchMax?: number
  wsConnectionsMax?: number
  wsSubscriptionsMax?: number
  wsInflightMax?: number
  wsBufferedBytesMax?: number
  wsPingIntervalMs?: number
  requestTimeoutMs?: number
  /**
   * Host header names accepted (any port). Default: localhost, 127.0.0.1, ::1
   * and `host`. ['*'] accepts any. Set this when binding a public address.
   */
  allowedHosts?: string[]
  /** Origins whose browser pages may open a WebSocket. Default: none (requests without Origin are fine). */
  allowedOrigins?: string[]
  /** Every error answered as INTERNAL_ERROR, for the log. */
  onInternalError?: (err: unknown, where: string) => void
}

export type RpcServerLimits = Required<
  Omit<RpcServerOptions, 'methods' | 'allowedHosts' | 'allowedOrigins' | 'onInternalError'>
>

export function resolveLimits(options: RpcServerOptions): RpcServerLimits {
  const d = RPC_DEFAULTS
  return {
    host: options.host ?? d.host,
    port: options.port ?? d.port,
    bodyBytesMax: options.bodyBytesMax ?? d.bodyBytesMax,
    wsMessageBytesMax: options.wsMessageBytesMax ?? d.wsMessageBytesMax,
    batchMax: options.batchMax ?? d.batchMax,
    wsConnectionsMax: options.wsConnectionsMax ?? d.wsConnectionsMax,
    wsSubscriptionsMax: options.wsSubscriptionsMax ?? d.wsSubscriptionsMax,
    wsInflightMax: options.wsInflightMax ?? d.wsInflightMax,
    wsBufferedBytesMax: options.wsBufferedBytesMax ?? d.wsBufferedBytesMax,
    wsPingIntervalMs: options.wsPingIntervalMs ?? d.wsPingIntervalMs,
    requestTimeoutMs: options.requestTimeoutMs ?? d.requestTimeoutMs,
  }
}
