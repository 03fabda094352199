import type { GossipSub } from '@libp2p/gossipsub'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { describe, expect, it } from 'vitest'
import { GossipRouter } from '../../../src/net/gossip.js'
import type { GossipMessage } from '../../../src/net/network.js'
import { noLog } from './helpers.js'

/** The slice of gossipsub the router uses: message events in, validation results out. */
class FakePubsub extends EventTarget {
  readonly results: Array<{ msgId: string; from: string; result: TopicValidatorResult }> = []
  subscribe(): void {}
  reportMessageValidationResult(msgId: string, from: string, result: TopicValidatorResult): void {
    this.results.push({ msgId, from, result })
  }
  deliver(msgId: string, topic: string, from: string): void {
    const detail = {
      msgId,
      propagationSource: { toString: () => from },
      msg: { type: 'unsigned', topic, data: new Uint8Array([1]) },
    }
    this.dispatchEvent(new CustomEvent('gossipsub:message', { detail }))
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10))

describe('gossip router', () => {
  it('validates every message of a topic it holds, whichever peer forwarded it, block-relay peers included', async () => {
    // gossipsub marks an ignored message seen and drops its later copies: a tx refused from a block-relay
    // peer would never be taken from anyone else (the lab's smoke run lost 30 of 50 txs on some nodes so).
    const pubsub = new FakePubsub()
    const router = new GossipRouter(noLog)
    const validated: GossipMessage[] = []
    for (const topic of ['txs', 'blocks'])
      router.subscribe(
        topic,
        async (msg) => {
          validated.push(msg)
          return 'accept'
        },
        () => {},
      )
    router.attach(pubsub as unknown as GossipSub)
    pubsub.deliver('m1', 'txs', 'block-relay-peer')
    pubsub.deliver('m2', 'blocks', 'block-relay-peer')
    pubsub.deliver('m3', 'txs', 'full-relay-peer')
    pubsub.deliver('m4', 'other', 'full-relay-peer')
    await settle()
    expect(validated.map((m) => `${m.topic}/${m.from}`)).toEqual([
      'txs/block-relay-peer',
      'blocks/block-relay-peer',
      'txs/full-relay-peer',
    ])
    for (const id of ['m1', 'm2', 'm3']) {
      expect(pubsub.results.find((r) => r.msgId === id)?.result).toBe(TopicValidatorResult.Accept)
    }
    expect(pubsub.results.find((r) => r.msgId === 'm4')?.result).toBe(TopicValidatorResult.Ignore)
  })
})
