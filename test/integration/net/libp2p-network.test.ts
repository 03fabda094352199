/**
 * The libp2p-backed Network with real nodes over TCP on 127.0.0.1 (port 0),
 * in one process. Every node is stopped in afterEach, whatever the test did.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createNetwork, type NetworkInit } from '../../../src/net/libp2p-network.js'
import {
  type GossipVerdict,
  type MessageLimits,
  type Network,
  RequestError,
  type RequestLimits,
} from '../../../src/net/network.js'
import { SCORE_BAN_THRESHOLD } from '../../../src/net/scores.js'

const CHAIN_ID = 'testnet'
const enc = new TextEncoder()
const dec = new TextDecoder()

const running: Network[] = []
const dirs: string[] = []

afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((n) => n.stop()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function startNode(init: Partial<NetworkInit> = {}): Promise<Network> {
  const network = await createNetwork({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    chainId: CHAIN_ID,
    localCluster: true,
    ...init,
  })
  running.push(network)
  await network.start()
  return network
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peerchain-net-'))
  dirs.push(dir)
  return dir
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const connected = (a: Network, b: Network) => a.peers().some((p) => p.id === b.peerId)
const addr = (n: Network) => n.listenAddresses()[0]!

/**
 * `banned` dials `node`, which refuses it. With Noise's early muxer negotiation
 * the dialer may see its dial succeed before `node` (which checks bans right
 * after the handshake) closes the connection, so assert the outcome instead.
 */
