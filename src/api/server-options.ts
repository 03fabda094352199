/** The RPC server's options and their defaults (docs/API.md, "Limits", lists them). */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Clock } from '../util/clock.js'
import type { MethodTable } from './methods.js'

/** A GET route beside the API (the dashboard's files, /metrics). */
export interface HttpRoute {
  /** A path ("/metrics") or, ending in "/", a prefix ("/dashboard/"). */
  path: string
  /** Whether the API token is needed where reads need it (off loopback): true for data, false for the dashboard's static files. */
  auth: boolean
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>
}

export const RPC_DEFAULTS = {
  host: '127.0.0.1',
  port: 8645,
  /** Largest HTTP request body; larger → HTTP 413 with REQUEST_TOO_LARGE. */
  bodyBytesMax: 1024 * 1024,
  /** Largest WebSocket message; larger → the socket is closed with 1009. */
  wsMessageBytesMax: 1024 * 1024,
  batchMax: 100,
  /** A batch's answers past this many bytes: the rest of the batch is not run (RESPONSE_TOO_LARGE). */
  batchResponseBytesMax: 16 * 1024 * 1024,
  /** Open TCP connections, HTTP and WebSocket together; more are closed at once. */
  connectionsMax: 256,
  /** Calls per second one remote address may make (a batch counts each call); more → HTTP 429, RATE_LIMITED. */
  clientCallsPerSec: 500,
  /** Seconds of `clientCallsPerSec` a client may spend in one burst. */
  clientBurstSec: 2,
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
  batchResponseBytesMax?: number
  connectionsMax?: number
  /** Connections one remote address may hold; default a quarter of `connectionsMax`, so one client cannot take them all. */
  connectionsPerClientMax?: number
  clientCallsPerSec?: number
  clientBurstSec?: number
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
  /**
   * Origins whose browser pages may call the API (CORS) and open a WebSocket,
   * beside the server's own origin (its dashboard), which is always allowed.
   * Requests without Origin (curl, the CLI) are not affected.
   */
  allowedOrigins?: string[]
  /**
   * The API token (the node's cookie): `Authorization: Bearer <token>`, or
   * `?token=<token>` on a WebSocket URL (browsers cannot set headers there).
   * The guarded methods (wallet, network admin, miner) need it on every bind;
   * a wrong one is refused outright. Unset: nothing needs it (tests, embedding).
   */
  token?: string
  /**
   * Whether every request, WebSocket and route with `auth` needs the token too;
   * any Host header is then accepted. Default: when `host` is not loopback.
   */
  readsNeedToken?: boolean
  /** The per-client rate's clock; default the system clock. */
  clock?: Clock
  /** GET routes served beside the API. */
  routes?: HttpRoute[]
  /** Every error answered as INTERNAL_ERROR, for the log. */
  onInternalError?: (err: unknown, where: string) => void
}

export type RpcServerLimits = Required<
  Omit<
    RpcServerOptions,
    'methods' | 'allowedHosts' | 'allowedOrigins' | 'onInternalError' | 'token' | 'routes' | 'readsNeedToken' | 'clock'
  >
>

export function resolveLimits(options: RpcServerOptions): RpcServerLimits {
  const d = RPC_DEFAULTS
  const connectionsMax = options.connectionsMax ?? d.connectionsMax
  return {
    host: options.host ?? d.host,
    port: options.port ?? d.port,
    bodyBytesMax: options.bodyBytesMax ?? d.bodyBytesMax,
    wsMessageBytesMax: options.wsMessageBytesMax ?? d.wsMessageBytesMax,
    batchMax: options.batchMax ?? d.batchMax,
    batchResponseBytesMax: options.batchResponseBytesMax ?? d.batchResponseBytesMax,
    connectionsMax,
    connectionsPerClientMax: options.connectionsPerClientMax ?? Math.max(1, Math.ceil(connectionsMax / 4)),
    clientCallsPerSec: options.clientCallsPerSec ?? d.clientCallsPerSec,
    clientBurstSec: options.clientBurstSec ?? d.clientBurstSec,
    wsConnectionsMax: options.wsConnectionsMax ?? d.wsConnectionsMax,
    wsSubscriptionsMax: options.wsSubscriptionsMax ?? d.wsSubscriptionsMax,
    wsInflightMax: options.wsInflightMax ?? d.wsInflightMax,
    wsBufferedBytesMax: options.wsBufferedBytesMax ?? d.wsBufferedBytesMax,
    wsPingIntervalMs: options.wsPingIntervalMs ?? d.wsPingIntervalMs,
    requestTimeoutMs: options.requestTimeoutMs ?? d.requestTimeoutMs,
  }
}
