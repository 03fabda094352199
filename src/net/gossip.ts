import { type GossipSub, type GossipsubMessage, TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipMessage, GossipValidator, GossipVerdict } from './network.js'
import type { NetworkLog } from './options.js'
import { describe } from './request.js'
import { FairValidationQueue, VALIDATION_LIMITS, type ValidationLimits } from './validation-queue.js'

/**
 * gossipsub runs with `asyncValidation`: a received message is held, our
 * validator decides, and only then do we call reportMessageValidationResult.
 * Accept relays it and hands it to onMessage; ignore drops it; reject drops
 * it and lowers the sender's gossipsub score. The method is public on the
 * runtime class but missing from v17's exported `GossipSub` interface.
 */
type ValidatingGossipSub = GossipSub & {
  reportMessageValidationResult(msgId: string, propagationSource: string, acceptance: TopicValidatorResult): void
}

const RESULTS: Record<GossipVerdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
}

interface TopicSubscription {
  validate: GossipValidator
  onMessage: (msg: GossipMessage) => void
}

interface PendingValidation {
  msgId: string
  message: GossipMessage
  subscription: TopicSubscription
  sizeBytes: number
}

export class GossipRouter {
  private readonly topics = new Map<string, TopicSubscription>()
  private pubsub: ValidatingGossipSub | undefined
  private readonly validations: FairValidationQueue<PendingValidation>

  /**
   * Validations are shared fairly between forwarding peers (validation-queue.ts).
   * Every message of a topic we hold is validated, whichever peer forwarded it:
   * gossipsub remembers an ignored message as seen and drops every later copy,
   * so refusing one peer's copy (a block-relay peer's tx, say) would lose the
   * message for this node altogether.
   */
  constructor(
    private readonly log: NetworkLog,
    limits: ValidationLimits = VALIDATION_LIMITS,
  ) {
    this.validations = new FairValidationQueue(limits, (_peer, pending) => this.runValidation(pending))
  }

  /** Registers a topic; before start it is remembered and subscribed when the node starts. */
  subscribe(topic: string, validate: GossipValidator, onMessage: (msg: GossipMessage) => void): void {
    if (this.topics.has(topic)) throw new Error(`already subscribed to ${topic}`)
    this.topics.set(topic, { validate, onMessage })
    this.pubsub?.subscribe(topic)
  }

  /** Binds to the started gossipsub service. */
  attach(pubsub: GossipSub): void {
    const validating = pubsub as ValidatingGossipSub
    if (typeof validating.reportMessageValidationResult !== 'function') {
      throw new Error('gossipsub has no reportMessageValidationResult: async validation unsupported')
    }
    this.pubsub = validating
    pubsub.addEventListener('gossipsub:message', this.onGossipMessage)
    for (const topic of this.topics.keys()) pubsub.subscribe(topic)
  }

  /** A peer disconnected: its messages still waiting are not worth validating (gossipsub forgets them too). */
  onPeerGone(peer: string): void {
    for (const pending of this.validations.dropQueued(peer)) this.report(pending.msgId, peer, 'ignore')
  }

  detach(): void {
    this.pubsub?.removeEventListener('gossipsub:message', this.onGossipMessage)
    this.pubsub = undefined
  }

  /** Resolves with the number of peers the message went to; 0 when nobody listens yet (never throws for that). */
  async publish(topic: string, data: Uint8Array): Promise<number> {
    if (this.pubsub === undefined) {
      this.log('net: publish before start; dropped', { topic })
      return 0
    }
    try {
      const { recipients } = await this.pubsub.publish(topic, data)
      return recipients.length
    } catch (err) {
      if (err instanceof Error && err.message === 'PublishError.NoPeersSubscribedToTopic') return 0
      throw err
    }
  }

  private readonly onGossipMessage = (evt: CustomEvent<GossipsubMessage>): void => {
    const { msg, msgId, propagationSource } = evt.detail
    const from = propagationSource.toString()
    const subscription = this.topics.get(msg.topic)
    if (subscription === undefined) {
      this.report(msgId, from, 'ignore')
      return
    }
    const message: GossipMessage = { topic: msg.topic, data: msg.data, from }
    if (!this.validations.push(from, { msgId, message, subscription, sizeBytes: msg.data.byteLength })) {
      this.log('net: peer has too many gossip validations waiting; ignoring', { from })
      this.report(msgId, from, 'ignore')
    }
  }

  private async runValidation({ msgId, message, subscription }: PendingValidation): Promise<void> {
    const verdict = await this.validate(subscription, message)
    if (this.pubsub === undefined) return // stopped while validating
    this.report(msgId, message.from, verdict)
    if (verdict !== 'accept') return
    try {
      subscription.onMessage(message)
    } catch (err) {
      this.log('net: gossip onMessage threw', { topic: message.topic, err: describe(err) })
    }
  }

  private async validate(subscription: TopicSubscription, message: GossipMessage): Promise<GossipVerdict> {
    try {
      const verdict = await subscription.validate(message)
      if (Object.hasOwn(RESULTS, verdict)) return verdict
      this.log('net: gossip validator returned an unknown verdict; ignoring', { topic: message.topic, verdict })
    } catch (err) {
      // our validator's bug is not the sender's fault: drop without charging it
      this.log('net: gossip validator threw; ignoring', { topic: message.topic, err: describe(err) })
    }
    return 'ignore'
  }

  private report(msgId: string, from: string, verdict: GossipVerdict): void {
    this.pubsub?.reportMessageValidationResult(msgId, from, RESULTS[verdict])
  }
}
