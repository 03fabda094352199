/**
 * Where the address manager puts an address: table geometry and the keyed
 * hashes that choose buckets and positions (Bitcoin Core's addrman layout).
 *
 * Every choice comes from an HMAC-SHA256 under a 32-byte secret only this
 * node knows, so an attacker cannot aim addresses at a bucket or at the
 * position of an honest entry. The new bucket depends only on the address's group and
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
/** Bucket choices remembered per pair of keys; a cache is dropped whole when full. */
const BUCKET_CACHE_MAX = 65_536

/** Slots are numbered bucket * BUCKET_SIZE + position. */
export const slotOf = (bucket: number, position: number): number => bucket * BUCKET_SIZE + position
export const bucketOfSlot = (slot: number): number => Math.floor(slot / BUCKET_SIZE)

/** The secret numbers an address's slots derive from (see BucketHasher.seeds). */
export interface AddressSeeds {
  readonly newSeed: number
  readonly triedSeed: number
}

/** A 32-bit mixer (MurmurHash3's finaliser): spreads a secret seed and a bucket number over positions. */
function mix32(x: number): number {
  let h = x
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** The position a seed takes in a bucket (new and tried buckets counted apart). */
const positionOf = (seed: number, bucketNumber: number): number =>
  mix32(seed ^ Math.imul(bucketNumber + 1, 0x9e3779b9)) % BUCKET_SIZE

export class BucketHasher {
  private readonly key: Buffer
  /** (address group, source group) → new bucket; (source group, spread) → new bucket; (group, spread) → tried bucket. */
  private readonly pairBuckets = new Map<string, number>()
  private readonly spreadBuckets = new Map<string, number>()
  private readonly triedBuckets = new Map<string, number>()
  /** HMACs computed so far: the cost of add() and load, which tests bound. */
  macCount = 0

  constructor(key: Uint8Array) {
    if (key.byteLength !== ADDRMAN_KEY_BYTES) throw new RangeError(`addrman key must be ${ADDRMAN_KEY_BYTES} bytes`)
    this.key = Buffer.from(key)
  }

  /** HMAC-SHA256 of the fields (NUL-separated; callers' strings hold no NUL). */
  private mac(...fields: string[]): Buffer {
    this.macCount++
    return createHmac('sha256', this.key).update(fields.join('\0')).digest()
  }

  private cached(cache: Map<string, number>, key: string, compute: () => number): number {
    let value = cache.get(key)
    if (value === undefined) {
      value = compute()
      if (cache.size >= BUCKET_CACHE_MAX) cache.clear()
      cache.set(key, value)
    }
    return value
  }

  /**
   * The secret seeds of `addr`: one HMAC, computed once per address. Its
   * tried spread and its positions in any bucket follow from them, so an
   * address costs one HMAC however often it moves; without the key nobody
   * can tell which addresses share a position.
   */
  seeds(addr: string): AddressSeeds {
    const digest = this.mac('address', addr)
    return { newSeed: digest.readUInt32BE(0), triedSeed: digest.readUInt32BE(4) }
  }

  /** The new bucket of an address in `addrGroup` learned from a source in `sourceGroup`: one of 64 for that source group. */
  newBucket(addrGroup: string, sourceGroup: string): number {
    return this.cached(this.pairBuckets, `${addrGroup}\0${sourceGroup}`, () => {
      const spread = this.mac('new-spread', addrGroup, sourceGroup).readUInt32BE(0) % NEW_BUCKETS_PER_SOURCE_GROUP
      return this.cached(
        this.spreadBuckets,
        `${sourceGroup}\0${spread}`,
        () => this.mac('new-bucket', sourceGroup, String(spread)).readUInt32BE(0) % NEW_BUCKET_COUNT,
      )
    })
  }

  /** The tried bucket of an address (its seeds) in `addrGroup`: one of 8 for that group. */
  triedBucket(seeds: AddressSeeds, addrGroup: string): number {
    const spread = seeds.triedSeed % TRIED_BUCKETS_PER_GROUP
    return this.cached(
      this.triedBuckets,
      `${addrGroup}\0${spread}`,
      () => this.mac('tried-bucket', addrGroup, String(spread)).readUInt32BE(0) % TRIED_BUCKET_COUNT,
    )
  }

  /** The slot (bucket and position) an address takes in the new table when learned from `sourceGroup`. */
  newSlot(seeds: AddressSeeds, addrGroup: string, sourceGroup: string): number {
    const bucket = this.newBucket(addrGroup, sourceGroup)
    return slotOf(bucket, positionOf(seeds.newSeed, bucket))
  }

  /** The position of an address in new bucket `bucket`. */
  newPosition(seeds: AddressSeeds, bucket: number): number {
    return positionOf(seeds.newSeed, bucket)
  }

  /** The slot an address takes in the tried table. */
  triedSlot(seeds: AddressSeeds, addrGroup: string): number {
    const bucket = this.triedBucket(seeds, addrGroup)
    return slotOf(bucket, positionOf(seeds.triedSeed, NEW_BUCKET_COUNT + bucket))
  }
}
