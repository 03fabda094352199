/**
 * Where the address manager puts an address: table geometry and the keyed
 * hashes that choose buckets and positions (Bitcoin Core's addrman layout).
 *
 * Every choice is an HMAC-SHA256 under a 32-byte secret only this node
 * knows, so an attacker cannot aim addresses at a bucket or at the position
 * of an honest entry. The new bucket depends only on the address's group and
 * its source's group, and one source group reaches at most
 * NEW_BUCKETS_PER_SOURCE_GROUP buckets: however many addresses a few hosts
 * announce, they land in few buckets. One (address group, source group)
 * pair maps to exactly one new bucket. A tried bucket depends on the address
 * and its group, and one group reaches at most TRIED_BUCKETS_PER_GROUP.
 */
import { createHmac } from 'node:crypto'

export const NEW_BUCKET_COUNT = 1024
export const TRIED_BUCKET_COUNT = 256
export const BUCKET_SIZE = 64
/** New buckets one source group can reach. */
export const NEW_BUCKETS_PER_SOURCE_GROUP = 64
/** Tried buckets one address group can reach. */
export const TRIED_BUCKETS_PER_GROUP = 8
/** New buckets one address may sit in at once. */
export const NEW_BUCKETS_PER_ADDRESS = 8
export const ADDRMAN_KEY_BYTES = 32
/** Bucket choices remembered per (group, group) pair; the cache is dropped whole when full. */
const BUCKET_CACHE_MAX = 65_536

/** Slots are numbered bucket * BUCKET_SIZE + position. */
export const slotOf = (bucket: number, position: number): number => bucket * BUCKET_SIZE + position
export const bucketOfSlot = (slot: number): number => Math.floor(slot / BUCKET_SIZE)

export class BucketHasher {
  private readonly key: Buffer
  private readonly newBuckets = new Map<string, number>()
  private readonly triedBuckets = new Map<string, number>()

  constructor(key: Uint8Array) {
    if (key.byteLength !== ADDRMAN_KEY_BYTES) throw new RangeError(`addrman key must be ${ADDRMAN_KEY_BYTES} bytes`)
    this.key = Buffer.from(key)
  }

  /** HMAC-SHA256 of the fields (NUL-separated; callers' strings hold no NUL), first 32 bits, modulo `n`. */
  private hash(n: number, ...fields: string[]): number {
    const mac = createHmac('sha256', this.key)
    for (const field of fields) mac.update(field).update('\0')
    return mac.digest().readUInt32BE(0) % n
  }

  /** The new bucket of an address in `addrGroup` learned from a source in `sourceGroup`. */
  newBucket(addrGroup: string, sourceGroup: string): number {
    const pair = `${addrGroup}\0${sourceGroup}`
    let bucket = this.newBuckets.get(pair)
    if (bucket === undefined) {
      const spread = this.hash(NEW_BUCKETS_PER_SOURCE_GROUP, 'new-spread', addrGroup, sourceGroup)
      bucket = this.hash(NEW_BUCKET_COUNT, 'new-bucket', sourceGroup, String(spread))
      if (this.newBuckets.size >= BUCKET_CACHE_MAX) this.newBuckets.clear()
      this.newBuckets.set(pair, bucket)
    }
    return bucket
  }

  /** The tried bucket of `addr` (in `addrGroup`). */
  triedBucket(addr: string, addrGroup: string): number {
    const spread = this.hash(TRIED_BUCKETS_PER_GROUP, 'tried-spread', addr)
    const pair = `${addrGroup}\0${spread}`
    let bucket = this.triedBuckets.get(pair)
    if (bucket === undefined) {
      bucket = this.hash(TRIED_BUCKET_COUNT, 'tried-bucket', addrGroup, String(spread))
      if (this.triedBuckets.size >= BUCKET_CACHE_MAX) this.triedBuckets.clear()
      this.triedBuckets.set(pair, bucket)
    }
    return bucket
  }

  /** The position of `addr` inside `bucket` of the new or the tried table. */
  position(table: 'new' | 'tried', bucket: number, addr: string): number {
    return this.hash(BUCKET_SIZE, table, String(bucket), addr)
  }

  /** The slot (bucket and position) `addr` takes in the new table when learned from `sourceGroup`. */
  newSlot(addr: string, addrGroup: string, sourceGroup: string): number {
    const bucket = this.newBucket(addrGroup, sourceGroup)
    return slotOf(bucket, this.position('new', bucket, addr))
  }

  /** The slot `addr` takes in the tried table. */
  triedSlot(addr: string, addrGroup: string): number {
    const bucket = this.triedBucket(addr, addrGroup)
    return slotOf(bucket, this.position('tried', bucket, addr))
  }
}
