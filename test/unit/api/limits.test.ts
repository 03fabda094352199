/** The RPC server's own limits: connections (in all and per address), each address's call rate, and a batch's answer bytes. */
import { connect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { RpcCode } from '../../../src/api/errors.js'
import { ManualClock } from '../../../src/util/clock.js'
import { onCleanup, post, startApi } from './harness.js'

const call = (method: string, id: number, params?: unknown) => ({ jsonrpc: '2.0', id, method, params })
const batchOf = (n: number, method = 'node_info') =>
  JSON.stringify(Array.from({ length: n }, (_, i) => call(method, i)))

/** An idle TCP socket from `localAddress`; resolves once connected, and reports whether the server closed it. */
function openSocket(port: number, localAddress = '127.0.0.1'): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress })
    onCleanup(async () => {
      socket.destroy()
    })
    const closed = new Promise<void>((done) => socket.once('close', () => done()))
    socket.once('error', () => undefined)
    socket.once('connect', () => resolve({ socket, closed }))
    socket.once('error', reject)
  })
}

const isClosedSoon = (closed: Promise<void>, ms = 500): Promise<boolean> =>
  Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))])

/** POSTs from `localAddress` (loopback has all of 127.0.0.0/8, so one test can be several clients). */
function postFrom(url: string, body: string, localAddress: string): Promise<{ status: number; json: unknown }> {
  return import('node:http').then(
    ({ request }) =>
      new Promise((resolve, reject) => {
        const req = request(
          url,
          { method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json' } },
          (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c: Buffer) => chunks.push(c))
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }),
            )
          },
        )
        req.on('error', reject)
        req.end(body)
      }),
  )
}

describe('connection caps', () => {
  it('closes sockets past a quarter of connectionsMax from one address, and still serves another address', async () => {
    const { server } = await startApi({ connectionsMax: 8 })
    const held = [await openSocket(server.port), await openSocket(server.port)]
    const third = await openSocket(server.port)
    expect(await isClosedSoon(third.closed)).toBe(true)
    for (const s of held) expect(await isClosedSoon(s.closed, 50)).toBe(false)
    expect(server.refusedConnectionCount).toBe(1)
    const other = await postFrom(server.url, JSON.stringify(call('chain_head', 1)), '127.0.0.2')
    expect(other.status).toBe(200)
    // A slot freed is a slot given again.
    held[0]?.socket.destroy()
    await held[0]?.closed
    // The server sees the close a moment after the client does: try until the slot is given again.
    let kept = false
    for (let i = 0; i < 20 && !kept; i++) {
      const again = await openSocket(server.port)
      kept = !(await isClosedSoon(again.closed, 100))
    }
    expect(kept).toBe(true)
  })

  it('closes sockets past connectionsMax in all, whatever their address', async () => {
    const { server } = await startApi({ connectionsMax: 4, connectionsPerClientMax: 4 })
    const held = []
    for (let i = 0; i < 4; i++) held.push(await openSocket(server.port, `127.0.0.${i + 2}`))
    const fifth = await openSocket(server.port, '127.0.0.9')
    expect(await isClosedSoon(fifth.closed)).toBe(true)
    expect(server.refusedConnectionCount).toBe(1)
  })
})

describe('per-client call rate', () => {
  it('answers HTTP 429 with RATE_LIMITED and Retry-After once an address spends its calls, counting each call of a batch', async () => {
    const clock = new ManualClock(1_000_000)
    const { server } = await startApi({ clientCallsPerSec: 10, clientBurstSec: 2, clock })
    // A burst of 20 calls: one batch of 15, then 5 single calls.
    expect((await post(server.url, batchOf(15))).status).toBe(200)
    for (let i = 0; i < 5; i++) expect((await post(server.url, JSON.stringify(call('chain_head', i)))).status).toBe(200)
    const limited = await post(server.url, JSON.stringify(call('chain_head', 99)))
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('1')
    expect(limited.json.error.code).toBe(RpcCode.RATE_LIMITED)
    expect(limited.json.error.message).toMatch(/rate limited: a client may make 10 calls a second/)
    // Another address has its own calls.
    expect((await postFrom(server.url, JSON.stringify(call('chain_head', 1)), '127.0.0.3')).status).toBe(200)
    clock.advance(100) // one call's worth
    expect((await post(server.url, JSON.stringify(call('chain_head', 1)))).status).toBe(200)
    expect((await post(server.url, JSON.stringify(call('chain_head', 2)))).status).toBe(429)
  })

  it('holds over WebSocket: a message past the rate gets RATE_LIMITED, the socket stays open', async () => {
    const clock = new ManualClock(1_000_000)
    const { client, server } = await startApi({ clientCallsPerSec: 2, clientBurstSec: 1, clock })
    expect(server.port).toBeGreaterThan(0)
    const socket = await client.socket()
    onCleanup(() => socket.close())
    await socket.call('chain_head')
    await socket.call('chain_head')
    await expect(socket.call('chain_head')).rejects.toMatchObject({ code: RpcCode.RATE_LIMITED })
    clock.advance(500)
    expect((await socket.call('chain_head')).height).toBe(0)
  })
})

describe("a batch's answer bytes", () => {
  it('stops running a batch once its answers reach batchResponseBytesMax, and says which calls did not run', async () => {
    const { server, node } = await startApi({ batchResponseBytesMax: 1500 })
    const one = (await post(server.url, JSON.stringify(call('node_info', 0)))).text.length
    const fits = Math.ceil(1500 / one)
    const body = JSON.stringify([
      ...Array.from({ length: 30 }, (_, i) => call('node_info', i)),
      call('miner_start', 30),
    ])
    const res = await post(server.url, body)
    expect(res.status).toBe(200)
    expect(res.json).toHaveLength(31)
    const ran = res.json.filter((r: { result?: unknown }) => r.result !== undefined)
    expect(ran.length).toBe(fits)
    const refused = res.json.slice(fits)
    for (const r of refused) {
      expect(r.error.code).toBe(RpcCode.RESPONSE_TOO_LARGE)
      expect(r.error.data).toEqual({ batchResponseBytesMax: 1500, firstNotRun: fits })
    }
    expect(refused.map((r: { id: number }) => r.id)).toEqual(Array.from({ length: 31 - fits }, (_, i) => fits + i))
    // The call past the cap never ran.
    expect(node.mining).toBe(false)
    expect(res.text.length).toBeLessThan(1500 + one + refused.length * 300)
  })

  it('leaves a single call and a batch under the cap alone', async () => {
    const { server } = await startApi({ batchResponseBytesMax: 1500 })
    const res = await post(server.url, batchOf(2))
    expect(res.json.every((r: { result?: unknown }) => r.result !== undefined)).toBe(true)
  })
})
