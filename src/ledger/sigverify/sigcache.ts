import { BoundedCache } from '../../util/bounded-cache.js'

/**
 * Ids of transactions whose signatures are known to be valid, like Bitcoin
 * Core's signature cache: a tx the mempool verified is not verified again when
 * a block carrying it arrives.
 *
 * The key is the tx id, the hash of the tx's full bytes, signature included: a
 * tx with the same fields and different signature bytes has a different id, so
 * an entry vouches for exactly the bytes that were verified. Bounded; the
 * least recently used entries go first (see BoundedCache).
 */
export class SigCache {
  private readonly ids: BoundedCache<string, true>

  constructor(readonly sizeMax: number) {
    if (!Number.isInteger(sizeMax) || sizeMax < 0) throw new RangeError('cacheSize must be an integer >= 0')
    this.ids = new BoundedCache(sizeMax)
  }

  get size(): number {
    return this.ids.size
  }

  has(id: string): boolean {
    return this.ids.has(id)
  }

  add(id: string): void {
    this.ids.set(id, true)
  }
}
