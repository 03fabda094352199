/**
 * Who may talk to the API: the Host allowlist (against DNS rebinding), the
 * browser origins allowed (CORS: the node's own dashboard and configured
 * ones) and the API token: needed on every bind for the guarded methods
 * (method-classes.ts), and for everything off loopback. Pure decisions on
 * request headers; server.ts turns a refusal into an answer.
 */
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'
import { RpcCode, RpcError } from './errors.js'
import { bearerToken, hostnameOf, queryParam, stripBrackets } from './http-helpers.js'
import { TOKEN_HOW_TO } from './method-classes.js'

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
  /** The API token (the node's cookie). At least 16 characters. Unset: no caller needs one (tests, embedding). */
  token?: string
  /** Whether read methods, WebSockets and routes with `auth` need the token too (a bind off loopback). */
  readsNeedToken: boolean
}

/** What a request carries: the right token, none, or a wrong one (refused on every bind). */
export type Credential = 'valid' | 'absent' | 'wrong'

/** 127.0.0.0/8, ::1 and "localhost": only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const h = stripBrackets(host)
  if (h === 'localhost' || h === '::1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}

const TOKEN_CHARS_MIN = 16

export class AccessPolicy {
  private readonly hosts: Set<string> | '*'
  private readonly origins: Set<string>
  private readonly token?: Buffer
  readonly readsNeedToken: boolean

  constructor(options: AccessOptions) {
    this.readsNeedToken = options.token !== undefined && options.readsNeedToken
    // When every call needs the token, a rebinding page cannot authenticate: any Host will do.
    this.hosts =
      options.allowedHosts.includes('*') || this.readsNeedToken
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

  /**
   * The token in `Authorization: Bearer`, or on a WebSocket URL `?token=`
   * (browsers cannot set headers there). A server without a token takes every
   * caller as authenticated.
   */
  credential(req: IncomingMessage, { query = false } = {}): Credential {
    if (!this.token) return 'valid'
    const presented = bearerToken(req) ?? (query ? queryParam(req, 'token') : undefined)
    if (presented === undefined) return 'absent'
    const given = Buffer.from(presented)
    return given.byteLength === this.token.byteLength && timingSafeEqual(given, this.token) ? 'valid' : 'wrong'
  }

  /** Whether a request with `credential` is turned away before any method runs: a wrong token always, none off loopback. */
  refuses(credential: Credential): boolean {
    return credential === 'wrong' || (credential === 'absent' && this.readsNeedToken)
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
    `unauthorized: a wrong API token, or none where this node requires it: ${TOKEN_HOW_TO}`,
    { auth: 'bearer', cookieFile: 'rpc.cookie' },
  ),
  headers: { 'www-authenticate': 'Bearer' },
}
