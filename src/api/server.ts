/**
 * The RPC server: JSON-RPC 2.0 over HTTP (POST /) and WebSocket (upgrade on /,
 * same port). Transport only: framing is dispatcher.ts, methods are
 * methods.ts, the WebSocket connections ws-connections.ts, and every answer
 * comes from the NodeApi it is given. This file is the HTTP side.
 *
 * Defences: binds 127.0.0.1 unless told otherwise; caps the body, the
 * WebSocket message, the batch and its answers' bytes, connections (in all
 * and per remote address), each address's call rate, subscriptions and
 * requests in flight per connection, and the bytes queued for a slow reader;
 * refuses Host headers it does not know (DNS rebinding) unless every call
 * needs the token; lets browsers in only from its own origin (the dashboard)
 * and configured ones (CORS); requires the API token for the guarded methods
 * on every bind and for everything off loopback; and requires Content-Type
 * application/json, which a cross-site form or simple fetch cannot send
 * without a preflight.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { systemClock } from '../util/clock.js'
import { AccessPolicy, HOST_REFUSAL, isLoopbackHost, ORIGIN_REFUSAL, type Refusal, TOKEN_REFUSAL } from './access.js'
import { ClientLimits } from './client-limits.js'
import { type Caller, errorText, parseJson, RpcDispatcher } from './dispatcher.js'
import { RpcCode, RpcError } from './errors.js'
import { isJson, pathOf, remoteKey, send } from './http-helpers.js'
import { RPC_METHODS } from './methods.js'
import type { NodeApi } from './node-api.js'
import { type HttpRoute, type RpcServerLimits, type RpcServerOptions, resolveLimits } from './server-options.js'
import { WsConnections } from './ws-connections.js'

export { type HttpRoute, RPC_DEFAULTS, type RpcServerOptions } from './server-options.js'

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', ''])

export class RpcServer {
  private readonly limits: RpcServerLimits
  private readonly dispatcher: RpcDispatcher
  private readonly http: Server
  private readonly ws: WsConnections
  private readonly access: AccessPolicy
  private readonly routes: HttpRoute[]
  private readonly clients: ClientLimits
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true })
  private state: 'new' | 'listening' | 'closed' = 'new'
  private bound?: AddressInfo

  constructor(
    readonly api: NodeApi,
    private readonly options: RpcServerOptions = {},
  ) {
    this.limits = resolveLimits(options)
    this.access = new AccessPolicy({
      allowedHosts: options.allowedHosts ?? ['localhost', '127.0.0.1', '::1', this.limits.host],
      allowedOrigins: options.allowedOrigins ?? [],
      token: options.token,
      readsNeedToken: options.readsNeedToken ?? !isLoopbackHost(this.limits.host),
    })
    this.routes = options.routes ?? []
    this.dispatcher = new RpcDispatcher(options.methods ?? RPC_METHODS, api, {
      batchMax: this.limits.batchMax,
      batchResponseBytesMax: this.limits.batchResponseBytesMax,
      onInternalError: options.onInternalError,
    })
    this.clients = new ClientLimits(this.limits, options.clock ?? systemClock)
    this.http = createServer({ requestTimeout: this.limits.requestTimeoutMs }, (req, res) => this.onRequest(req, res))
    this.http.headersTimeout = Math.min(this.http.headersTimeout, this.limits.requestTimeoutMs)
    // Past the cap Node closes a new socket before reading a byte of it.
    this.http.maxConnections = this.limits.connectionsMax
    this.http.on('drop', () => this.clients.noteRefused())
    this.http.on('connection', (socket: Socket) => this.clients.admitSocket(socket))
    this.ws = new WsConnections({
      api,
      limits: this.limits,
      access: this.access,
      clients: this.clients,
      dispatcher: this.dispatcher,
      isListening: () => this.state === 'listening',
      reportInternal: (err, where) => this.reportInternal(err, where),
    })
    this.http.on('upgrade', (req, socket, head) => this.ws.onUpgrade(req, socket, head))
  }

  /** Listens on host:port; rejects if the port is taken. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`the RPC server cannot start: it is ${this.state}`)
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      this.http.once('error', onError)
      this.http.listen(this.limits.port, this.limits.host, () => {
        this.http.off('error', onError)
        resolve()
      })
    })
    this.state = 'listening'
    this.bound = this.http.address() as AddressInfo
    this.http.on('error', (err) => this.reportInternal(err, 'http server'))
    this.ws.start()
  }

  /** Stops listening, drops every HTTP and WebSocket connection and releases every subscription. */
  async close(): Promise<void> {
    if (this.state === 'closed') return
    const wasListening = this.state === 'listening'
    this.state = 'closed'
    this.ws.close()
    if (!wasListening) return
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve())
      this.http.closeAllConnections()
    })
  }

  get port(): number {
    return this.address().port
  }

  /** e.g. http://127.0.0.1:8645/ (a wildcard bind is shown as loopback). */
  get url(): string {
    return `http://${this.authority()}/`
  }

  get wsUrl(): string {
    return `ws://${this.authority()}/`
  }

  /** Open WebSocket connections. */
  get connectionCount(): number {
    return this.ws.count
  }

  /** Sockets closed on arrival: over `connectionsMax` in all or `connectionsPerClientMax` for their address. */
  get refusedConnectionCount(): number {
    return this.clients.refusedSockets
  }

  /** Subscriptions held across all connections. */
  get subscriptionCount(): number {
    return this.ws.subscriptionCount
  }

  private address(): AddressInfo {
    if (!this.bound) throw new Error('the RPC server is not listening')
    return this.bound
  }

  private authority(): string {
    const { address, family, port } = this.address()
    const host = WILDCARD_HOSTS.has(address) ? (family === 'IPv6' ? '::1' : '127.0.0.1') : address
    return `${host.includes(':') ? `[${host}]` : host}:${port}`
  }

  // ---- HTTP ------------------------------------------------------------------

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    req.on('error', () => undefined) // an aborted upload: nothing left to answer
    const path = pathOf(req)
    const route = this.routes.find((r) => (r.path.endsWith('/') ? path.startsWith(r.path) : path === r.path))
    if (route) {
      this.serveRoute(route, req, res)
      return
    }
    const origin = req.headers.origin
    if (origin !== undefined && path === '/' && this.access.originAllowed(req)) {
      res.setHeader('access-control-allow-origin', origin)
      res.setHeader('vary', 'Origin')
    }
    if (req.method === 'OPTIONS' && path === '/' && origin !== undefined) {
      this.preflight(req, res)
      return
    }
    const dashboard = this.routes.find((r) => r.path === '/dashboard/')
    if (path === '/' && req.method === 'GET' && dashboard && this.access.hostAllowed(req)) {
      // Someone opened the API's URL in a browser: show them the dashboard.
      res.writeHead(302, { location: dashboard.path, 'content-length': 0 })
      res.end()
      return
    }
    const refusal = this.requestRefusal(req)
    if (refusal) {
      send(res, refusal.status, errorText(null, refusal.error), refusal.headers)
      return
    }
    const client = remoteKey(req.socket)
    const limited = this.clients.admitCall(client)
    if (limited) {
      const retryAfterSec = Math.ceil((limited.data as { retryAfterMs: number }).retryAfterMs / 1000)
      send(res, 429, errorText(null, limited), { 'retry-after': String(retryAfterSec) })
      return
    }
    const caller = { authenticated: this.access.credential(req) === 'valid' }
    const chunks: Buffer[] = []
    let size = 0
    let refused = false
    req.on('data', (chunk: Buffer) => {
      if (refused) return
      size += chunk.byteLength
      if (size > this.limits.bodyBytesMax) {
        // A chunked body gives no length up front: refuse at the first byte past the cap.
        refused = true
        chunks.length = 0
        const tooLarge = this.tooLarge()
        send(res, tooLarge.status, errorText(null, tooLarge.error), tooLarge.headers)
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!refused) void this.answer(Buffer.concat(chunks), res, client, caller)
    })
  }

  /** Why `req` is refused before its body is read, if it is. */
  private requestRefusal(req: IncomingMessage): Refusal | undefined {
    const refuse = (status: number, message: string, headers?: Record<string, string>): Refusal => ({
      status,
      error: new RpcError(RpcCode.INVALID_REQUEST, message),
      headers,
    })
    if (pathOf(req) !== '/') return refuse(404, 'not found: the API is at POST /')
    if (!this.access.hostAllowed(req)) return HOST_REFUSAL
    if (!this.access.originAllowed(req)) return ORIGIN_REFUSAL
    if (this.access.refuses(this.access.credential(req))) return TOKEN_REFUSAL
    if (req.method !== 'POST') return refuse(405, 'method not allowed: use POST', { allow: 'POST' })
    if (!isJson(req.headers['content-type'])) {
      return refuse(415, 'unsupported media type: send Content-Type: application/json')
    }
    const encoding = req.headers['content-encoding']
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      return refuse(415, 'unsupported content encoding: send the body uncompressed')
    }
    if (Number(req.headers['content-length'] ?? 0) > this.limits.bodyBytesMax) return this.tooLarge()
    return undefined
  }

  /**
   * 413, and the connection is closed after the answer rather than reading the
   * rest of an oversize upload.
   */
  private tooLarge(): Refusal {
    const { bodyBytesMax } = this.limits
    return {
      status: 413,
      error: new RpcError(
        RpcCode.REQUEST_TOO_LARGE,
        `request too large: the body may hold at most ${bodyBytesMax} bytes`,
        { bodyBytesMax },
      ),
      headers: { connection: 'close' },
    }
  }

  private async answer(body: Buffer, res: ServerResponse, client: string, caller: Caller): Promise<void> {
    try {
      let text: string
      try {
        text = this.utf8.decode(body)
      } catch {
        send(res, 200, errorText(null, new RpcError(RpcCode.PARSE_ERROR, 'parse error: the body is not UTF-8')))
        return
      }
      const parsed = parseJson(text)
      if (parsed instanceof RpcError) {
        send(res, 200, errorText(null, parsed))
        return
      }
      this.clients.chargeBatch(client, parsed)
      const out = await this.dispatcher.handleValue(parsed, caller)
      if (out === undefined) {
        res.writeHead(204)
        res.end()
        return
      }
      send(res, 200, out)
    } catch (err) {
      this.reportInternal(err, 'http request')
      if (!res.headersSent) send(res, 500, errorText(null, new RpcError(RpcCode.INTERNAL_ERROR, 'internal error')))
    }
  }

  private serveRoute(route: HttpRoute, req: IncomingMessage, res: ServerResponse): void {
    const refusal = !this.access.hostAllowed(req)
      ? HOST_REFUSAL
      : route.auth && this.access.refuses(this.access.credential(req))
        ? TOKEN_REFUSAL
        : undefined
    if (refusal) {
      send(res, refusal.status, errorText(null, refusal.error), refusal.headers)
      return
    }
    Promise.resolve()
      .then(() => route.handle(req, res))
      .catch((err: unknown) => {
        this.reportInternal(err, `GET ${route.path}`)
        if (!res.headersSent) send(res, 500, errorText(null, new RpcError(RpcCode.INTERNAL_ERROR, 'internal error')))
        else res.destroy()
      })
  }

  /** A browser asks whether it may POST from `Origin`: yes for the dashboard's own origin and the allowed ones. */
  private preflight(req: IncomingMessage, res: ServerResponse): void {
    if (!this.access.hostAllowed(req) || !this.access.originAllowed(req)) {
      send(res, ORIGIN_REFUSAL.status, errorText(null, ORIGIN_REFUSAL.error))
      return
    }
    res.writeHead(204, {
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type, authorization',
      'access-control-max-age': '600',
      'content-length': 0,
    })
    res.end()
  }

  private reportInternal(err: unknown, where: string): void {
    try {
      this.options.onInternalError?.(err, where)
    } catch {
      // A failing logger must not take the server down.
    }
  }
}
