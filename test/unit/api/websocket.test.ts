import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { type ClientOptions, WebSocket } from 'ws'
import { type RpcSocket, RpcTransportError } from '../../../src/api/client.js'
import type { HeadJson, MempoolTxJson } from '../../../src/api/json.js'
import { toHex } from '../../../src/util/bytes.js'
import { transfer } from '../../helpers/chain.js'
import { type Harness, onCleanup, rpcError, startApi } from './harness.js'

async function socketOf(h: Harness): Promise<RpcSocket> {
  const socket = await h.client.socket()
  onCleanup(() => socket.close())
  return socket
}

/** A bare ws client, for sending what RpcSocket never would. */
async function rawWs(url: string, options: ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, options)
  onCleanup(async () => ws.terminate())
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return ws
}

function nextMessage(ws: WebSocket): Promise<{ id: unknown; error?: { code: number }; result?: unknown }> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()))))
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)))
}

/** Completes the WebSocket handshake over a plain TCP socket and hands the socket back. */
async function rawUpgrade(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1')
  onCleanup(async () => void socket.destroy())
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  socket.write(
    [
      'GET / HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  )
  const head = await new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())))
  expect(head).toMatch(/^HTTP\/1\.1 101/)
  return socket
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

function head(height: number): HeadJson {
  return {
    hash: height.toString(16).padStart(64, '0'),
    height,
    totalWork: '1',
    timestamp: 0,
    stateRoot: '0'.repeat(64),
    finalizedHeight: null,
    finalizedHash: null,
  }
}

describe('calls over WebSocket', () => {
  it('answers calls like HTTP does', async () => {
    const h = await startApi()
    const socket = await socketOf(h)
    expect((await socket.call('chain_head')).height).toBe(0)
    const err = await rpcError(socket.call('chain_getBlock', { height: -1 }))
    expect(err.code).toBe(-32602)
  })

  it('answers a batch on one message', async () => {
    const h = await startApi()
    const ws = await rawWs(h.server.wsUrl)
    ws.send(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'chain_head' },
        { jsonrpc: '2.0', id: 2, method: 'x' },
      ]),
    )
    const answer = (await nextMessage(ws)) as unknown as Array<{ id: number }>
    expect(answer.map((r) => r.id)).toEqual([1, 2])
  })
})

describe('subscriptions', () => {
  it('delivers newHeads and releases the hook when the socket closes', async () => {
    const h = await startApi()
    const socket = await socketOf(h)
    const heads: HeadJson[] = []
    const sub = await socket.subscribe('newHeads', (head) => heads.push(head))
    expect(sub.id).toMatch(/^[0-9a-f]{16}$/)
    expect(h.node.headListeners.size).toBe(1)
    expect(h.server.subscriptionCount).toBe(1)

    const block = await h.node.mine()
    await waitFor(() => heads.length === 1)
    expect(heads[0]).toMatchObject({ hash: block.id, height: 1 })

    await socket.close()
    await waitFor(() => h.node.headListeners.size === 0)
    expect(h.server.subscriptionCount).toBe(0)
    expect(h.server.connectionCount).toBe(0)
  })

  it('sends notifications in the documented envelope', async () => {
    const h = await startApi()
    const ws = await rawWs(h.server.wsUrl)
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'subscribe', params: { topic: 'newHeads' } }))
    const { result: id } = await nextMessage(ws)
    const note = nextMessage(ws)
    h.node.emitHead(head(7))
    expect(await note).toEqual({
      jsonrpc: '2.0',
      method: 'subscription',
      params: { subscription: id, result: head(7) },
    })
  })

  it('delivers newPendingTransactions for admitted txs', async () => {
    const h = await startApi()
    const socket = await socketOf(h)
    const txs: MempoolTxJson[] = []
    await socket.subscribe('newPendingTransactions', (tx) => txs.push(tx))
    const tx = transfer(0, 1, 0n)
    await h.client.call('tx_submit', { tx: toHex(tx.bytes) })
    await waitFor(() => txs.length === 1)
    expect(txs[0]).toMatchObject({ hash: tx.id, nonce: '0', status: 'ready' })
  })

  it('stops delivering after unsubscribe, which answers false for an unknown id', async () => {
    const h = await startApi()
    const socket = await socketOf(h)
    const heads: HeadJson[] = []
    const sub = await socket.subscribe('newHeads', (head) => heads.push(head))
    expect(await sub.unsubscribe()).toBe(true)
    expect(h.node.headListeners.size).toBe(0)
    expect(await sub.unsubscribe()).toBe(false)
    h.node.emitHead(head(1))
    expect((await socket.call('chain_head')).height).toBe(0) // a round trip: any notification would be here by now
    expect(heads).toEqual([])
  })

  it('validates the topic and caps subscriptions per connection', async () => {
    const h = await startApi({ wsSubscriptionsMax: 2 })
    const socket = await socketOf(h)
    const err = await rpcError(socket.call('subscribe', { topic: 'logs' } as unknown as { topic: 'newHeads' }))
    expect(err.code).toBe(-32602)
    expect(err.data).toMatchObject({ param: 'topic' })
    await socket.subscribe('newHeads', () => undefined)
    await socket.subscribe('newHeads', () => undefined)
    expect((await rpcError(socket.subscribe('newHeads', () => undefined))).code).toBe(-32003)
    expect(h.node.headListeners.size).toBe(2)
  })
})

