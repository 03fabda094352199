/** Who may call the API: the token (guarded methods on every bind, everything off loopback), browser origins (CORS) and the GET routes beside it. */
import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { RpcClient } from '../../../src/api/client.js'
import { RpcCode } from '../../../src/api/errors.js'
import { type HttpRoute, RpcServer } from '../../../src/api/server.js'
import { onCleanup, post, rpcError, startApi } from './harness.js'

const TOKEN = 'c0ffee'.repeat(8)
const headCall = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chain_head' })

function wsStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    onCleanup(async () => ws.terminate())
    ws.once('open', () => resolve(101))
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.once('error', reject)
  })
}

const metricsRoute = (auth: boolean): HttpRoute => ({
  path: '/metrics',
  auth,
  handle: (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('peerchain_head_height 7\n')
  },
})

describe('API token where reads need it too (a bind off loopback)', () => {
  it('refuses requests without the token or with a wrong one (401), and answers with it', async () => {
    const { server } = await startApi({ token: TOKEN, readsNeedToken: true })
    const none = await post(server.url, headCall)
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe('Bearer')
    expect(none.json.error.code).toBe(RpcCode.UNAUTHORIZED)
    expect(none.json.error.message).toContain('<datadir>/rpc.cookie')
    const wrong = await post(server.url, headCall, { authorization: `Bearer ${'0'.repeat(48)}` })
    expect(wrong.status).toBe(401)
    const short = await post(server.url, headCall, { authorization: 'Bearer c0ffee' })
    expect(short.status).toBe(401)
    const err = await rpcError(new RpcClient(server.url).call('chain_head'))
    expect(err.code).toBe(RpcCode.UNAUTHORIZED)
    const head = await new RpcClient(server.url, { token: TOKEN }).call('chain_head')
    expect(head.height).toBe(0)
  })

  it('guards WebSockets by header or ?token=, and leaves token-free servers open', async () => {
    const { server } = await startApi({ token: TOKEN, readsNeedToken: true })
    expect(await wsStatus(server.wsUrl)).toBe(401)
    expect(await wsStatus(`${server.wsUrl}?token=nope`)).toBe(401)
    expect(await wsStatus(`${server.wsUrl}?token=${TOKEN}`)).toBe(101)
    expect(await wsStatus(server.wsUrl, { authorization: `Bearer ${TOKEN}` })).toBe(101)
    const socket = await new RpcClient(server.url, { token: TOKEN }).socket()
    onCleanup(() => socket.close())
    expect((await socket.call('chain_head')).height).toBe(0)

    const open = await startApi()
    expect(await wsStatus(open.server.wsUrl)).toBe(101)
    expect((await post(open.server.url, headCall)).status).toBe(200)
  })

  it('accepts any Host header once a token is required, and refuses too short a token', async () => {
    const withToken = await startApi({ token: TOKEN, readsNeedToken: true })
    const open = await startApi()
    const status = (url: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          url,
          { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
          (r) => {
            r.resume()
            resolve(r.statusCode ?? 0)
          },
        )
        req.on('error', reject)
        req.end(headCall)
      })
    // A rebinding page cannot know the token, so the Host check gives way to it.
    expect(await status(withToken.server.url, { host: 'node.example', authorization: `Bearer ${TOKEN}` })).toBe(200)
    expect(await status(withToken.server.url, { host: 'node.example' })).toBe(401)
    expect(await status(open.server.url, { host: 'node.example' })).toBe(403)
    expect(() => new RpcServer(open.node, { token: 'short' })).toThrow(/at least 16/)
  })
})

describe('guarded methods on a loopback bind', () => {
  const call = (method: string, params?: unknown, id = 1) => JSON.stringify({ jsonrpc: '2.0', id, method, params })
  const guarded: Array<[string, unknown]> = [
    ['wallet_send', { from: 'devnet-0', to: 'pc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq', amount: '1' }],
    ['wallet_unlock', { name: 'alice', passphrase: 'x' }],
    ['wallet_lock', { name: 'alice' }],
    ['net_connect', { multiaddr: '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA' }],
    ['net_ban', { peerId: '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA' }],
    ['net_unban', { peerId: '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA' }],
    ['miner_start', undefined],
    ['miner_stop', undefined],
    ['miner_generate', { blocks: 1 }],
  ]

  it('refuses wallet, network-admin and miner calls without the token, naming how to authenticate', async () => {
    const { server, node } = await startApi({ token: TOKEN })
    for (const [method, params] of guarded) {
      const res = await post(server.url, call(method, params))
      expect(res.status, method).toBe(200)
      expect(res.json.error.code, method).toBe(RpcCode.UNAUTHORIZED)
      expect(res.json.error.message, method).toContain(`${method} is a`)
      expect(res.json.error.message, method).toContain('Authorization: Bearer')
      expect(res.json.error.message, method).toContain('<datadir>/rpc.cookie')
      expect(res.json.error.data.cookieFile, method).toBe('rpc.cookie')
    }
    // Nothing ran: the miner was never started, no send reached the pool.
    expect(node.mining).toBe(false)
    expect((await new RpcClient(server.url).call('mempool_list', {})).size).toBe(0)
  })

  it('runs them with the token, and refuses a wrong token outright, reads included (401)', async () => {
    const { server } = await startApi({ token: TOKEN })
    const client = new RpcClient(server.url, { token: TOKEN })
    await client.call('miner_start')
    expect((await client.call('wallet_list')).length).toBeGreaterThan(0)
    const wrong = await post(server.url, call('chain_head'), { authorization: `Bearer ${'0'.repeat(48)}` })
    expect(wrong.status).toBe(401)
    expect(wrong.json.error.code).toBe(RpcCode.UNAUTHORIZED)
  })

  it('leaves reads open without the token: chain, node, mempool, net_peers, net_addrman, wallet_list, tx_submit', async () => {
    const { server } = await startApi({ token: TOKEN })
    const reads = ['node_info', 'node_status', 'chain_head', 'net_peers', 'net_addrman', 'wallet_list', 'mempool_list']
    const res = await post(server.url, `[${reads.map((m, i) => call(m, undefined, i)).join(',')}]`)
    expect(res.json.map((r: { error?: unknown }) => r.error)).toEqual(reads.map(() => undefined))
  })

  it('refuses guarded calls of a batch one by one, and runs the reads beside them', async () => {
    const { server } = await startApi({ token: TOKEN })
    const res = await post(server.url, `[${call('chain_head', undefined, 1)},${call('miner_start', undefined, 2)}]`)
    expect(res.json[0].result.height).toBe(0)
    expect(res.json[1].error.code).toBe(RpcCode.UNAUTHORIZED)
  })

  it('holds over WebSocket: subscriptions and reads open, guarded calls need the token at the upgrade', async () => {
    const { server } = await startApi({ token: TOKEN })
    const open = await new RpcClient(server.url).socket()
    onCleanup(() => open.close())
    expect((await open.call('chain_head')).height).toBe(0)
    const sub = await open.subscribe('newHeads', () => undefined)
    expect(typeof sub.id).toBe('string')
    expect((await rpcError(open.call('miner_start'))).code).toBe(RpcCode.UNAUTHORIZED)
    const authed = await new RpcClient(server.url, { token: TOKEN }).socket()
    onCleanup(() => authed.close())
    expect(await authed.call('miner_start')).toBe(true)
    expect(await wsStatus(`${server.wsUrl}?token=wrong-token-wrong-token`)).toBe(401)
  })
})

