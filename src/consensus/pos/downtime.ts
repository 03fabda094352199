/**
 * Downtime: which validators missed at least `missedMax` of the last
 * `windowLength` commits.
 *
 * Each validator in the set has a bitset of windowLength bits, one per
 * height in the window (bit h mod windowLength, set when it missed height
 * h), and a count of the bits set, so a height costs O(1) per validator and
 * the whole tracker holds O(validators · windowLength) bits. Heights before a
 * validator joined count as signed, so a newcomer is judged on the commits it
 * was asked for. A validator absent from a height's participants has left
 * the set and is forgotten; if it returns it starts a clean window.
 */
import { toHex } from '../../util/bytes.js'
import { SlashingError } from './errors.js'

/** One validator's part in the commit of a height. */
export interface CommitParticipation {
  readonly address: Uint8Array
  /** True when its signature is in the commit. */
  readonly signed: boolean
}

interface MissedWindow {
  readonly address: Uint8Array
  readonly missedBits: Uint8Array
  missed: number
}

export class DowntimeTracker {
  readonly windowLength: number
  readonly missedMax: number
  readonly #windows = new Map<string, MissedWindow>()
  #lastHeight: number | undefined

  /** Reports a validator once it missed ≥ missedMax of the last windowLength commits (1 ≤ missedMax ≤ windowLength). */
  constructor(windowLength: number, missedMax: number) {
    if (!Number.isSafeInteger(windowLength) || windowLength < 1) {
      throw new SlashingError('BAD_WINDOW', `a window is an integer ≥ 1 heights, got ${windowLength}`)
    }
    if (!Number.isSafeInteger(missedMax) || missedMax < 1 || missedMax > windowLength) {
      throw new SlashingError('BAD_WINDOW', `missedMax is an integer in 1 … ${windowLength}, got ${missedMax}`)
    }
    this.windowLength = windowLength
    this.missedMax = missedMax
  }

  /** Validators with a window. */
  get trackedCount(): number {
    return this.#windows.size
  }

  /** Bytes of bitset held: trackedCount · ⌈windowLength / 8⌉. */
  get memoryBytes(): number {
    return this.#windows.size * this.#bitsetBytes()
  }

  /**
   * Records the commit of `height` (each call the height after the last) by
   * the set's validators, forgets those not listed, and returns the
   * addresses of those now at or over the threshold.
   */
  recordCommit(height: number, participants: Iterable<CommitParticipation>): Uint8Array[] {
    if (!Number.isSafeInteger(height) || height < 0) {
      throw new SlashingError('BAD_HEIGHT', `a height is an integer ≥ 0, got ${height}`)
    }
    if (this.#lastHeight !== undefined && height !== this.#lastHeight + 1) {
      throw new SlashingError('BAD_SEQUENCE', `height ${height} recorded after ${this.#lastHeight}`)
    }
    const slot = height % this.windowLength
    const byte = slot >>> 3
    const bit = 1 << (slot & 7)
    // Check the whole list before recording any of it, so a refused commit changes nothing.
    const listed = new Map<string, CommitParticipation>()
    for (const participant of participants) {
      const key = toHex(participant.address)
      if (listed.has(key)) throw new SlashingError('DUPLICATE_VALIDATOR', `validator ${key} listed twice`)
      listed.set(key, participant)
    }
    const offline: Uint8Array[] = []
    for (const [key, { address, signed }] of listed) {
      const window = this.#windows.get(key) ?? this.#open(key, address)
      // The slot still holds height − windowLength, which leaves the window now.
      const wasMissed = ((window.missedBits[byte] as number) & bit) !== 0
      if (wasMissed !== !signed) {
        window.missedBits[byte] = (window.missedBits[byte] as number) ^ bit
        window.missed += signed ? -1 : 1
      }
      if (window.missed >= this.missedMax) offline.push(new Uint8Array(window.address))
    }
    for (const key of this.#windows.keys()) if (!listed.has(key)) this.#windows.delete(key)
    this.#lastHeight = height
    return offline
  }

  /** Commits missed by `address` in the window; 0 for a validator not tracked. */
  missedCount(address: Uint8Array): number {
    return this.#windows.get(toHex(address))?.missed ?? 0
  }

  /** Drops a validator's window (after it is jailed), so it starts clean if it returns. */
  forget(address: Uint8Array): void {
    this.#windows.delete(toHex(address))
  }

  #open(key: string, address: Uint8Array): MissedWindow {
    const window = { address: new Uint8Array(address), missedBits: new Uint8Array(this.#bitsetBytes()), missed: 0 }
    this.#windows.set(key, window)
    return window
  }

  #bitsetBytes(): number {
    return Math.ceil(this.windowLength / 8)
  }
}
