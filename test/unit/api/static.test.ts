import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStaticHandler, relativeFile, type StaticOptions } from '../../../src/api/static.js'

const SECRET = 'the secret next to the served directory'
const INDEX = '<!doctype html><title>dashboard</title>'
const SCRIPT = 'console.log("app")'

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

let base: string
let dir: string
let servers: Server[]

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'peerchain-static-'))
  dir = join(base, 'dashboard')
  servers = []
  await mkdir(join(dir, 'assets'), { recursive: true })
  await writeFile(join(dir, 'index.html'), INDEX)
  await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  await writeFile(join(dir, 'data.bin'), Buffer.from([1, 2, 3]))
  await writeFile(join(dir, '.env'), 'TOKEN=1')
  await writeFile(join(dir, 'assets', 'index-Ab12Cd.js'), SCRIPT)
  await writeFile(join(dir, 'assets', 'index-Ef34Gh.css'), 'body{}')
  await writeFile(join(base, 'secret.txt'), SECRET)
  await symlink(join(base, 'secret.txt'), join(dir, 'escape.txt'))
})

afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  await rm(base, { recursive: true, force: true })
})

/** The handler mounted on a real server, as the RPC server mounts it; what it declines answers 418. */
async function serve(options: Partial<StaticOptions> = {}): Promise<string> {
  const handler = createStaticHandler({ dir, basePath: '/dashboard/', ...options })
  const server = createServer((req, res) => {
    if (handler(req, res)) return
    res.writeHead(418)
    res.end('declined')
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A request with the path sent exactly as written (fetch would normalise `..` away). */
function get(origin: string, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}/`, { method, path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

describe('createStaticHandler: files', () => {
  it('serves index.html for the base path, with no-cache, the CSP and nosniff', async () => {
    const origin = await serve()
    for (const path of ['/dashboard/', '/dashboard/index.html', '/dashboard/?x=1']) {
      const res = await get(origin, path)
      expect(res.status).toBe(200)
      expect(res.body).toBe(INDEX)
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(res.headers['cache-control']).toBe('no-cache')
      expect(res.headers['content-length']).toBe(String(INDEX.length))
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      const csp = res.headers['content-security-policy'] ?? ''
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain("connect-src 'self' ws: wss:")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).not.toContain('unsafe-inline')
      expect(csp).not.toContain('unsafe-eval')
    }
  })

  it('gives each file its MIME type, and octet-stream to unknown kinds', async () => {
    const origin = await serve()
    const types: Record<string, string> = {
      '/dashboard/assets/index-Ab12Cd.js': 'text/javascript; charset=utf-8',
      '/dashboard/assets/index-Ef34Gh.css': 'text/css; charset=utf-8',
      '/dashboard/favicon.svg': 'image/svg+xml',
      '/dashboard/data.bin': 'application/octet-stream',
    }
    for (const [path, type] of Object.entries(types)) {
      const res = await get(origin, path)
      expect(res.status, path).toBe(200)
      expect(res.headers['content-type'], path).toBe(type)
    }
  })

  it('caches hashed files under assets/ for a year, immutable; other files are revalidated', async () => {
    const origin = await serve()
    const script = await get(origin, '/dashboard/assets/index-Ab12Cd.js')
    expect(script.body).toBe(SCRIPT)
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect((await get(origin, '/dashboard/favicon.svg')).headers['cache-control']).toBe('no-cache')
  })

  it('answers HEAD with the headers of GET and no body', async () => {
    const origin = await serve()
    const res = await get(origin, '/dashboard/assets/index-Ab12Cd.js', 'HEAD')
    expect(res.status).toBe(200)
    expect(res.body).toBe('')
    expect(res.headers['content-length']).toBe(String(SCRIPT.length))
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8')
  })

  it('answers 304 when the ETag is still current', async () => {
    const origin = await serve()
    const first = await get(origin, '/dashboard/')
    const etag = first.headers.etag as string
    expect(etag).toMatch(/^W\/"/)
    const again = await get(origin, '/dashboard/', 'GET', { 'if-none-match': etag })
    expect(again.status).toBe(304)
    expect(again.body).toBe('')
    await writeFile(join(dir, 'index.html'), `${INDEX}<p>changed</p>`)
    expect((await get(origin, '/dashboard/', 'GET', { 'if-none-match': etag })).status).toBe(200)
  })

  it('redirects the base path without its slash, keeping the query', async () => {
    const origin = await serve()
    const res = await get(origin, '/dashboard?x=1')
    expect(res.status).toBe(308)
    expect(res.headers.location).toBe('/dashboard/?x=1')
  })

  it('answers 404 for missing files, directories and dotfiles', async () => {
    const origin = await serve()
    for (const path of ['/dashboard/nope.js', '/dashboard/assets', '/dashboard/assets/', '/dashboard/.env']) {
      const res = await get(origin, path)
      expect(res.status, path).toBe(404)
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8')
      expect(res.headers['x-content-type-options']).toBe('nosniff')
    }
  })

  it('answers 405 with Allow to any other method under the base path', async () => {
    const origin = await serve()
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const res = await get(origin, '/dashboard/index.html', method)
      expect(res.status, method).toBe(405)
      expect(res.headers.allow).toBe('GET, HEAD')
    }
  })

  it('declines (returns false for) every path outside the base path, whatever the method', async () => {
    const origin = await serve()
    for (const path of ['/', '/dashboardx', '/dash', '/other/dashboard/', '/?dashboard/']) {
      expect((await get(origin, path)).status, path).toBe(418)
      expect((await get(origin, path, 'POST')).status, path).toBe(418)
    }
  })
})

describe('createStaticHandler: paths that escape the directory', () => {
  const escapes = [
    '/dashboard/../secret.txt',
    '/dashboard/assets/../../secret.txt',
    '/dashboard/%2e%2e/secret.txt',
    '/dashboard/%2E%2E%2Fsecret.txt',
    '/dashboard/assets/..%2f..%2fsecret.txt',
    '/dashboard/..%5csecret.txt',
    '/dashboard/%5c..%5csecret.txt',
    '/dashboard/./index.html',
    '/dashboard/index.html%00.js',
    '/dashboard/%00',
    '/dashboard/%E0%A4%A',
    '/dashboard//etc/passwd',
    '/dashboard/%2fetc%2fpasswd',
  ]

  it('refuses each with 400 and never serves what lies outside', async () => {
    const origin = await serve()
    for (const path of escapes) {
      const res = await get(origin, path)
      expect(res.status, path).toBeGreaterThanOrEqual(400)
      expect(res.status, path).toBeLessThan(500)
      expect(res.body, path).not.toContain(SECRET)
      expect(res.body, path).not.toContain('root:')
    }
    expect((await get(origin, '/dashboard/../secret.txt')).status).toBe(400)
    expect((await get(origin, '/dashboard/%2e%2e/secret.txt')).status).toBe(400)
    expect((await get(origin, '/dashboard/index.html%00.js')).status).toBe(400)
  })

  it('does not follow a symlink out of the directory', async () => {
    const origin = await serve()
    const res = await get(origin, '/dashboard/escape.txt')
    expect(res.status).toBe(404)
    expect(res.body).not.toContain(SECRET)
  })

  it('relativeFile maps a request path to a file inside, or to nothing', () => {
    expect(relativeFile('')).toBe('index.html')
    expect(relativeFile('assets/a.js')).toBe('assets/a.js')
    expect(relativeFile('sub/')).toBe('sub/index.html')
    expect(relativeFile('a%20b.txt')).toBe('a b.txt')
    for (const bad of [
      '..',
      '../x',
      'a/../../x',
      '%2e%2e',
      'a%2f..%2f..%2fx',
      '.',
      'a\\b',
      '%5c',
      'x%00',
      '%zz',
      'a//b',
    ]) {
      expect(relativeFile(bad), bad).toBeUndefined()
    }
  })
})

describe('createStaticHandler: the directory itself', () => {
  it('answers 503 telling how to build while the directory does not exist, then serves it once built', async () => {
    await rm(dir, { recursive: true })
    const origin = await serve()
    const res = await get(origin, '/dashboard/')
    expect(res.status).toBe(503)
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(res.body).toContain('npm run build:dashboard')
    await mkdir(dir)
    await writeFile(join(dir, 'index.html'), INDEX)
    expect((await get(origin, '/dashboard/')).body).toBe(INDEX)
  })

  it('refuses a base path without a slash at both ends', () => {
    expect(() => createStaticHandler({ dir, basePath: '/dashboard' })).toThrow(TypeError)
    expect(() => createStaticHandler({ dir, basePath: 'dashboard/' })).toThrow(TypeError)
  })

  it('serves under another base path', async () => {
    const origin = await serve({ basePath: '/ui/' })
    expect((await get(origin, '/ui/')).body).toBe(INDEX)
    expect((await get(origin, '/dashboard/')).status).toBe(418)
  })
})