describe('browser origins (CORS)', () => {
  it("allows the server's own origin and configured ones, with Access-Control-Allow-Origin", async () => {
    const { server } = await startApi({ allowedOrigins: ['http://ops.example'] })
    const own = `http://127.0.0.1:${server.port}`
    const same = await post(server.url, headCall, { origin: own })
    expect(same.status).toBe(200)
    expect(same.headers.get('access-control-allow-origin')).toBe(own)
    const configured = await post(server.url, headCall, { origin: 'http://ops.example' })
    expect(configured.status).toBe(200)
    expect(configured.headers.get('access-control-allow-origin')).toBe('http://ops.example')
  })

  it('refuses any other origin, on POST, preflight and WebSocket', async () => {
    const { server } = await startApi()
    const evil = await post(server.url, headCall, { origin: 'https://evil.example' })
    expect(evil.status).toBe(403)
    expect(evil.json.error.code).toBe(RpcCode.FORBIDDEN)
    expect(evil.headers.get('access-control-allow-origin')).toBeNull()
    // A port is part of the origin: another local page is another site.
    const otherPort = await post(server.url, headCall, { origin: `http://127.0.0.1:${server.port + 1}` })
    expect(otherPort.status).toBe(403)
    const preflight = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(403)
    expect(await wsStatus(server.wsUrl, { origin: 'https://evil.example' })).toBe(403)
    expect(await wsStatus(server.wsUrl, { origin: `http://127.0.0.1:${server.port}` })).toBe(101)
  })

  it('answers an allowed preflight with the methods and headers a page may use', async () => {
    const { server } = await startApi({ allowedOrigins: ['http://ops.example'] })
    const res = await fetch(server.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://ops.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('http://ops.example')
    expect(res.headers.get('access-control-allow-methods')).toBe('POST')
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization')
  })
})

describe('routes beside the API', () => {
  it('serves a route, guarded by the token when it asks for auth', async () => {
    const { server } = await startApi({ token: TOKEN, readsNeedToken: true, routes: [metricsRoute(true)] })
    const url = new URL('/metrics', server.url)
    expect((await fetch(url)).status).toBe(401)
    const loopback = await startApi({ token: TOKEN, routes: [metricsRoute(true)] })
    expect((await fetch(new URL('/metrics', loopback.server.url))).status).toBe(200)
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('peerchain_head_height 7')
  })

  it('serves a public route without the token, still behind the Host allowlist', async () => {
    const { server } = await startApi({ routes: [{ ...metricsRoute(false), path: '/dashboard/' }] })
    const res = await fetch(new URL('/dashboard/app.js', server.url))
    expect(res.status).toBe(200)
    // GET / from a browser goes to the dashboard; POST / is still the API.
    const root = await fetch(server.url, { redirect: 'manual' })
    expect(root.status).toBe(302)
    expect(root.headers.get('location')).toBe('/dashboard/')
    expect((await post(server.url, headCall)).status).toBe(200)
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(new URL('/dashboard/', server.url), { headers: { host: 'evil.example' } }, (r) => {
        r.resume()
        resolve(r.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(403)
  })

  it('answers 500 when a route throws, and keeps serving', async () => {
    const failing: HttpRoute = {
      path: '/metrics',
      auth: false,
      handle: () => {
        throw new Error('boom')
      },
    }
    const { server, internalErrors } = await startApi({ routes: [failing] })
    expect((await fetch(new URL('/metrics', server.url))).status).toBe(500)
    expect(internalErrors).toHaveLength(1)
    expect((await post(server.url, headCall)).status).toBe(200)
  })

  it('still answers 404 for paths no route claims', async () => {
    const { server } = await startApi({ routes: [metricsRoute(false)] })
    expect((await fetch(new URL('/metricsx', server.url))).status).toBe(404)
  })
})