describe('WebSocket robustness', () => {
  it('answers garbage text with -32700 and binary frames too, and keeps the connection', async () => {
    const h = await startApi()
    const ws = await rawWs(h.server.wsUrl)
    ws.send('{not json')
    expect(await nextMessage(ws)).toMatchObject({ id: null, error: { code: -32700 } })
    ws.send(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"chain_head"}'), { binary: true })
    expect(await nextMessage(ws)).toMatchObject({ id: null, error: { code: -32700 } })
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'chain_head' }))
    expect(await nextMessage(ws)).toMatchObject({ id: 5, result: { height: 0 } })
  })

  it('survives garbage frames on the socket', async () => {
    const h = await startApi()
    const raw = await rawUpgrade(h.server.port)
    const gone = new Promise<void>((resolve) => raw.once('close', () => resolve()))
    raw.write(randomBytes(4096))
    await gone
    // Invalid UTF-8 in a masked text frame.
    const bad = await rawUpgrade(h.server.port)
    const badGone = new Promise<void>((resolve) => bad.once('close', () => resolve()))
    bad.write(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xff, 0xfe]))
    await badGone
    await waitFor(() => h.server.connectionCount === 0)
    expect((await h.client.call('chain_head')).height).toBe(0)
  })

  it('closes a connection whose message is over the cap (1009), and serves others', async () => {
    const h = await startApi({ wsMessageBytesMax: 1024 })
    const ws = await rawWs(h.server.wsUrl)
    const code = closed(ws)
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chain_head', params: { pad: 'x'.repeat(2000) } }))
    expect(await code).toBe(1009)
    const socket = await socketOf(h)
    expect((await socket.call('chain_head')).height).toBe(0)
  })

  it('caps the requests in flight on one connection', async () => {
    const h = await startApi({ wsInflightMax: 1 })
    let open = (): void => undefined
    h.node.connectGate = new Promise((resolve) => {
      open = resolve
    })
    const socket = await socketOf(h)
    const slow = socket.call('net_connect', { multiaddr: '/ip4/10.0.0.1/tcp/1/p2p/QmA' })
    const refused = await rpcError(socket.call('chain_head'))
    expect(refused.code).toBe(-32004)
    open()
    expect(await slow).toEqual({ peerId: 'QmA' })
    expect((await socket.call('chain_head')).height).toBe(0)
  })

  it('refuses browser origins not allowed, other paths, and connections over the cap', async () => {
    const h = await startApi({ wsConnectionsMax: 1, allowedOrigins: ['http://dashboard.local'] })
    await expect(rawWs(h.server.wsUrl, { origin: 'https://evil.example' })).rejects.toThrow(/403/)
    await expect(rawWs(`${h.server.wsUrl}other`)).rejects.toThrow(/404/)
    await rawWs(h.server.wsUrl, { origin: 'http://dashboard.local' })
    await expect(rawWs(h.server.wsUrl)).rejects.toThrow(/503/)
  })

  it('drops a client that does not read instead of queueing without bound', async () => {
    const h = await startApi({ wsBufferedBytesMax: 64 * 1024 })
    const raw = await rawUpgrade(h.server.port)
    raw.pause() // never reads: the kernel buffers fill, then the server's queue grows
    const subscribe = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'subscribe', params: { topic: 'newHeads' } })
    const payload = Buffer.from(subscribe)
    const mask = Buffer.alloc(4) // a zero mask leaves the payload as is
    raw.write(
      Buffer.concat([Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]), mask, payload]),
    )
    await waitFor(() => h.server.subscriptionCount === 1)
    const big: HeadJson = { ...head(1), stateRoot: 'f'.repeat(256 * 1024) }
    for (let i = 0; i < 400 && h.server.connectionCount > 0; i++) h.node.emitHead(big)
    await waitFor(() => h.server.connectionCount === 0)
    expect(h.node.headListeners.size).toBe(0)
  })

  it('close() closes every socket and releases every subscription', async () => {
    const h = await startApi()
    const socket = await socketOf(h)
    await socket.subscribe('newHeads', () => undefined)
    h.node.connectGate = new Promise(() => undefined)
    const pending = socket
      .call('net_connect', { multiaddr: '/ip4/10.0.0.1/tcp/1/p2p/QmA' })
      .catch((err: unknown) => err)
    await h.server.close()
    expect(h.node.headListeners.size).toBe(0)
    await waitFor(() => !socket.isOpen)
    expect(await pending).toBeInstanceOf(RpcTransportError)
    await expect(socket.call('chain_head')).rejects.toBeInstanceOf(RpcTransportError)
  })
})
