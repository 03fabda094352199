/**
 * The one WebSocket of the page: subscribes to newHeads and
 * newPendingTransactions, hands each notification to its listener, and
 * reconnects with exponential backoff when the socket drops. After a
 * reconnect the page must catch up (notifications sent meanwhile are lost),
 * which `onState('live')` tells it to do.
 */
import type { Topic, TopicResults } from '../../src/api/subscriptions.js'

export type SocketState = 'connecting' | 'live' | 'reconnecting'

export interface LiveHandlers {
  onState(state: SocketState): void
  onNewHead(head: TopicResults['newHeads']): void
  onPendingTx(tx: TopicResults['newPendingTransactions']): void
}

const TOPICS: readonly Topic[] = ['newHeads', 'newPendingTransactions']
const BACKOFF_MIN_MS = 500
const BACKOFF_MAX_MS = 15_000
/** Notifications held for a subscription id not known yet (its answer may come after them). */
const EARLY_MAX = 256

interface Message {
  id?: number
  result?: unknown
  error?: { message: string }
  method?: string
  params?: { subscription?: string; result?: unknown }
}

/** ws(s)://<host>/ for the page at `location`, with `?token=` when the page has an API token. */
export function socketUrl(location: Pick<Location, 'protocol' | 'host'>, token?: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${location.host}/${token ? `?token=${encodeURIComponent(token)}` : ''}`
}

export class LiveSocket {
  private ws?: WebSocket
  private retryTimer?: ReturnType<typeof setTimeout>
  private backoffMs = BACKOFF_MIN_MS
  private stopped = false
  /** subscribe request id → its topic, until answered. */
  private readonly requested = new Map<number, Topic>()
  private readonly topicOf = new Map<string, Topic>()
  private readonly early = new Map<string, unknown[]>()

  constructor(
    private readonly url: string,
    private readonly handlers: LiveHandlers,
  ) {}

  start(): void {
    this.stopped = false
    this.connect('connecting')
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.retryTimer)
    this.ws?.close()
    this.ws = undefined
  }

  private connect(state: SocketState): void {
    this.handlers.onState(state)
    this.requested.clear()
    this.topicOf.clear()
    this.early.clear()
    let ws: WebSocket
    try {
      ws = new WebSocket(this.url)
    } catch {
      this.scheduleReconnect()
      return
    }
    this.ws = ws
    ws.onopen = () => {
      TOPICS.forEach((topic, i) => {
        this.requested.set(i + 1, topic)
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'subscribe', params: { topic } }))
      })
    }
    ws.onmessage = (event) => this.onMessage(ws, event.data)
    ws.onclose = () => {
      if (this.ws !== ws) return
      this.ws = undefined
      this.scheduleReconnect()
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped) return
    this.handlers.onState('reconnecting')
    // Jitter keeps many open pages from reconnecting in step after a node restart.
    const delayMs = this.backoffMs * (0.75 + Math.random() * 0.5)
    this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS)
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => this.connect('reconnecting'), delayMs)
  }

  private onMessage(ws: WebSocket, data: unknown): void {
    let msg: Message
    try {
      msg = JSON.parse(String(data)) as Message
    } catch {
      return
    }
    if (msg.method === 'subscription' && typeof msg.params?.subscription === 'string') {
      this.onNotification(msg.params.subscription, msg.params.result)
      return
    }
    const topic = msg.id === undefined ? undefined : this.requested.get(msg.id)
    if (topic === undefined || msg.id === undefined) return
    this.requested.delete(msg.id)
    if (typeof msg.result !== 'string') {
      // A refused subscription (e.g. over the node's cap): start over later rather than run half-live.
      ws.close()
      return
    }
    this.topicOf.set(msg.result, topic)
    for (const held of this.early.get(msg.result) ?? []) this.deliver(topic, held)
    this.early.delete(msg.result)
    if (this.requested.size === 0) {
      this.backoffMs = BACKOFF_MIN_MS
      this.handlers.onState('live')
    }
  }

  private onNotification(id: string, result: unknown): void {
    const topic = this.topicOf.get(id)
    if (topic) {
      this.deliver(topic, result)
      return
    }
    const held = this.early.get(id) ?? []
    if (held.length < EARLY_MAX) held.push(result)
    this.early.set(id, held)
  }

  private deliver(topic: Topic, result: unknown): void {
    if (topic === 'newHeads') this.handlers.onNewHead(result as TopicResults['newHeads'])
    else this.handlers.onPendingTx(result as TopicResults['newPendingTransactions'])
  }
}
