/** Fakes for the Dandelion tests: timers on a manual clock, and a network of stem peers whose answers the test sets. */
import type { PeerIdString, RequestHandler, RequestLimits } from '../../../../src/net/network.js'
import type { StemNetFns } from '../../../../src/relay/dandelion/index.js'
import { ManualClock } from '../../../../src/util/clock.js'
import type { Timers } from '../../../../src/util/timers.js'

/** Timers that fire only when the test advances the clock. */
export class ManualTimers implements Timers {
  private readonly due = new Map<number, { atMs: number; callback: () => void }>()
  private next = 0

  constructor(readonly clock: ManualClock = new ManualClock(1_000_000)) {}

  get pending(): number {
    return this.due.size
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.next++
    this.due.set(handle, { atMs: this.clock.nowMs() + ms, callback })
    return handle
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number)
  }

  /** Moves the clock by `ms`, firing every timer due on the way, in time order. */
  advance(ms: number): void {
    const endMs = this.clock.nowMs() + ms
    for (;;) {
      let first: [number, { atMs: number; callback: () => void }] | undefined
      for (const entry of this.due)
        if (entry[1].atMs <= endMs && (!first || entry[1].atMs < first[1].atMs)) first = entry
      if (!first) break
      this.due.delete(first[0])
      this.clock.set(Math.max(this.clock.nowMs(), first[1].atMs))
      first[1].callback()
    }
    this.clock.set(endMs)
  }
}

export type PeerAnswer = 'accepted' | 'refused' | 'unreachable'

/** The stem's network: records what was sent to whom; each peer answers as `answers` says (default accepted). */
export class FakeStemNet implements StemNetFns {
  handler?: RequestHandler
  limits?: RequestLimits
  outbound: PeerIdString[] = []
  readonly answers = new Map<PeerIdString, PeerAnswer>()
  readonly sent: Array<{ peer: PeerIdString; bytes: Uint8Array }> = []
  readonly charges: Array<{ peer: PeerIdString; penalty: number; reason: string }> = []

  async handle(_protocol: string, handler: RequestHandler, limits: RequestLimits): Promise<void> {
    this.handler = handler
    this.limits = limits
  }

  async request(peer: PeerIdString, _protocol: string, bytes: Uint8Array): Promise<Uint8Array> {
    this.sent.push({ peer, bytes })
    const answer = this.answers.get(peer) ?? 'accepted'
    if (answer === 'unreachable') throw new Error(`dial ${peer} failed`)
    return Uint8Array.of(answer === 'accepted' ? 1 : 0)
  }

  outboundPeers(): readonly PeerIdString[] {
    return this.outbound
  }

  reportPeer(peer: PeerIdString, penalty: number, reason: string): void {
    this.charges.push({ peer, penalty, reason })
  }

  /** Delivers a stem request from `peer` as the network would. */
  deliver(bytes: Uint8Array, peer: PeerIdString): Promise<Uint8Array> {
    if (!this.handler) throw new Error('the stem protocol is not served')
    return this.handler(bytes, peer)
  }
}

/** Lets every pending promise continuation run. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
