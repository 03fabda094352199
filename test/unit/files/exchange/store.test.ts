/** exchangeStoreOf: an interface-blockstore Blockstore (chunked reads, NotFound errors) as an ExchangeStore. */
import { MemoryBlockstore } from 'blockstore-core'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { exchangeStoreOf } from '../../../../src/files/exchange/store.js'

const block = Uint8Array.of(1, 2, 3, 4)
const cid = CID.createV1(raw.code, sha256.digest(block) as never)

describe('exchangeStoreOf', () => {
  it('puts, asks and reads a block of a MemoryBlockstore; a missing one reads as undefined', async () => {
    const store = exchangeStoreOf(new MemoryBlockstore())
    expect(await store.has(cid)).toBe(false)
    expect(await store.get(cid)).toBeUndefined()
    await store.put(cid, block)
    expect(await store.has(cid)).toBe(true)
    expect([...((await store.get(cid)) ?? [])]).toEqual([1, 2, 3, 4])
  })

  it('joins a block read in chunks, and passes on any error but NotFound', async () => {
    const chunked = exchangeStoreOf({
      has: () => true,
      put: () => cid,
      *get() {
        yield Uint8Array.of(1, 2)
        yield Uint8Array.of(3, 4)
      },
    })
    expect([...((await chunked.get(cid)) ?? [])]).toEqual([1, 2, 3, 4])
    const broken = exchangeStoreOf({
      has: () => true,
      put: () => cid,
      get() {
        throw Object.assign(new Error('LEVEL_IO_ERROR'), { name: 'IOError' })
      },
    })
    await expect(broken.get(cid)).rejects.toThrow('LEVEL_IO_ERROR')
  })
})
