/**
 * The RPC server's WebSocket side: upgrades on `/`, one JSON-RPC connection
 * per socket with its own subscriptions, a cap on requests in flight and on
 * bytes queued for a slow reader, and a ping that drops dead connections.
 * The HTTP side and the shared limits are server.ts.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type RawData, WebSocket, WebSocketServer } from 'ws'
import type { AccessPolicy } from './access.js'
import type { ClientLimits } from './client-limits.js'
import { errorText, parseJson, type RpcDispatcher } from './dispatcher.js'
import { RpcCode, RpcError } from './errors.js'
import { pathOf, rawText, rejectUpgrade, remoteKey } from './http-helpers.js'
import type { NodeApi } from './node-api.js'
import type { RpcServerLimits } from './server-options.js'
import { ConnectionSubscriptions } from './subscriptions.js'

interface Connection {
  ws: WebSocket
  subscriptions: ConnectionSubscriptions
  inflight: number
  alive: boolean
  /** It presented the API token at the upgrade. */
  authenticated: boolean
  /** Its remote address: the key of its call rate. */
  client: string
}

export interface WsConnectionsDeps {
  api: NodeApi
  limits: RpcServerLimits
  access: AccessPolicy
  clients: ClientLimits
  dispatcher: RpcDispatcher
  /** False before start and after close: upgrades are refused then. */
  isListening(): boolean
  reportInternal(err: unknown, where: string): void
}

export class WsConnections {
  private readonly wss: WebSocketServer
  private readonly connections = new Set<Connection>()
  private pingTimer?: NodeJS.Timeout
  private subscriptionSeq = 0

  constructor(private readonly deps: WsConnectionsDeps) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: deps.limits.wsMessageBytesMax,
      perMessageDeflate: false,
    })
  }

  start(): void {
    this.pingTimer = setInterval(() => this.pingAll(), this.deps.limits.wsPingIntervalMs)
    this.pingTimer.unref()
  }

  /** Drops every connection and releases every subscription. */
  close(): void {
    clearInterval(this.pingTimer)
    for (const conn of this.connections) this.drop(conn)
    this.wss.close()
  }

  get count(): number {
    return this.connections.size
  }

  get subscriptionCount(): number {
    let n = 0
    for (const conn of this.connections) n += conn.subscriptions.size
    return n
  }

  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined)
    const refusal = this.upgradeRefusal(req)
    if (refusal) {
      rejectUpgrade(socket, refusal)
      return
    }
    const authenticated = this.deps.access.credential(req, { query: true }) === 'valid'
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, authenticated, remoteKey(req.socket)))
  }

  private upgradeRefusal(req: IncomingMessage): 401 | 403 | 404 | 503 | undefined {
    const { access, limits } = this.deps
    if (!this.deps.isListening()) return 503
    if (pathOf(req) !== '/') return 404
    if (!access.hostAllowed(req)) return 403
    // Browsers send Origin on every WebSocket; other clients need not. Only our dashboard and allowed origins.
    if (!access.originAllowed(req)) return 403
    if (access.refuses(access.credential(req, { query: true }))) return 401
    if (this.connections.size >= limits.wsConnectionsMax) return 503
    return undefined
  }

  private onConnection(ws: WebSocket, authenticated: boolean, client: string): void {
    if (!this.deps.isListening()) {
      ws.terminate()
      return
    }
    const conn: Connection = {
      ws,
      inflight: 0,
      alive: true,
      authenticated,
      client,
      subscriptions: new ConnectionSubscriptions(
        this.deps.api,
        (text) => this.send(conn, text),
        this.deps.limits.wsSubscriptionsMax,
        () => (++this.subscriptionSeq).toString(16).padStart(16, '0'),
      ),
    }
    this.connections.add(conn)
    // ws closes the socket after any protocol error (bad frame, invalid UTF-8, oversize message); 'close' follows.
    ws.on('error', () => undefined)
    ws.on('pong', () => {
      conn.alive = true
    })
    ws.on('message', (data, isBinary) => this.onMessage(conn, data, isBinary))
    ws.on('close', () => this.drop(conn))
  }

  private onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    const { clients, dispatcher, limits } = this.deps
    if (isBinary) {
      const err = new RpcError(RpcCode.PARSE_ERROR, 'parse error: send JSON in text frames, not binary')
      this.send(conn, errorText(null, err))
      return
    }
    const parsed = parseJson(rawText(data))
    if (parsed instanceof RpcError) {
      this.send(conn, errorText(null, parsed))
      return
    }
    const limited = clients.admitCall(conn.client)
    if (limited) {
      const out = dispatcher.refuse(parsed, limited)
      if (out !== undefined) this.send(conn, out)
      return
    }
    clients.chargeBatch(conn.client, parsed)
    if (conn.inflight >= limits.wsInflightMax) {
      const err = new RpcError(
        RpcCode.TOO_MANY_REQUESTS,
        `too many requests in flight: at most ${limits.wsInflightMax} per connection`,
      )
      const out = dispatcher.refuse(parsed, err)
      if (out !== undefined) this.send(conn, out)
      return
    }
    conn.inflight++
    dispatcher
      .handleValue(parsed, { authenticated: conn.authenticated, subscriptions: conn.subscriptions })
      .then(
        (out) => {
          if (out !== undefined) this.send(conn, out)
        },
        (err: unknown) => this.deps.reportInternal(err, 'websocket message'),
      )
      .finally(() => {
        conn.inflight--
      })
  }

  /** Never throws: called from NodeApi event hooks too. */
  private send(conn: Connection, text: string): void {
    const { ws } = conn
    if (ws.readyState !== WebSocket.OPEN) return
    if (ws.bufferedAmount > this.deps.limits.wsBufferedBytesMax) {
      // The client does not read: drop it rather than queue without bound.
      ws.terminate()
      return
    }
    try {
      ws.send(text)
    } catch (err) {
      this.deps.reportInternal(err, 'websocket send')
    }
  }

  private drop(conn: Connection): void {
    if (!this.connections.delete(conn)) return
    conn.subscriptions.close()
    conn.ws.terminate()
  }

  private pingAll(): void {
    for (const conn of this.connections) {
      if (!conn.alive) {
        this.drop(conn)
        continue
      }
      conn.alive = false
      try {
        conn.ws.ping()
      } catch {
        this.drop(conn)
      }
    }
  }
}
