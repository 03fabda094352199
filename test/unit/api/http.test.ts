import { request } from 'node:http'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { RpcClient, RpcTransportError } from '../../../src/api/client.js'
import { RpcServer } from '../../../src/api/server.js'
import { FakeNode } from './fake-node.js'
import { onCleanup, post, rpcError, startApi } from './harness.js'

const call = (method: string, id: unknown = 1, params?: unknown) =>
  JSON.stringify(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params })

/** A raw request with a Host header of our choosing (fetch does not let us set it). */
function rawPost(url: string, host: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { host, 'content-type': 'application/json' } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('binding and lifecycle', () => {
  it('binds 127.0.0.1 on the port asked for (0 = any free one) and exposes the URLs', async () => {
    const { server } = await startApi()
    expect(server.port).toBeGreaterThan(0)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`)
    expect(server.wsUrl).toBe(`ws://127.0.0.1:${server.port}/`)
  })

  it('rejects start() when the port is taken, and close() is idempotent', async () => {
    const { server, node } = await startApi()
    const second = new RpcServer(node, { port: server.port })
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/)
    await second.close()
    await server.close()
    await server.close()
    await expect(new RpcClient(server.url).call('chain_head')).rejects.toBeInstanceOf(RpcTransportError)
  })
})

describe('JSON-RPC framing', () => {
  it('answers a parse error with -32700 and id null', async () => {
    const { server } = await startApi()
    for (const body of ['{"jsonrpc":"2.0","id":1,', 'nope', '']) {
      const res = await post(server.url, body)
      expect(res.status).toBe(200)
      expect(res.json).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.any(String) } })
    }
  })

  it('answers a body that is not UTF-8 with -32700', async () => {
    const { server } = await startApi()
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from([0x22, 0xff, 0xfe, 0x22]),
    })
    expect((await res.json()).error.code).toBe(-32700)
  })

  it('answers malformed requests with -32600', async () => {
    const { server } = await startApi()
    const cases: Array<[unknown, unknown]> = [
      [1, null],
      ['"x"', null],
      [{ id: 1, method: 'chain_head' }, 1],
      [{ jsonrpc: '1.0', id: 2, method: 'chain_head' }, 2],
      [{ jsonrpc: '2.0', id: 3, method: 7 }, 3],
      [{ jsonrpc: '2.0', id: { a: 1 }, method: 'chain_head' }, null],
      [{ jsonrpc: '2.0', id: 4, method: 'chain_head', params: 'x' }, 4],
      [{ jsonrpc: '2.0', method: 7 }, null],
    ]
    for (const [request, id] of cases) {
      const res = await post(server.url, typeof request === 'string' ? request : JSON.stringify(request))
      expect(res.json, JSON.stringify(request)).toEqual({
        jsonrpc: '2.0',
        id,
        error: { code: -32600, message: expect.any(String) },
      })
    }
  })

  it('echoes string, number and null ids', async () => {
    const { server } = await startApi()
    for (const id of ['abc', 7, null]) {
      const res = await post(server.url, call('chain_head', id))
      expect(res.json.id).toBe(id)
      expect(res.json.result.height).toBe(0)
    }
  })

  it('answers an unknown method with -32601', async () => {
    const { server } = await startApi()
    const res = await post(server.url, call('eth_blockNumber', 9))
    expect(res.json).toEqual({
      jsonrpc: '2.0',
      id: 9,
      error: { code: -32601, message: expect.stringContaining('eth_') },
    })
  })

  it('runs a notification and answers nothing (204)', async () => {
    const { server, node } = await startApi()
    const res = await post(server.url, JSON.stringify({ jsonrpc: '2.0', method: 'miner_start' }))
    expect(res.status).toBe(204)
    expect(res.text).toBe('')
    expect(node.mining).toBe(true)
  })
})

