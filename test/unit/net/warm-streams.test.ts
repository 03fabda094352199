/**
 * Requests on streams opened ahead (warm-streams.ts, request.ts), over
 * libp2p's in-memory stream pairs (@libp2p/utils) served by serveRequests:
 * the real lpStream framing and stream events, no sockets.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { RequestError, type RequestLimits } from '../../../src/net/network.js'
import { sendRequest, serveRequests } from '../../../src/net/request.js'
import { WARM_STREAMS_MAX, WarmStreams } from '../../../src/net/warm-streams.js'
import { HeldTimers } from '../relay/compact/harness.js'

const LIMITS: RequestLimits = { requestBytesMax: 64, responseBytesMax: 64, timeoutMs: 2_000 }
const PROTOCOL = '/test/req/1'
const enc = new TextEncoder()
const dec = new TextDecoder()

/** A requester whose every opened stream is served by serveRequests (echoing "re: <request>") as peer `from`. */
function wire() {
  const logs: string[] = []
  const served: Stream[] = []
  const opened: Stream[] = []
  const handle = serveRequests(
    PROTOCOL,
    async (request) => enc.encode(`re: ${dec.decode(request)}`),
    LIMITS,
    (msg) => logs.push(msg),
  )
  const open = async (_peer: string, _protocol: string): Promise<Stream> => {
    const [outbound, inbound] = await streamPair()
    served.push(inbound)
    opened.push(outbound)
    void handle(inbound, { remotePeer: { toString: () => 'from' } } as unknown as Connection)
    return outbound
  }
  const timers = new HeldTimers()
  const warm = new WarmStreams(open, timers, (msg) => logs.push(msg))
  const ask = (text: string) => sendRequest(open, 'p1', PROTOCOL, enc.encode(text), LIMITS, undefined, warm)
  return { warm, timers, served, opened, logs, ask, open }
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
  if (!cond()) throw new Error(`timed out waiting for ${what}`)
}

describe('requests on streams opened ahead', () => {
  it('opens the next stream once an answer is in, and the next request goes on it', async () => {
    const { warm, opened, ask } = wire()
    expect(dec.decode(await ask('one'))).toBe('re: one')
    // the request's own stream, then the one opened ahead for the next
    await until('the stream opened ahead', () => warm.stats.opened === 1)
    expect(opened).toHaveLength(2)

    expect(dec.decode(await ask('two'))).toBe('re: two')
    expect(warm.stats.taken).toBe(1)
    // the second request took the stream opened ahead (no stream of its own), then one more was opened ahead
    await until('the next stream opened ahead', () => warm.stats.opened === 2)
    expect(opened).toHaveLength(3)
    expect(opened[1]?.status).toBe('closed')
  })

  it('closes a stream unused for WARM_IDLE_MS; the server closes its side too, and logs no failure', async () => {
    const { warm, timers, served, logs, ask } = wire()
    await ask('one')
    await until('the stream opened ahead', () => warm.stats.opened === 1)
    timers.fireAll()
    expect(warm.stats.expired).toBe(1)
    await until('the server side to close', () => served[1]?.status === 'closed')
    expect(logs).toEqual([])
    // with nothing ready, the next request opens its own stream
    expect(dec.decode(await ask('two'))).toBe('re: two')
    expect(warm.stats.taken).toBe(0)
  })

  it('does not use a stream its server closed; the request goes on a new stream', async () => {
    const { warm, served, opened, ask } = wire()
    await ask('one')
    await until('the stream opened ahead', () => warm.stats.opened === 1)
    served[1]?.abort(new Error('server gave up'))
    await until('the reset to reach the requester', () => opened[1]?.status === 'reset')
    expect(dec.decode(await ask('two'))).toBe('re: two')
    expect(warm.stats.taken).toBe(0)
  })

  it('takes a new stream, within the same deadline, when the stream opened ahead fails as the request is written', async () => {
    const { warm, opened, ask } = wire()
    await ask('one')
    await until('the stream opened ahead', () => warm.stats.opened === 1)
    const ahead = opened[1] as Stream
    ahead.send = () => {
      throw Object.assign(new Error('reset under us'), { name: 'StreamResetError' })
    }
    expect(dec.decode(await ask('two'))).toBe('re: two')
    expect(warm.stats.taken).toBe(1)
    // one, ahead (failed), two's own, ahead again
    await until('the next stream opened ahead', () => opened.length === 4)
  })

  it('the server resets a stream that brings no request within its wait', async () => {
    const limits = { ...LIMITS, timeoutMs: 20 }
    const waitMs = 1_000
    const handle = serveRequests(
      PROTOCOL,
      async () => new Uint8Array(0),
      limits,
      () => {},
      waitMs,
    )
    const [outbound, inbound] = await streamPair()
    const started = performance.now()
    void handle(inbound, { remotePeer: { toString: () => 'from' } } as unknown as Connection)
    // past the exchange's timeoutMs, not yet past the wait: the wait is the larger
    await until('3 × timeoutMs to pass', () => performance.now() - started >= 3 * limits.timeoutMs)
    expect(inbound.status).toBe('open')
    await until('the reset', () => inbound.status !== 'open')
    expect(performance.now() - started).toBeGreaterThanOrEqual(waitMs - 5)
    expect(['reset', 'aborted']).toContain(inbound.status)
    await until('the reset to reach the requester', () => outbound.status === 'reset')
  })

  it('forgets a peer that left, and holds at most WARM_STREAMS_MAX streams', async () => {
    const { warm, opened, ask } = wire()
    await ask('one')
    await until('the stream opened ahead', () => warm.stats.opened === 1)
    warm.forget('p1')
    await until('the stream to close', () => opened[1]?.status === 'closed')
    expect(warm.take('p1', PROTOCOL)).toBeUndefined()

    let opens = 0
    const pool = new WarmStreams(
      async () => {
        opens++
        return new Promise<Stream>(() => {})
      },
      new HeldTimers(),
      () => {},
    )
    for (let i = 0; i < WARM_STREAMS_MAX + 10; i++) pool.prepare(`peer${i}`, PROTOCOL)
    pool.prepare('peer0', PROTOCOL)
    expect(opens).toBe(WARM_STREAMS_MAX)
  })

  it('still refuses an oversized request before opening anything', async () => {
    const { opened, warm } = wire()
    const err = await sendRequest(
      async () => {
        throw new Error('must not open')
      },
      'p1',
      PROTOCOL,
      new Uint8Array(65),
      LIMITS,
      undefined,
      warm,
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RequestError)
    expect((err as RequestError).code).toBe('TOO_LARGE')
    expect(opened).toEqual([])
  })
})
