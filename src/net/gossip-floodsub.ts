/**
 * The lab's gossip baseline: @libp2p/floodsub carrying the same topics, shown
 * to the rest of the node as the slice of gossipsub that GossipRouter
 * (gossip.ts) and the trace's copy tap (message-copies.ts) use, so nothing
 * above the host knows which router runs:
 *
 * - a received message becomes a `gossipsub:message` event and waits, as
 *   under gossipsub's async validation, for `reportMessageValidationResult`;
 *   floodsub relays it only on accept (its topic validator is that wait);
 * - message ids are the SHA-256 of the data in base64, as our gossipsub's;
 * - every duplicate copy is passed to `score.duplicateMessage`, where
 *   gossipsub reports its duplicates.
 *
 * Floodsub has no peer scoring, mesh or application score: those settings
 * are simply not given. It signs messages (StrictSign): @libp2p/floodsub 11
 * drops an unsigned message on receipt (it needs the `from` field StrictNoSign
 * leaves out), so the baseline pays one Ed25519 signature per publish and a
 * check per received copy. Its RPC frames are capped at 4 MiB by
 * @libp2p/utils' length-prefixed decoder, so a block near the 8 MiB limit
 * does not cross floodsub.
 */
import { createHash } from 'node:crypto'
import { type FloodSub, type FloodSubComponents, floodsub, type Message, TopicValidatorResult } from '@libp2p/floodsub'
import type { PeerId } from '@libp2p/interface'

/** Ids of messages seen, kept this long to recognise duplicates (floodsub's own seen cache keeps 30 s). */
const SEEN_TTL_MS = 120_000
const SEEN_MAX = 200_000

type Verdict = 'accept' | 'ignore' | 'reject'

/** The part of floodsub's runtime class wrapped to see duplicates (public there, not on the FloodSub interface). */
interface ProcessingFloodsub {
  processMessage(from: PeerId, msg: Message): Promise<void>
}

export class FloodsubGossip extends EventTarget {
  /** Where duplicates are reported, as gossipsub's score hears them; replaced by a tap. */
  readonly score = {
    duplicateMessage: (_from: string, _msgIdStr: string, _topic: string): void => {},
  }
  private readonly pending = new Map<string, Array<(result: TopicValidatorResult) => void>>()
  private readonly seen = new Map<string, number>()

  constructor(
    readonly floodsub: FloodSub,
    private readonly nowMs: () => number = () => Date.now(),
  ) {
    super()
    const processing = floodsub as unknown as Partial<ProcessingFloodsub>
    if (typeof processing.processMessage !== 'function') {
      throw new Error('floodsub has no processMessage: duplicate copies cannot be seen')
    }
    const processMessage = processing.processMessage.bind(floodsub)
    processing.processMessage = (from, msg) => {
      const id = messageId(msg.data)
      if (this.wasSeen(id)) this.score.duplicateMessage(from.toString(), id, msg.topic)
      return processMessage(from, msg)
    }
  }

  async start(): Promise<void> {
    await (this.floodsub as unknown as { start(): Promise<void> }).start()
  }

  async stop(): Promise<void> {
    // held messages are dropped: floodsub's processing queue must not wait on us
    for (const resolvers of this.pending.values()) for (const resolve of resolvers) resolve(TopicValidatorResult.Ignore)
    this.pending.clear()
    await (this.floodsub as unknown as { stop(): Promise<void> }).stop()
  }

  subscribe(topic: string): void {
    this.floodsub.topicValidators.set(topic, this.validate)
    this.floodsub.subscribe(topic)
  }

  async publish(topic: string, data: Uint8Array): Promise<{ recipients: PeerId[] }> {
    this.wasSeen(messageId(data))
    return this.floodsub.publish(topic, data)
  }

  /** Our verdict on a held message: floodsub relays it on accept. */
  reportMessageValidationResult(msgId: string, from: string, result: Verdict | TopicValidatorResult): void {
    const key = pendingKey(msgId, from)
    const resolvers = this.pending.get(key)
    const resolve = resolvers?.shift()
    if (resolvers?.length === 0) this.pending.delete(key)
    resolve?.(result as TopicValidatorResult)
  }

  /** Floodsub's topic validator: hands the message on as gossipsub would and waits for the verdict. */
  private readonly validate = (peer: PeerId, msg: Message): Promise<TopicValidatorResult> => {
    const msgId = messageId(msg.data)
    const from = peer.toString()
    const key = pendingKey(msgId, from)
    const verdict = new Promise<TopicValidatorResult>((resolve) => {
      const resolvers = this.pending.get(key) ?? []
      resolvers.push(resolve)
      this.pending.set(key, resolvers)
    })
    const detail = { msgId, propagationSource: peer, msg: { type: 'unsigned', topic: msg.topic, data: msg.data } }
    this.dispatchEvent(new CustomEvent('gossipsub:message', { detail }))
    return verdict
  }

  /** Notes `id` as seen; whether it was seen before. */
  private wasSeen(id: string): boolean {
    const now = this.nowMs()
    const before = this.seen.get(id)
    if (before !== undefined && before > now) return true
    this.seen.set(id, now + SEEN_TTL_MS)
    if (this.seen.size > SEEN_MAX) {
      for (const [key, expiresMs] of this.seen) {
        if (expiresMs > now && this.seen.size <= SEEN_MAX / 2) break
        this.seen.delete(key)
      }
    }
    return false
  }
}

/** The `pubsub` service factory for floodsub mode. */
export function floodsubGossip(): (components: FloodSubComponents) => FloodsubGossip {
  const create = floodsub({ globalSignaturePolicy: 'StrictSign', emitSelf: false, canRelayMessage: false })
  return (components) => new FloodsubGossip(create(components))
}

/** gossipsub's message id string for our topics: base64 of the SHA-256 of the data. */
function messageId(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64')
}

function pendingKey(msgId: string, from: string): string {
  return `${from}/${msgId}`
}
