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
  it('ignores, unvalidated, the messages its refusal rule names (txs from block-relay peers), and only those', async () => {
    const pubsub = new FakePubsub()
    const refuses = (topic: string, peer: string) => topic === 'txs' && peer === 'block-relay-peer'
    const router = new GossipRouter(noLog, undefined, refuses)
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
    await settle()
    expect(validated.map((m) => `${m.topic}/${m.from}`)).toEqual(['blocks/block-relay-peer', 'txs/full-relay-peer'])
    expect(pubsub.results.find((r) => r.msgId === 'm1')?.result).toBe(TopicValidatorResult.Ignore)
    expect(pubsub.results.find((r) => r.msgId === 'm2')?.result).toBe(TopicValidatorResult.Accept)
    expect(pubsub.results.find((r) => r.msgId === 'm3')?.result).toBe(TopicValidatorResult.Accept)
  })
})
