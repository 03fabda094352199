/**
 * Every copy of a gossip message, duplicates included, for the trace
 * (`NetworkTaps.onMessageCopy`); used only when something listens.
 *
 * Gossipsub drops a duplicate before any event reaches us, but it charges the
 * duplicate to its sender's score first: `score.duplicateMessage(from,
 * msgIdStr, topic)`, once per duplicate copy (gossipsub 17,
 * `handleReceivedMessage`), so wrapping that method of the service's `score`
 * (a public field of the runtime class, not of the exported interface) sees
 * every duplicate at no cost. The first copy is the `gossipsub:message` event.
 *
 * Floodsub has no such hook, but every copy goes through its public
 * `processMessage(from, msg)` before its seen-cache check: wrapping that sees
 * them all, the first included, at the cost of one SHA-256 of the data per
 * copy (the message id of StrictNoSign, as floodsub computes it).
 */
import { createHash } from 'node:crypto'
import type { PeerId } from '@libp2p/interface'

/** A copy as the taps report it: `msgId` as gossipsub's string (base64 of the id bytes). */
export type CopyTap = (topic: string, msgIdBase64: string, from: string) => void

interface DuplicateScore {
  duplicateMessage(from: string, msgIdStr: string, topic: string): void
}

/**
 * Calls `onDuplicate` for every duplicate copy gossipsub receives. Throws when
 * the gossipsub in use has no `score.duplicateMessage` (a version that
 * changed it): the tap must not fail silently.
 */
export function tapGossipsubDuplicates(pubsub: object, onDuplicate: CopyTap): void {
  const score = (pubsub as { score?: Partial<DuplicateScore> }).score
  if (score === undefined || typeof score.duplicateMessage !== 'function') {
    throw new Error('gossipsub has no score.duplicateMessage: duplicate copies cannot be counted')
  }
  const duplicateMessage = score.duplicateMessage.bind(score)
  score.duplicateMessage = (from, msgIdStr, topic) => {
    duplicateMessage(from, msgIdStr, topic)
    onDuplicate(topic, msgIdStr, from)
  }
}

interface FloodsubMessage {
  topic: string
  data: Uint8Array
}

/** The part of @libp2p/floodsub's runtime class the tap wraps. */
export interface CopyingFloodsub {
  processMessage(from: PeerId, msg: FloodsubMessage): Promise<void>
}

/** Calls `onCopy` for every message floodsub receives (first copies and duplicates), with its StrictNoSign id. */
export function tapFloodsubCopies(floodsub: object, selfId: string, onCopy: CopyTap): void {
  const service = floodsub as Partial<CopyingFloodsub>
  if (typeof service.processMessage !== 'function') {
    throw new Error('floodsub has no processMessage: message copies cannot be counted')
  }
  const processMessage = service.processMessage.bind(floodsub)
  service.processMessage = (from, msg) => {
    const sender = from.toString()
    if (sender !== selfId) {
      onCopy(msg.topic, createHash('sha256').update(msg.data).digest('base64'), sender)
    }
    return processMessage(from, msg)
  }
}

/**
 * Taps whichever pubsub service the host runs: gossipsub (a `score` with
 * `duplicateMessage`) or floodsub (`processMessage`). Throws for anything
 * else: copies must not go uncounted silently.
 */
export function tapMessageCopies(pubsub: EventTarget, selfId: string, onCopy: CopyTap): 'gossipsub' | 'floodsub' {
  if ('score' in pubsub) {
    tapGossipsubDuplicates(pubsub, onCopy)
    pubsub.addEventListener('gossipsub:message', (evt) => {
      const { msg, msgId, propagationSource } = (evt as CustomEvent<GossipsubFirstCopy>).detail
      onCopy(msg.topic, msgId, propagationSource.toString())
    })
    return 'gossipsub'
  }
  tapFloodsubCopies(pubsub, selfId, onCopy)
  return 'floodsub'
}

interface GossipsubFirstCopy {
  msgId: string
  propagationSource: { toString(): string }
  msg: { topic: string }
}

/** Gossipsub's message id string (base64 of the SHA-256) as the hex the rest of the node uses. */
export function msgIdHex(msgIdBase64: string): string {
  return Buffer.from(msgIdBase64, 'base64').toString('hex')
}
