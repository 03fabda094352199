/**
 * Copies received per gossip message, duplicates included, and the first
 * one's time and sender. Each message is counted for a window after its
 * first copy (`windowMs`), then its `copies` line is written and it is
 * forgotten; a copy arriving later is not counted (`late`). At most
 * `entriesMax` messages are counted at once: past that the oldest window is
 * closed early. Messages are keyed by their gossip message id (hex of the
 * SHA-256 of the data); a tx's id is its message id, a block's (the header
 * hash) is learned when the block is decoded (`identify`). A message never
 * identified (an invalid block) gets no line.
 */
import { BoundedCache } from '../util/bounded-cache.js'
import type { Clock } from '../util/clock.js'
import type { TraceCopies } from './format.js'

export type MessageKind = 'tx' | 'block'

export interface CopyLimits {
  windowMs: number
  entriesMax: number
}

export const COPY_LIMITS: CopyLimits = Object.freeze({ windowMs: 10_000, entriesMax: 50_000 })

/** Where a message first came from: a peer id, or `local`. */
export interface FirstSeen {
  t: number
  from: string
}

interface CountedMessage extends FirstSeen {
  kind: MessageKind
  msgId: string
  id: string | undefined
  n: number
}

export interface CopyStats {
  /** Copies that arrived after their message's window closed. */
  late: number
  /** Windows closed early because `entriesMax` messages were being counted. */
  closedEarly: number
}

export class CopyCounter {
  private readonly limits: CopyLimits
  private readonly counting = new Map<string, CountedMessage>()
  /** Message ids in first-seen order; `head` is the oldest still counted. */
  private order: string[] = []
  private head = 0
  /** Messages whose window closed, so a late copy is not taken for a new message. */
  private readonly closed: BoundedCache<string, true>
  readonly stats: CopyStats = { late: 0, closedEarly: 0 }

  constructor(
    private readonly clock: Clock,
    private readonly emit: (line: TraceCopies) => void,
    limits: Partial<CopyLimits> = {},
  ) {
    this.limits = { ...COPY_LIMITS, ...limits }
    this.closed = new BoundedCache(this.limits.entriesMax * 2)
  }

  /** One copy arrived from `from`. */
  copy(kind: MessageKind, msgId: string, from: string): void {
    const counted = this.counting.get(msgId)
    if (counted !== undefined) {
      counted.n++
      return
    }
    if (this.closed.has(msgId)) {
      this.stats.late++
      return
    }
    this.add({ kind, msgId, id: kind === 'tx' ? msgId : undefined, n: 1, t: this.clock.nowMs(), from })
  }

  /** We made the message (a tx over RPC, a block we mined): copies that come back are counted, from 0. */
  local(kind: MessageKind, msgId: string, id: string): void {
    if (this.counting.has(msgId) || this.closed.has(msgId)) return
    this.add({ kind, msgId, id, n: 0, t: this.clock.nowMs(), from: 'local' })
  }

  /** The message was decoded: its id (a block's hash). Returns when and from whom its first copy came, if counted. */
  identify(msgId: string, id: string): FirstSeen | undefined {
    const counted = this.counting.get(msgId)
    if (counted === undefined) return undefined
    counted.id = id
    return { t: counted.t, from: counted.from }
  }

  /** When and from whom the message's first copy came, while it is counted. */
  firstSeen(msgId: string): FirstSeen | undefined {
    const counted = this.counting.get(msgId)
    return counted === undefined ? undefined : { t: counted.t, from: counted.from }
  }

  /** Closes the windows that are over. Call it every second or so. */
  sweep(): void {
    const cutoff = this.clock.nowMs() - this.limits.windowMs
    for (;;) {
      const oldest = this.oldest()
      if (oldest === undefined || oldest.t > cutoff) break
      this.close(oldest)
    }
  }

  /** Closes every window (at stop). */
  closeAll(): void {
    for (let oldest = this.oldest(); oldest !== undefined; oldest = this.oldest()) this.close(oldest)
  }

  get size(): number {
    return this.counting.size
  }

  private add(message: CountedMessage): void {
    if (this.counting.size >= this.limits.entriesMax) {
      const oldest = this.oldest()
      if (oldest !== undefined) {
        this.stats.closedEarly++
        this.close(oldest)
      }
    }
    this.counting.set(message.msgId, message)
    this.order.push(message.msgId)
  }

  private oldest(): CountedMessage | undefined {
    while (this.head < this.order.length) {
      const counted = this.counting.get(this.order[this.head] as string)
      if (counted !== undefined) return counted
      this.head++
    }
    return undefined
  }

  private close(message: CountedMessage): void {
    this.counting.delete(message.msgId)
    this.closed.set(message.msgId, true)
    this.head++
    // an array shifted by index, compacted now and then: O(1) per message
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head)
      this.head = 0
    }
    if (message.id === undefined) return
    this.emit({ t: this.clock.nowMs(), e: 'copies', k: message.kind, id: message.id, n: message.n })
  }
}
