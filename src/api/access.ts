/**
 * Who may talk to the API: the Host allowlist (against DNS rebinding), the
 * browser origins allowed (CORS: the node's own dashboard and configured
 * ones) and the bearer token required off loopback. Pure decisions on
 * request headers; server.ts turns a refusal into an answer.
 */
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { RpcCode, RpcError } from './errors.js'
import { bearerToken, hostnameOf, queryParam, stripBrackets } from './http-helpers.js'

export interface Refusal {
  status: number
  error: RpcError
  headers?: Record<string, string>
}

export interface AccessOptions {
  /** Host header names accepted; ['*'] any. */
  allowedHosts: string[]
  /** Origins allowed beside the server's own. */
  allowedOrigins: string[]
  /** When set, required on every guarded request. At least 16 characters. */
  token?: string
}

const TOKEN_CHARS_MIN = 16

export class AccessPolicy {
  private readonly hosts: Set<string> | '*'
  private readonly origins: Set<string>
  private readonly token?: Buffer

  constructor(options: AccessOptions) {
    // With a token, a rebinding page cannot authenticate: any Host will do.
    this.hosts =
      options.allowedHosts.includes('*') || options.token !== undefined
        ? '*'
        : new Set(options.allowedHosts.map((h) => stripBrackets(h).toLowerCase()))
    this.origins = new Set(options.allowedOrigins)
    if (options.token !== undefined) {
      if (options.token.length < TOKEN_CHARS_MIN) {
        throw new Error(`the API token must be at least ${TOKEN_CHARS_MIN} characters`)
      }
      this.token = Buffer.from(options.token)
    }
  }

  hostAllowed(req: IncomingMessage): boolean {
    if (this.hosts === '*') return true
    const host = req.headers.host
    // Node refuses an HTTP/1.1 request without Host; an HTTP/1.0 one has no name to rebind.
    if (host === undefined) return true
    return this.hosts.has(hostnameOf(host).toLowerCase())
  }

  /**
   * No Origin (not a browser), the server's own pages (same scheme, host and
   * port as the request), or a configured origin. Anything else — a page on
   * another site — is refused.
   */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin
    if (origin === undefined) return true
    if (this.origins.has(origin)) return true
    const host = req.headers.host
    return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)
  }

  /** The token in `Authorization: Bearer`, or on a WebSocket URL `?token=` (browsers cannot set headers there). */
  authorized(req: IncomingMessage, { query = false } = {}): boolean {
    if (!this.token) return true
    const presented = bearerToken(req) ?? (query ? queryParam(req, 'token') : undefined)
    if (presented === undefined) return false
    const given = Buffer.from(presented)
    return given.byteLength === this.token.byteLength && timingSafeEqual(given, this.token)
  }
}

export const HOST_REFUSAL: Refusal = {
  status: 403,
  error: new RpcError(RpcCode.INVALID_REQUEST, 'host not allowed'),
}

export const ORIGIN_REFUSAL: Refusal = {
  status: 403,
  error: new RpcError(RpcCode.FORBIDDEN, 'origin not allowed: this page may not call the API'),
}

export const TOKEN_REFUSAL: Refusal = {
  status: 401,
  error: new RpcError(
    RpcCode.UNAUTHORIZED,
    'unauthorized: this node requires its API token (Authorization: Bearer <token> from <datadir>/rpc.token)',
  ),
  headers: { 'www-authenticate': 'Bearer' },
}
