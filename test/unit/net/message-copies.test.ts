import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { msgIdHex, tapMessageCopies } from '../../../src/net/message-copies.js'
import { PROTOCOLS_COUNTED_MAX, TrafficCounter } from '../../../src/net/traffic.js'

type Copy = [topic: string, msgId: string, from: string]

/** Gossipsub as far as the tap sees it: first copies as events, duplicates charged to the score. */
class FakeGossipsub extends EventTarget {
  readonly charged: string[] = []
  readonly score = {
    duplicateMessage: (from: string, _msgId: string, _topic: string) => {
      this.charged.push(from)
    },
  }
  first(msgId: string, topic: string, from: string): void {
    const detail = { msgId, propagationSource: { toString: () => from }, msg: { topic, data: new Uint8Array() } }
    this.dispatchEvent(new CustomEvent('gossipsub:message', { detail }))
  }
}

/** Floodsub as far as the tap sees it: every copy through processMessage. */
class FakeFloodsub extends EventTarget {
  readonly processed: string[] = []
  async processMessage(from: { toString(): string }, msg: { topic: string; data: Uint8Array }): Promise<void> {
    this.processed.push(`${from.toString()}:${msg.topic}`)
  }
}

describe('message copy taps', () => {
  it('gossipsub: the first copy from its event, every duplicate from the score, which still hears them', () => {
    const pubsub = new FakeGossipsub()
    const copies: Copy[] = []
    expect(tapMessageCopies(pubsub, 'self', (...copy) => copies.push(copy))).toBe('gossipsub')
    pubsub.first('AAE=', 'txs', 'p1')
    pubsub.score.duplicateMessage('p2', 'AAE=', 'txs')
    pubsub.score.duplicateMessage('p3', 'AAE=', 'txs')
    expect(copies).toEqual([
      ['txs', 'AAE=', 'p1'],
      ['txs', 'AAE=', 'p2'],
      ['txs', 'AAE=', 'p3'],
    ])
    expect(pubsub.charged).toEqual(['p2', 'p3'])
  })

  it('floodsub: every copy with its StrictNoSign id (SHA-256 of the data), never our own', async () => {
    const pubsub = new FakeFloodsub()
    const copies: Copy[] = []
    expect(tapMessageCopies(pubsub, 'self', (...copy) => copies.push(copy))).toBe('floodsub')
    const data = new Uint8Array([1, 2, 3])
    await pubsub.processMessage({ toString: () => 'p1' }, { topic: 'blocks', data })
    await pubsub.processMessage({ toString: () => 'p2' }, { topic: 'blocks', data })
    await pubsub.processMessage({ toString: () => 'self' }, { topic: 'blocks', data })
    const id = createHash('sha256').update(data).digest()
    expect(copies).toEqual([
      ['blocks', id.toString('base64'), 'p1'],
      ['blocks', id.toString('base64'), 'p2'],
    ])
    expect(msgIdHex(id.toString('base64'))).toBe(id.toString('hex'))
    expect(pubsub.processed).toHaveLength(3) // floodsub still processes every message
  })

  it('refuses a pubsub it cannot tap rather than count nothing', () => {
    expect(() => tapMessageCopies(new EventTarget(), 'self', () => {})).toThrow(/processMessage/)
    const noDuplicates = Object.assign(new EventTarget(), { score: {} })
    expect(() => tapMessageCopies(noDuplicates, 'self', () => {})).toThrow(/duplicateMessage/)
  })
})

/** A stream as libp2p hands it to metrics.trackProtocolStream: negotiated, `message` events in, `send` out. */
function fakeStream(protocol: string) {
  const stream = Object.assign(new EventTarget(), {
    protocol,
    send: (_data: Uint8Array) => true,
    receive(bytes: number) {
      const evt = Object.assign(new Event('message'), { data: new Uint8Array(bytes) })
      stream.dispatchEvent(evt)
    },
  })
  return stream
}

describe('TrafficCounter per protocol', () => {
  it('counts payload bytes in and out per negotiated protocol id', () => {
    const traffic = new TrafficCounter()
    const mesh = fakeStream('/meshsub/1.2.0')
    const sync = fakeStream('/peerchain/x/sync/1')
    const mesh2 = fakeStream('/meshsub/1.2.0')
    for (const s of [mesh, sync, mesh2]) traffic.trackStream(s)
    mesh.send(new Uint8Array(100))
    mesh2.receive(40)
    mesh.receive(2)
    sync.send(new Uint8Array(7))
    expect(traffic.protocols()).toEqual({
      '/meshsub/1.2.0': { in: 42, out: 100 },
      '/peerchain/x/sync/1': { in: 0, out: 7 },
    })
  })

  it('keeps a bounded table: protocols past the cap count as other', () => {
    const traffic = new TrafficCounter()
    for (let i = 0; i < PROTOCOLS_COUNTED_MAX + 10; i++) {
      const s = fakeStream(`/p/${i}`)
      traffic.trackStream(s)
      s.send(new Uint8Array(1))
    }
    const table = traffic.protocols()
    expect(Object.keys(table)).toHaveLength(PROTOCOLS_COUNTED_MAX + 1)
    expect(table.other).toEqual({ in: 0, out: 10 })
  })
})
