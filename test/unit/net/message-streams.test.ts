/**
 * Message streams over libp2p's in-memory stream pairs (@libp2p/utils): the
 * real lpStream framing and stream events, no sockets.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { MessageSender, serveMessages } from '../../../src/net/message-streams.js'
import { type MessageLimits, RequestError } from '../../../src/net/network.js'

const LIMITS: MessageLimits = { messageBytesMax: 64, queuedBytesMax: 256, timeoutMs: 2_000 }
const enc = new TextEncoder()
const dec = new TextDecoder()
const noLog = (): void => {}

interface Received {
  peer: string
  text: string
}

/** A sender whose every opened stream is served by `serveMessages` as peer `from`. */
function wire(options: { limits?: MessageLimits; handler?: (text: string) => void } = {}) {
  const limits = options.limits ?? LIMITS
  const received: Received[] = []
  const served: Stream[] = []
  const opened: Array<{ peer: string; protocol: string; stream: Stream }> = []
  const handle = serveMessages(
    '/test/msg/1',
    (message, peer) => {
      const text = dec.decode(message)
      options.handler?.(text)
      received.push({ peer, text })
    },
    limits,
    noLog,
  )
  const sender = new MessageSender(async (peer, protocol) => {
    const [outbound, inbound] = await streamPair()
    served.push(inbound)
    opened.push({ peer, protocol, stream: outbound })
    void handle(inbound, { remotePeer: { toString: () => 'from' } } as unknown as Connection)
    return outbound
  }, noLog)
  return { sender, received, served, opened, limits }
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
  if (!cond()) throw new Error(`timed out waiting for ${what}`)
}

describe('message streams', () => {
  it('carries many messages in order on one stream per peer and protocol, opened by the first', async () => {
    const { sender, received, opened } = wire()
    await Promise.all(['a', 'b', 'c', 'd'].map((text) => sender.send('p1', '/test/msg/1', enc.encode(text), LIMITS)))
    await sender.send('p1', '/test/msg/1', enc.encode('e'), LIMITS)
    await until('five messages', () => received.length === 5)
    expect(received.map((r) => r.text)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(received.every((r) => r.peer === 'from')).toBe(true)
    expect(sender.opened).toBe(1)

    await sender.send('p2', '/test/msg/1', enc.encode('to p2'), LIMITS)
    await sender.send('p1', '/test/other/1', enc.encode('other protocol'), LIMITS)
    expect(opened.map((o) => `${o.peer} ${o.protocol}`)).toEqual([
      'p1 /test/msg/1',
      'p2 /test/msg/1',
      'p1 /test/other/1',
    ])
  })

  it('refuses a message past messageBytesMax, and one that would queue past queuedBytesMax, without losing the others', async () => {
    const limits = { ...LIMITS, messageBytesMax: 40, queuedBytesMax: 60 }
    const { sender, received } = wire({ limits })
    const tooLarge = await sender.send('p1', '/test/msg/1', new Uint8Array(41), limits).catch((err: unknown) => err)
    expect(tooLarge).toBeInstanceOf(RequestError)
    expect((tooLarge as RequestError).code).toBe('TOO_LARGE')
    expect(sender.opened).toBe(0)

    // the first two wait for the stream to open: 30 + 30 bytes queued, a third would pass 60
    const first = sender.send('p1', '/test/msg/1', enc.encode('x'.repeat(30)), limits)
    const second = sender.send('p1', '/test/msg/1', enc.encode('y'.repeat(30)), limits)
    const third = await sender.send('p1', '/test/msg/1', enc.encode('z'), limits).catch((err: unknown) => err)
    expect((third as RequestError).code).toBe('TOO_LARGE')
    await Promise.all([first, second])
    await sender.send('p1', '/test/msg/1', enc.encode('after'), limits)
    await until('three messages', () => received.length === 3)
    expect(received.map((r) => r.text)).toEqual(['x'.repeat(30), 'y'.repeat(30), 'after'])
  })

  it('the receiver resets the stream on a message past its limit, and the sender opens a new one next time', async () => {
    const small = { ...LIMITS, messageBytesMax: 8 }
    const { sender, received, served } = wire({ limits: small })
    await sender.send('p1', '/test/msg/1', enc.encode('ok'), LIMITS)
    // a sender with a larger limit than the receiver's
    await sender.send('p1', '/test/msg/1', enc.encode('far too long for it'), LIMITS)
    await until('the reset', () => served[0]?.status !== 'open')
    expect(['reset', 'aborted']).toContain(served[0]?.status)
    await until('the sender to see it', () => {
      void sender.send('p1', '/test/msg/1', enc.encode('again'), LIMITS).catch(() => {})
      return sender.opened === 2
    })
    await until('the message on the new stream', () => received.some((r) => r.text === 'again'))
    expect(received[0]?.text).toBe('ok')
    expect(received.some((r) => r.text === 'far too long for it')).toBe(false)
  })

  it('a stream that closes under the sender is dropped: the next message opens another', async () => {
    const { sender, received, opened } = wire()
    await sender.send('p1', '/test/msg/1', enc.encode('one'), LIMITS)
    opened[0]?.stream.abort(new Error('connection lost'))
    await sender.send('p1', '/test/msg/1', enc.encode('two'), LIMITS)
    await until('two', () => received.some((r) => r.text === 'two'))
    expect(sender.opened).toBe(2)
  })

  it('a stream that cannot be opened fails the messages queued on it with a RequestError, and is not kept', async () => {
    let fail = true
    const [outbound] = await streamPair()
    const sender = new MessageSender(async () => {
      if (fail) throw Object.assign(new Error('no protocol'), { name: 'UnsupportedProtocolError' })
      return outbound as Stream
    }, noLog)
    const failures = await Promise.all(
      ['a', 'b'].map((text) => sender.send('p1', '/test/msg/1', enc.encode(text), LIMITS).catch((err: unknown) => err)),
    )
    for (const err of failures) expect((err as RequestError).code).toBe('PROTOCOL')
    fail = false
    await sender.send('p1', '/test/msg/1', enc.encode('c'), LIMITS)
    expect(sender.opened).toBe(2)
  })

  it('a handler that throws loses that message only; the stream reads on; a closed sender ends it cleanly', async () => {
    const { sender, received, served, opened } = wire({
      handler: (text) => {
        if (text === 'boom') throw new Error('handler bug')
      },
    })
    for (const text of ['before', 'boom', 'after']) await sender.send('p1', '/test/msg/1', enc.encode(text), LIMITS)
    await until('after', () => received.some((r) => r.text === 'after'))
    expect(received.map((r) => r.text)).toEqual(['before', 'after'])
    await opened[0]?.stream.close()
    await until('the served side to close', () => served[0]?.status === 'closed')
  })
})
