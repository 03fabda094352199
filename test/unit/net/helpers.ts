import { base58 } from '@scure/base'
import { loadOrCreateNodeKey } from '../../../src/net/identity.js'
import type { Clock } from '../../../src/util/clock.js'
import { ManualClock } from '../../../src/util/clock.js'
import type { Timers } from '../../../src/util/timers.js'

export const noLog = (): void => {}

/** A fresh, valid peer id string (an ephemeral Ed25519 key's). */
export async function newPeerId(): Promise<string> {
  return (await loadOrCreateNodeKey(undefined, noLog)).publicKey.toString()
}

/** A clock that moves only when told to, with `nowMs` detached for passing as a function. */
export function manualClock(startMs = 1_000_000): { nowMs: () => number; advance: (ms: number) => void } {
  const clock = new ManualClock(startMs)
  return { nowMs: () => clock.nowMs(), advance: (ms) => clock.advance(ms) }
}

/** Timers that fire only when `advance` passes their time, in time order. */
export class ManualTimers implements Clock, Timers {
  private nextId = 1
  private readonly due = new Map<number, { atMs: number; callback: () => void }>()

  constructor(private now = 0) {}

  nowMs(): number {
    return this.now
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++
    this.due.set(id, { atMs: this.now + ms, callback })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number)
  }

  get pending(): number {
    return this.due.size
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const until = this.now + ms
    for (;;) {
      const next = [...this.due].sort((a, b) => a[1].atMs - b[1].atMs)[0]
      if (next === undefined || next[1].atMs > until) break
      this.due.delete(next[0])
      this.now = next[1].atMs
      next[1].callback()
    }
    this.now = until
  }
}

/**
 * A peer id with the shape of a real one (base58 of the identity multihash
 * of an Ed25519 key), derived from `n`, without generating a key: for tests
 * that only compare and store ids.
 */
export function fakePeerId(n: number): string {
  const bytes = new Uint8Array(38)
  bytes.set([0x00, 36, 0x08, 0x01, 0x12, 0x20])
  new DataView(bytes.buffer).setUint32(34, n)
  return base58.encode(bytes)
}