describe('batches', () => {
  it('answers each request of a batch in order, leaving out notifications', async () => {
    const { server, node } = await startApi()
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'chain_head' },
      { jsonrpc: '2.0', method: 'miner_start' },
      { jsonrpc: '2.0', id: 2, method: 'nope' },
      { jsonrpc: '2.0', id: 3, method: 'chain_getBlock', params: { height: -1 } },
      42,
      { jsonrpc: '2.0', id: 'x', method: 'net_peers' },
    ]
    const res = await post(server.url, JSON.stringify(batch))
    expect(res.json.map((r: { id: unknown }) => r.id)).toEqual([1, 2, 3, null, 'x'])
    expect(res.json[0].result.height).toBe(0)
    expect(res.json[1].error.code).toBe(-32601)
    expect(res.json[2].error.code).toBe(-32602)
    expect(res.json[3].error.code).toBe(-32600)
    expect(res.json[4].result).toEqual(node.peerList)
    expect(node.mining).toBe(true)
  })

  it('answers a batch of notifications only with 204', async () => {
    const { server } = await startApi()
    const res = await post(server.url, JSON.stringify([{ jsonrpc: '2.0', method: 'miner_stop' }]))
    expect(res.status).toBe(204)
  })

  it('refuses an empty batch and a batch over the cap with one -32600', async () => {
    const { server } = await startApi({ batchMax: 3 })
    expect((await post(server.url, '[]')).json).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'empty batch' },
    })
    const four = JSON.stringify(Array.from({ length: 4 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'chain_head' })))
    const res = await post(server.url, four)
    expect(res.json).toMatchObject({ id: null, error: { code: -32600, data: { batchMax: 3 } } })
  })
})

describe('HTTP limits and checks', () => {
  it('answers a body over the cap with 413 and REQUEST_TOO_LARGE, with or without Content-Length', async () => {
    const { server, client } = await startApi({ bodyBytesMax: 1024 })
    const big = call('net_connect', 1, { multiaddr: `/${'a'.repeat(2000)}` })
    const declared = await post(server.url, big)
    expect(declared.status).toBe(413)
    expect(declared.json).toMatchObject({ id: null, error: { code: -32001, data: { bodyBytesMax: 1024 } } })

    // Chunked, with no end in sight: the server answers and hangs up instead of reading on.
    const endless = Readable.toWeb(
      Readable.from(
        (function* () {
          for (;;) yield Buffer.alloc(64 * 1024, 0x20)
        })(),
      ),
    )
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: endless as unknown as BodyInit,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(413)
    expect((await res.json()).error.code).toBe(-32001)

    // The client surfaces it as an RpcError, and the server still serves.
    const err = await rpcError(client.call('net_connect', { multiaddr: `/${'a'.repeat(1000)}` }))
    expect(err.code).toBe(-32001)
    expect((await client.call('chain_head')).height).toBe(0)
  })

  it('serves POST / only', async () => {
    const { server } = await startApi()
    const get = await fetch(server.url)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    expect((await post(`${server.url}rpc`, call('chain_head'))).status).toBe(404)
    expect((await post(`${server.url}?x=1`, call('chain_head'))).status).toBe(200)
  })

  it('requires Content-Type application/json and an uncompressed body', async () => {
    const { server } = await startApi()
    expect((await post(server.url, call('chain_head'), { 'content-type': 'text/plain' })).status).toBe(415)
    const form = await post(server.url, call('chain_head'), { 'content-type': 'application/x-www-form-urlencoded' })
    expect(form.status).toBe(415)
    const charset = await post(server.url, call('chain_head'), { 'content-type': 'Application/JSON; charset=utf-8' })
    expect(charset.status).toBe(200)
    expect((await post(server.url, call('chain_head'), { 'content-encoding': 'gzip' })).status).toBe(415)
  })

  it('refuses Host names it does not know (DNS rebinding), unless allowed', async () => {
    const { server } = await startApi()
    const body = call('chain_head')
    expect(await rawPost(server.url, 'evil.example:80', body)).toBe(403)
    expect(await rawPost(server.url, `localhost:${server.port}`, body)).toBe(200)
    expect(await rawPost(server.url, `127.0.0.1:${server.port}`, body)).toBe(200)
    expect(await rawPost(server.url, `[::1]:${server.port}`, body)).toBe(200)

    const node = await FakeNode.open()
    onCleanup(() => node.close())
    const open = new RpcServer(node, { port: 0, allowedHosts: ['*'] })
    await open.start()
    onCleanup(() => open.close())
    expect(await rawPost(open.url, 'evil.example', body)).toBe(200)
  })

  it('adds no CORS headers', async () => {
    const { server } = await startApi()
    const res = await post(server.url, call('chain_head'), { origin: 'https://example.com' })
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })
})
