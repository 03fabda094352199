/**
 * Serves the built web dashboard (`npm run build:dashboard` → dist/dashboard/)
 * under a base path of the RPC port. Read-only: GET and HEAD of the files in
 * one directory, nothing else.
 *
 * Defences: the decoded path is refused if it holds a NUL, a backslash or a
 * `.`/`..` segment, and the resolved file (symlinks followed) must lie inside
 * the directory; dotfiles and directories are not served; every answer
 * carries a strict Content-Security-Policy (no inline script or style, no
 * framing) and `nosniff`. Files under assets/ have content hashes in their
 * names and are cached for a year; everything else is revalidated.
 */
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream'

export interface StaticOptions {
  /** The built directory, e.g. dist/dashboard. */
  dir: string
  /** Where it is served, with a slash at both ends, e.g. '/dashboard/'. */
  basePath: string
  /** Unexpected I/O failures (not missing files); the request is answered 500 either way. */
  onError?: (err: unknown) => void
}

/** Answers the request and returns true if it is under the base path; returns false (untouched) otherwise. */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => boolean

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
}

export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
}

/** Hashed build output: the name changes whenever the content does. */
const IMMUTABLE = 'public, max-age=31536000, immutable'
const HASHED_DIR = 'assets/'

export function createStaticHandler(options: StaticOptions): StaticHandler {
  const { basePath } = options
  if (!basePath.startsWith('/') || !basePath.endsWith('/')) {
    throw new TypeError(`basePath must start and end with "/", got ${JSON.stringify(basePath)}`)
  }
  const root = resolve(options.dir)
  const bare = basePath.slice(0, -1)

  return (req, res) => {
    const url = req.url ?? ''
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    if (path !== bare && !path.startsWith(basePath)) return false
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'method not allowed: use GET or HEAD', { allow: 'GET, HEAD' })
      return true
    }
    if (path === bare) {
      // Relative URLs in the page resolve against the directory only with the slash.
      sendText(res, 308, `see ${basePath}`, { location: basePath + (q < 0 ? '' : url.slice(q)) })
      return true
    }
    const rel = relativeFile(path.slice(basePath.length))
    if (rel === undefined) {
      sendText(res, 400, 'bad path')
      return true
    }
    serveFile(root, rel, req, res).catch((err: unknown) => {
      options.onError?.(err)
      if (!res.headersSent) sendText(res, 500, 'internal error')
      else res.destroy()
    })
    return true
  }
}

/**
 * The file a request path (after the base path, still URL-encoded) names,
 * relative to the served directory; undefined when it may not name one.
 */
export function relativeFile(encoded: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(encoded)
  } catch {
    return undefined
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined
  const segments = decoded.split('/')
  if (segments.some((s) => s === '.' || s === '..')) return undefined
  // Empty segments ("a//b") would be skipped by the file system but make two URLs of one file.
  if (segments.slice(0, -1).some((s) => s === '')) return undefined
  return decoded === '' || decoded.endsWith('/') ? `${decoded}index.html` : decoded
}

async function serveFile(root: string, rel: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!(await isDirectory(root))) {
    sendText(res, 503, 'the dashboard is not built: run `npm run build:dashboard` (npm ci does it too)')
    return
  }
  const notFound = (): void => sendText(res, 404, 'not found')
  if (rel.split('/').some((s) => s.startsWith('.'))) return notFound()
  const file = resolve(root, rel)
  if (!inside(root, file)) return notFound()
  let real: string
  try {
    real = await realpath(file)
  } catch (err) {
    if (isMissing(err)) return notFound()
    throw err
  }
  // A symlink may point anywhere: what is served is where it leads.
  if (!inside(await realpath(root), real)) return notFound()
  const info = await stat(real)
  if (!info.isFile()) return notFound()

  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'content-type': MIME_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
    'cache-control': rel.startsWith(HASHED_DIR) ? IMMUTABLE : 'no-cache',
    etag,
    'last-modified': info.mtime.toUTCString(),
  }
  const cached = req.headers['if-none-match']?.split(',').map((tag) => tag.trim())
  if (cached?.includes(etag) || cached?.includes('*')) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  res.writeHead(200, { ...headers, 'content-length': String(info.size) })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  const stream = createReadStream(real)
  stream.on('error', () => res.destroy())
  // pipeline, not pipe: a client that goes away closes the file too.
  pipeline(stream, res, () => {})
}

function inside(root: string, file: string): boolean {
  const rel = relative(root, file)
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch (err) {
    if (isMissing(err)) return false
    throw err
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return
  const body = `${text}\n`
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(res.req?.method === 'HEAD' ? undefined : body)
}
