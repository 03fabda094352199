/** Small HTTP and WebSocket helpers of the RPC server. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { RawData } from 'ws'

const JSON_HEADERS = { 'content-type': 'application/json' }

export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(body), ...headers })
  res.end(body)
}

const UPGRADE_REASONS = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' } as const

export function rejectUpgrade(socket: Duplex, status: keyof typeof UPGRADE_REASONS): void {
  socket.once('finish', () => socket.destroy())
  socket.end(`HTTP/1.1 ${status} ${UPGRADE_REASONS[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? ''
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}

/** The value of `name` in the query string of `req`, if any. */
export function queryParam(req: IncomingMessage, name: string): string | undefined {
  const url = req.url ?? ''
  const q = url.indexOf('?')
  if (q < 0) return undefined
  return new URLSearchParams(url.slice(q + 1)).get(name) ?? undefined
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer +(\S+)\s*$/i.exec(header)
  return match?.[1]
}

export function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false
  return contentType.split(';')[0]?.trim().toLowerCase() === 'application/json'
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

/** The name in a Host header, without the port: "[::1]:8645" → "::1". */
export function hostnameOf(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']')
    return end < 0 ? host : host.slice(1, end)
  }
  const colon = host.indexOf(':')
  return colon < 0 ? host : host.slice(0, colon)
}

export function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}

/** A client's key for per-client limits: its remote address (a socket already closed shares one "unknown"). */
export function remoteKey(socket: Socket): string {
  return socket.remoteAddress ?? 'unknown'
}