async function expectRefused(node: Network, banned: Network): Promise<void> {
  await banned.dial(addr(node)).catch(() => {})
  await waitFor('the refused connection to close', () => !connected(banned, node))
  expect(connected(node, banned)).toBe(false)
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

describe('libp2p network: connections and discovery', () => {
  it('with mDNS on, two nodes on this machine find each other with no bootstrap list', async () => {
    const a = await startNode({ mdns: true })
    const b = await startNode({ mdns: true })
    await waitFor('mDNS to connect the nodes', () => connected(a, b) || connected(b, a), 20_000)
  })

  it('connects nodes through a bootstrap address, over TCP and WebSockets, with one event per peer', async () => {
    const b = await startNode({ listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'], dhtServer: true })
    const wsAddr = b.listenAddresses().find((a) => a.includes('/ws/'))
    expect(wsAddr).toBeDefined()
    expect(b.listenAddresses().every((a) => a.endsWith(`/p2p/${b.peerId}`))).toBe(true)

    const a = await createNetwork({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [addr(b)],
      chainId: CHAIN_ID,
      localCluster: true,
    })
    running.push(a)
    const connects: string[] = []
    a.on('peer:connect', (peer) => connects.push(peer))
    await a.start()
    const c = await startNode({ bootstrap: [wsAddr!] })

    await waitFor(
      'A and C connected to B',
      () => connected(a, b) && connected(c, b) && connected(b, a) && connected(b, c),
    )
    expect(a.peers().find((p) => p.id === b.peerId)).toMatchObject({ direction: 'outbound', score: 0 })
    expect(b.peers().find((p) => p.id === a.peerId)?.direction).toBe('inbound')
    expect(
      c
        .peers()
        .find((p) => p.id === b.peerId)
        ?.addresses.some((x) => x.includes('/ws')),
    ).toBe(true)
    expect(connects.filter((p) => p === b.peerId)).toHaveLength(1)

    const disconnects: string[] = []
    b.on('peer:disconnect', (peer) => disconnects.push(peer))
    await a.stop()
    await waitFor('B sees A leave', () => disconnects.includes(a.peerId))
    expect(disconnects.filter((p) => p === a.peerId)).toHaveLength(1)
  })

  it('refuses inbound connections beyond inboundMax', async () => {
    const b = await startNode({ inboundMax: 1 })
    const a = await startNode({ bootstrap: [addr(b)] })
    await waitFor('A connected to B', () => connected(a, b))
    const c = await startNode()
    await expect(c.dial(addr(b))).rejects.toThrow()
    expect(connected(b, c)).toBe(false)

    await a.stop()
    await waitFor('A gone from B', () => !connected(b, a))
    expect(await c.dial(addr(b))).toBe(b.peerId)
  })

  it('finds a peer beyond the bootstrap through the DHT and dials it', async () => {
    const b = await startNode({ dhtServer: true })
    const a = await startNode({ bootstrap: [addr(b)], dhtServer: true })
    const c = await startNode({ bootstrap: [addr(b)], dhtServer: true })
    await waitFor('A and C meet without being told about each other', () => connected(a, c), 20_000)
  })
})

describe('libp2p network: lab addresses, inbound caps, status deadline', () => {
  const labNode = (ip: string, init: Partial<NetworkInit> = {}) =>
    startNode({ lab: true, localCluster: false, listen: [`/ip4/${ip}/tcp/0`], ...init })

  it('in lab mode a node dials from its one 127.A.B.C address, so peers see and group it by that', async () => {
    const b = await labNode('127.0.77.1')
    const a = await labNode('127.0.78.1', { bootstrap: [addr(b)] })
    await waitFor('A and B connected', () => connected(a, b) && connected(b, a))
    const seenByB = b.peers().find((p) => p.id === a.peerId)
    expect(seenByB?.addresses[0]).toMatch(/^\/ip4\/127\.0\.78\.1\/tcp\/\d+/)
    expect(seenByB).toMatchObject({ group: 'lab:127.0.78', connectionType: 'inbound', direction: 'inbound' })
    expect(a.peers().find((p) => p.id === b.peerId)).toMatchObject({ group: 'lab:127.0.77', direction: 'outbound' })
  })

  it('refuses inbound connections past the per-IP cap, before any handshake', async () => {
    const b = await labNode('127.0.79.1', { inboundPerIpMax: 2 })
    const [a1, a2, a3] = [await labNode('127.0.80.1'), await labNode('127.0.80.1'), await labNode('127.0.80.1')]
    expect(await a1!.dial(addr(b))).toBe(b.peerId)
    expect(await a2!.dial(addr(b))).toBe(b.peerId)
    await expect(a3!.dial(addr(b))).rejects.toThrow()
    expect(connected(b, a3!)).toBe(false)
    // another IP of the same lab group is still welcome
    const c = await labNode('127.0.80.2')
    expect(await c.dial(addr(b))).toBe(b.peerId)
  })

  it('cuts a peer that does not complete the status exchange by the deadline, without banning it', async () => {
    const b = await startNode({ statusDeadlineMs: 400 })
    const a = await startNode()
    const disconnects: string[] = []
    b.on('peer:disconnect', (p) => disconnects.push(p))
    expect(await a.dial(addr(b))).toBe(b.peerId)
    await waitFor('B to cut A', () => disconnects.includes(a.peerId), 5_000)
    // not refused: it may come back (and would be cut again without a status)
    expect(await a.dial(addr(b))).toBe(b.peerId)

    const c = await startNode()
    b.on('peer:connect', (p) => {
      if (p === c.peerId) b.notePeerActivity(p, 'status')
    })
    expect(await c.dial(addr(b))).toBe(b.peerId)
    await sleep(1_000)
    expect(connected(b, c)).toBe(true)
  })
})

describe('libp2p network: gossip', () => {
  it('relays A → B → C only what B accepts; B rejects or ignores the rest, and C never sees it', async () => {
    const topic = `/peerchain/${CHAIN_ID}/tx/1`
    const b = await startNode({ dhtServer: true })
    const a = await startNode({ bootstrap: [addr(b)] })
    // C subscribes before it starts, as the node's composition root does
    const c = await createNetwork({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [addr(b)],
      chainId: CHAIN_ID,
      localCluster: true,
    })
    running.push(c)

    const seenByB: string[] = []
    const deliveredToB: string[] = []
    const deliveredToC: Array<{ text: string; from: string }> = []
    const verdictOf = (text: string): GossipVerdict =>
      text.startsWith('reject') ? 'reject' : text.startsWith('ignore') ? 'ignore' : 'accept'
    b.subscribe(
      topic,
      async (msg) => {
        seenByB.push(dec.decode(msg.data))
        return verdictOf(dec.decode(msg.data))
      },
      (msg) => deliveredToB.push(dec.decode(msg.data)),
    )
    c.subscribe(
      topic,
      async () => 'accept',
      (msg) => deliveredToC.push({ text: dec.decode(msg.data), from: msg.from }),
    )
    a.subscribe(
      topic,
      async () => 'accept',
      () => {},
    )
    // A and C refuse each other, so B is the only path between them
    await a.ban(c.peerId, 'test topology')
    await c.ban(a.peerId, 'test topology')
    await c.start()
    await waitFor('A–B and B–C connected', () => connected(a, b) && connected(c, b))

    // wait until B's mesh for the topic holds C: keep publishing until one message gets through
    for (let i = 0; !deliveredToC.some((m) => m.text.startsWith('warmup')); i++) {
      if (i > 200) throw new Error('no warm-up message reached C')
      await a.publish(topic, enc.encode(`warmup-${i}`))
      await sleep(50)
    }
    await a.publish(topic, enc.encode('reject-1'))
    await a.publish(topic, enc.encode('ignore-1'))
    await a.publish(topic, enc.encode('accept-final'))
    await waitFor('the accepted message reaches C', () => deliveredToC.some((m) => m.text === 'accept-final'))
    await sleep(200)

    expect(seenByB).toEqual(expect.arrayContaining(['reject-1', 'ignore-1', 'accept-final']))
    expect(deliveredToB).not.toContain('reject-1')
    expect(deliveredToB).not.toContain('ignore-1')
    expect(deliveredToB).toContain('accept-final')
    expect(deliveredToC.map((m) => m.text)).not.toContain('reject-1')
    expect(deliveredToC.map((m) => m.text)).not.toContain('ignore-1')
    expect(deliveredToC.every((m) => m.from === b.peerId)).toBe(true)
    expect(a.peers().some((p) => p.id === c.peerId)).toBe(false)
    // Publishing what the mesh already carried (our own message, or one relayed to us) is a no-op, not an error.
    await expect(a.publish(topic, enc.encode('accept-final'))).resolves.toBe(0)
    await expect(c.publish(topic, enc.encode('accept-final'))).resolves.toBe(0)
  })

  it('publishing with nobody subscribed resolves with 0 instead of throwing', async () => {
    const a = await startNode()
    await expect(a.publish(`/peerchain/${CHAIN_ID}/tx/1`, enc.encode('alone'))).resolves.toBe(0)
    // and the same bytes can be published again later (not remembered as already seen)
    await expect(a.publish(`/peerchain/${CHAIN_ID}/tx/1`, enc.encode('alone'))).resolves.toBe(0)
  })
})

describe('libp2p network: request/response', () => {
  const limits: RequestLimits = { requestBytesMax: 1024, responseBytesMax: 1024 * 1024, timeoutMs: 3_000 }

  async function pair(): Promise<{ a: Network; b: Network }> {
    const b = await startNode()
    await b.handle('/test/echo/1', async (req, peer) => enc.encode(`${dec.decode(req)} from ${peer}`), limits)
    await b.handle(
      '/test/fail/1',
      async () => {
        throw new Error('handler bug')
      },
      limits,
    )
    await b.handle('/test/stall/1', () => new Promise<Uint8Array>(() => {}), { ...limits, timeoutMs: 10_000 })
    await b.handle('/test/big/1', async () => new Uint8Array(64 * 1024), limits)
    const a = await startNode({ bootstrap: [addr(b)] })
    await waitFor('A connected to B', () => connected(a, b))
    return { a, b }
  }

  it('round-trips a request, and maps every failure to a RequestError code', async () => {
    const { a, b } = await pair()
    const reply = await a.request(b.peerId, '/test/echo/1', enc.encode('ping'), limits)
    expect(dec.decode(reply)).toBe(`ping from ${a.peerId}`)

    const failed = await rejectionOf(a.request(b.peerId, '/test/fail/1', enc.encode('x'), limits))
    expect(failed).toBeInstanceOf(RequestError)
    expect((failed as RequestError).code).toBe('RESET')

    const started = Date.now()
    const stalled = await rejectionOf(
      a.request(b.peerId, '/test/stall/1', enc.encode('x'), { ...limits, timeoutMs: 400 }),
    )
    expect((stalled as RequestError).code).toBe('TIMEOUT')
    expect(Date.now() - started).toBeLessThan(2_000)

    const big = await rejectionOf(
      a.request(b.peerId, '/test/big/1', enc.encode('x'), { ...limits, responseBytesMax: 1024 }),
    )
    expect((big as RequestError).code).toBe('TOO_LARGE')

    const tooBigRequest = await rejectionOf(a.request(b.peerId, '/test/echo/1', new Uint8Array(2048), limits))
    expect((tooBigRequest as RequestError).code).toBe('TOO_LARGE')

    // a request larger than the handler accepts is refused by the handler: the stream is reset
    const refused = await rejectionOf(
      a.request(b.peerId, '/test/echo/1', new Uint8Array(2048), { ...limits, requestBytesMax: 4096 }),
    )
    expect((refused as RequestError).code).toBe('RESET')

    const unknown = await rejectionOf(a.request(b.peerId, '/test/nope/1', enc.encode('x'), limits))
    expect((unknown as RequestError).code).toBe('PROTOCOL')

    // a peer whose known address no longer answers
    const gone = await startNode()
    await a.dial(addr(gone))
    await gone.stop()
    await waitFor('A sees the peer gone', () => !connected(a, gone))
    const unreachable = await rejectionOf(a.request(gone.peerId, '/test/echo/1', enc.encode('x'), limits))
    expect((unreachable as RequestError).code).toBe('DIAL_FAILED')

    // none of that broke the connection or the process
    expect(connected(a, b)).toBe(true)
    expect(dec.decode(await a.request(b.peerId, '/test/echo/1', enc.encode('again'), limits))).toBe(
      `again from ${a.peerId}`,
    )
  })
})

describe('libp2p network: message streams', () => {
  it('carries messages in order from each peer, refuses an unknown protocol, and recovers from a reset', async () => {
    const limits: MessageLimits = { messageBytesMax: 64, queuedBytesMax: 1024, timeoutMs: 3_000 }
    const b = await startNode()
    const got: string[] = []
    await b.handleMessages?.(
      '/test/msg/1',
      (message, peer) => void got.push(`${dec.decode(message)} from ${peer}`),
      limits,
    )
    const a = await startNode({ bootstrap: [addr(b)] })
    await waitFor('A connected to B', () => connected(a, b))
    const send = (text: string, l: MessageLimits = limits) =>
      a.sendMessage?.(b.peerId, '/test/msg/1', enc.encode(text), l)
    await Promise.all(['one', 'two', 'three'].map((text) => send(text)))
    await waitFor('three messages', () => got.length === 3)
    expect(got).toEqual(['one', 'two', 'three'].map((text) => `${text} from ${a.peerId}`))

    const unknown = await rejectionOf(
      a.sendMessage?.(b.peerId, '/test/nope/1', enc.encode('x'), limits) as Promise<void>,
    )
    expect((unknown as RequestError).code).toBe('PROTOCOL')

    // larger than B takes: B resets the stream; a later message goes on a new one
    await send('x'.repeat(100), { ...limits, messageBytesMax: 1024 })
    await waitFor('a message after the reset', () => {
      void send('after')?.catch(() => {})
      return got.includes(`after from ${a.peerId}`)
    })
    expect(got.some((line) => line.startsWith('xxx'))).toBe(false)
    expect(connected(a, b)).toBe(true)
  })
})

describe('libp2p network: identity, bans, known peers, scores', () => {
  it('keeps its peer id and its bans across a restart, and refuses a banned peer both ways', async () => {
    const dataDir = await tempDir()
    const b = await startNode()
    const a = await startNode({ dataDir, bootstrap: [addr(b)] })
    await waitFor('A connected to B', () => connected(a, b))
    const keyMode = (await import('node:fs/promises')).stat(join(dataDir, 'node-key'))
    expect((await keyMode).mode & 0o777).toBe(0o600)

    const connectsToA: string[] = []
    a.on('peer:connect', (peer) => connectsToA.push(peer))
    await a.ban(b.peerId, 'sent garbage')
    await waitFor('B disconnected', () => !connected(a, b) && !connected(b, a))
    expect(a.bans()).toEqual([{ peer: b.peerId, reason: 'sent garbage' }])
    await expectRefused(a, b)
    await expect(a.dial(addr(b))).rejects.toThrow()
    expect(connectsToA).not.toContain(b.peerId)
    const persisted = JSON.parse(await readFile(join(dataDir, 'bans.json'), 'utf8'))
    expect(persisted.bans.map((x: { peer: string }) => x.peer)).toEqual([b.peerId])

    const peerIdBefore = a.peerId
    await a.stop()
    const a2 = await startNode({ dataDir, bootstrap: [addr(b)] })
    expect(a2.peerId).toBe(peerIdBefore)
    expect(a2.bans()).toEqual([{ peer: b.peerId, reason: 'sent garbage' }])
    await expectRefused(a2, b)
    await sleep(300) // the bootstrap dial has had its chance
    expect(connected(a2, b)).toBe(false)

    await a2.unban(b.peerId)
    expect(await b.dial(addr(a2))).toBe(a2.peerId)
    await waitFor('connected again after unban', () => connected(a2, b))
  })

  it('redials a previously known peer after a restart with no bootstrap at all', async () => {
    const dataDir = await tempDir()
    const b = await startNode()
    const a = await startNode({ dataDir, bootstrap: [addr(b)] })
    // as the node does once the status exchange completes: the address we dialed becomes tried
    a.on('peer:connect', (peer) => a.notePeerActivity(peer, 'status'))
    await waitFor('A connected to B', () => connected(a, b))
    await waitFor('B tried', () => a.addrman().tried === 1)
    await a.stop()
    const addrman = JSON.parse(await readFile(join(dataDir, 'addrman.json'), 'utf8'))
    expect(addrman.tried.map((p: { peer: string }) => p.peer)).toEqual([b.peerId])

    const a2 = await startNode({ dataDir, bootstrap: [] })
    await waitFor('A reconnects to B from its address manager', () => connected(a2, b))
    expect(a2.peers().find((p) => p.id === b.peerId)?.direction).toBe('outbound')
  })

  it('discourages (never bans for good) a peer whose score falls to the threshold, not before', async () => {
    const dataDir = await tempDir()
    const b = await startNode()
    const a = await startNode({ dataDir, bootstrap: [addr(b)] })
    await waitFor('A connected to B', () => connected(a, b))

    a.reportPeer(b.peerId, 60, 'bad block')
    expect(a.peers().find((p) => p.id === b.peerId)?.score).toBe(-60)
    await sleep(200)
    expect(connected(a, b)).toBe(true)

    a.reportPeer(b.peerId, -SCORE_BAN_THRESHOLD - 60, 'another bad block')
    await waitFor('B disconnected', () => !connected(a, b) && !connected(b, a))
    await expectRefused(a, b)
    // discouragement lives in memory: no permanent ban, nothing written
    expect(a.bans()).toEqual([])
    await expect(readFile(join(dataDir, 'bans.json'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' })
    a.discourage(b.peerId, 'again')
    await a.unban(b.peerId)
    expect(await b.dial(addr(a))).toBe(a.peerId)
  })

  it('bans a subnet: its peers are disconnected, refused, and the ban is persisted', async () => {
    const dataDir = await tempDir()
    const b = await startNode()
    const a = await startNode({ dataDir, bootstrap: [addr(b)] })
    await waitFor('A connected to B', () => connected(a, b))
    await a.ban('127.0.0.1/32', 'the whole host')
    await waitFor('B disconnected', () => !connected(a, b) && !connected(b, a))
    await expectRefused(a, b)
    const persisted = JSON.parse(await readFile(join(dataDir, 'bans.json'), 'utf8'))
    expect(persisted.bans.map((x: { peer: string }) => x.peer)).toEqual(['127.0.0.1/32'])
    await expect(a.ban('300.1.1.1/8', 'typo')).rejects.toThrow('not a peer id or an IP subnet')
    await a.unban('127.0.0.1/32')
    expect(await b.dial(addr(a))).toBe(a.peerId)
  })

  it('gossipsub ignores a graylisted peer: one whose invalid messages (P4) and our charges sink its score', async () => {
    const topic = `/peerchain/${CHAIN_ID}/tx/1`
    const b = await createNetwork({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [],
      chainId: CHAIN_ID,
      localCluster: true,
      scoredTopics: [topic],
    })
    running.push(b)
    const seenByB: string[] = []
    b.subscribe(
      topic,
      async (msg) => {
        const text = dec.decode(msg.data)
        seenByB.push(text)
        return text.startsWith('invalid') ? 'reject' : 'accept'
      },
      () => {},
    )
    await b.start()
    const a = await startNode({ bootstrap: [addr(b)], scoredTopics: [topic] })
    a.subscribe(
      topic,
      async () => 'accept',
      () => {},
    )
    await waitFor('A connected to B', () => connected(a, b))
    for (let i = 0; !seenByB.some((m) => m.startsWith('warmup')); i++) {
      if (i > 200) throw new Error('no warm-up message reached B')
      await a.publish(topic, enc.encode(`warmup-${i}`))
      await sleep(50)
    }
    // 8 invalid messages cost 640 (P4); with our charge of 60 (×10) the score is below -1,100, yet above our ban threshold
    for (let i = 0; i < 8; i++) await a.publish(topic, enc.encode(`invalid-${i}`))
    await waitFor('B to see the invalid messages', () => seenByB.filter((m) => m.startsWith('invalid')).length === 8)
    b.reportPeer(a.peerId, 60, 'test charge')
    await sleep(1_500) // gossipsub refreshes its cached scores on its 1 s heartbeat
    for (let i = 0; i < 5; i++) await a.publish(topic, enc.encode(`after-${i}`)).catch(() => 0)
    await sleep(500)
    expect(connected(a, b)).toBe(true)
    expect(seenByB.filter((m) => m.startsWith('after'))).toEqual([])
  })
})
