/**
 * The Libp2pNetwork's listener sets: its events (`NetworkEvents`) and the
 * trace's taps (`NetworkTaps`: copies of gossip messages, cut peers). A
 * listener that throws is logged and the others still hear the event.
 */
import { msgIdHex, tapMessageCopies } from './message-copies.js'
import type { MessageCopy, NetworkEvents } from './network.js'
import type { NetworkLog } from './options.js'
import { describe } from './request.js'

/** Listeners of one kind, each called in turn; one that throws is logged and skipped. */
export class Listeners<T> {
  private readonly set = new Set<(detail: T) => void>()

  constructor(
    private readonly what: string,
    private readonly log: NetworkLog,
  ) {}

  get size(): number {
    return this.set.size
  }

  add(listener: (detail: T) => void): void {
    this.set.add(listener)
  }

  emit(detail: T): void {
    for (const listener of this.set) {
      try {
        listener(detail)
      } catch (err) {
        this.log(`net: ${this.what} listener threw`, { err: describe(err) })
      }
    }
  }
}

export type NetworkListeners = { [E in keyof NetworkEvents]: Listeners<NetworkEvents[E]> }

export function networkListeners(log: NetworkLog): NetworkListeners {
  return {
    'peer:connect': new Listeners('peer:connect', log),
    'peer:disconnect': new Listeners('peer:disconnect', log),
    'peer:identify': new Listeners('peer:identify', log),
  }
}

/** Hands every copy of a gossip message on the pubsub service to `listeners` (cheap: no hashing, no decoding). */
export function tapCopiesInto(
  pubsub: EventTarget,
  selfId: string,
  listeners: Listeners<MessageCopy>,
  log: NetworkLog,
): void {
  const tapped = tapMessageCopies(pubsub, selfId, (topic, msgId, from) =>
    listeners.emit({ topic, msgId: msgIdHex(msgId), from }),
  )
  log('net: counting message copies', { pubsub: tapped })
}
