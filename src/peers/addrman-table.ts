/**
 * One table of the address manager (new or tried): buckets of BUCKET_SIZE
 * slots, each empty or holding an entry id. It also keeps which buckets are
 * non-empty, so select() draws a random non-empty bucket in O(1) instead of
 * probing empty ones (the same distribution as Bitcoin Core's "pick a random
 * bucket, try again if it is empty", without its cost on a sparse table).
 */

import type { Rng } from '../util/rng.js'
import { BUCKET_SIZE } from './addrman-buckets.js'

export const EMPTY = -1

export class SlotTable {
  /** Entry id per slot (bucket * BUCKET_SIZE + position), EMPTY when free. Ids are never reused, so not int32. */
  private readonly slots: Float64Array
  /** Occupied slots per bucket. */
  private readonly fill: Uint8Array
  /** The non-empty buckets, unordered, and where each sits in that list (-1: absent). */
  private readonly nonEmpty: Int32Array
  private readonly nonEmptyAt: Int32Array
  private nonEmptyCount = 0
  private occupied = 0
  /** Grows with every set and clear: a cheap test that nothing moved. */
  changes = 0

  constructor(readonly bucketCount: number) {
    this.slots = new Float64Array(bucketCount * BUCKET_SIZE).fill(EMPTY)
    this.fill = new Uint8Array(bucketCount)
    this.nonEmpty = new Int32Array(bucketCount)
    this.nonEmptyAt = new Int32Array(bucketCount).fill(-1)
  }

  /** Occupied slots. */
  get size(): number {
    return this.occupied
  }

  get(slot: number): number {
    return this.slots[slot] ?? EMPTY
  }

  /** Puts `id` in a free slot. */
  set(slot: number, id: number): void {
    if (this.slots[slot] !== EMPTY) throw new Error(`addrman: slot ${slot} is taken`)
    this.slots[slot] = id
    this.occupied++
    this.changes++
    const bucket = Math.floor(slot / BUCKET_SIZE)
    const before = this.fill[bucket] ?? 0
    this.fill[bucket] = before + 1
    if (before === 0) {
      this.nonEmptyAt[bucket] = this.nonEmptyCount
      this.nonEmpty[this.nonEmptyCount++] = bucket
    }
  }

  /** Frees a slot; returns the id it held, or EMPTY. */
  clear(slot: number): number {
    const id = this.slots[slot] ?? EMPTY
    if (id === EMPTY) return EMPTY
    this.slots[slot] = EMPTY
    this.occupied--
    this.changes++
    const bucket = Math.floor(slot / BUCKET_SIZE)
    const after = (this.fill[bucket] ?? 1) - 1
    this.fill[bucket] = after
    if (after === 0) {
      // swap the last non-empty bucket into this one's place
      const at = this.nonEmptyAt[bucket]!
      const last = this.nonEmpty[--this.nonEmptyCount]!
      this.nonEmpty[at] = last
      this.nonEmptyAt[last] = at
      this.nonEmptyAt[bucket] = -1
    }
    return id
  }

  /** Whether every slot of `bucket` is taken. */
  isFull(bucket: number): boolean {
    return this.fill[bucket] === BUCKET_SIZE
  }

  /** Buckets holding at least one entry. */
  get bucketsUsed(): number {
    return this.nonEmptyCount
  }

  /** A uniformly random non-empty bucket, or undefined when the table is empty. */
  randomBucket(rng: Rng): number | undefined {
    return this.nonEmptyCount === 0 ? undefined : this.nonEmpty[rng.int(this.nonEmptyCount)]
  }

  /** The first occupied slot of `bucket` at or after `position`, wrapping around; EMPTY when the bucket is empty. */
  firstFrom(bucket: number, position: number): number {
    for (let i = 0; i < BUCKET_SIZE; i++) {
      const slot = bucket * BUCKET_SIZE + ((position + i) % BUCKET_SIZE)
      if (this.slots[slot] !== EMPTY) return slot
    }
    return EMPTY
  }
}
