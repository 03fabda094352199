/**
 * Subscriptions of one WebSocket connection. Each subscription holds one
 * NodeApi hook; closing the connection releases them all. Listeners run inside
 * the node's event dispatch (e.g. the chain's head change), so they never throw.
 */
import { RpcCode, RpcError } from './errors.js'
import type { HeadJson, MempoolTxJson } from './json.js'
import type { NodeApi, Unsubscribe } from './node-api.js'

export const TOPICS = ['newHeads', 'newPendingTransactions'] as const
export type Topic = (typeof TOPICS)[number]

/** What a notification's `result` holds, per topic. */
export interface TopicResults {
  newHeads: HeadJson
  newPendingTransactions: MempoolTxJson
}

export interface SubscriptionNotification<T = unknown> {
  jsonrpc: '2.0'
  method: 'subscription'
  params: { subscription: string; result: T }
}

/** The calls `subscribe` / `unsubscribe` make; absent over HTTP. */
export interface SubscriptionHost {
  subscribe(topic: Topic): string
  unsubscribe(id: string): boolean
}

export class ConnectionSubscriptions implements SubscriptionHost {
  private readonly active = new Map<string, Unsubscribe>()
  private closed = false

  constructor(
    private readonly api: NodeApi,
    /** Sends one notification's text; must not throw. */
    private readonly send: (text: string) => void,
    private readonly subscriptionsMax: number,
    private readonly nextId: () => string,
  ) {}

  get size(): number {
    return this.active.size
  }

  subscribe(topic: Topic): string {
    // A batch can still be running when its socket closes: take no hook nobody would release.
    if (this.closed) throw new RpcError(RpcCode.WEBSOCKET_REQUIRED, 'the connection is closed')
    if (this.active.size >= this.subscriptionsMax) {
      throw new RpcError(
        RpcCode.TOO_MANY_SUBSCRIPTIONS,
        `a connection may hold at most ${this.subscriptionsMax} subscriptions`,
        { subscriptionsMax: this.subscriptionsMax },
      )
    }
    const id = this.nextId()
    const notify = (result: unknown): void => {
      let text: string
      try {
        const note: SubscriptionNotification = {
          jsonrpc: '2.0',
          method: 'subscription',
          params: { subscription: id, result },
        }
        text = JSON.stringify(note)
      } catch {
        return
      }
      this.send(text)
    }
    const unsubscribe = topic === 'newHeads' ? this.api.onNewHead(notify) : this.api.onPendingTx(notify)
    this.active.set(id, unsubscribe)
    return id
  }

  unsubscribe(id: string): boolean {
    const unsubscribe = this.active.get(id)
    if (!unsubscribe) return false
    this.active.delete(id)
    unsubscribe()
    return true
  }

  /** Releases every hook and takes no more (the connection closed); runs in a socket event, so it never throws. */
  close(): void {
    this.closed = true
    for (const id of [...this.active.keys()]) {
      try {
        this.unsubscribe(id)
      } catch {
        // The hook is gone from our table either way; nothing else to undo.
      }
    }
  }
}
