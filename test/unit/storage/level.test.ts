import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LevelStore } from '../../../src/storage/level.js'

describe('LevelStore', () => {
  let dir: string
  let store: LevelStore

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'peerchain-level-'))
    store = new LevelStore(join(dir, 'db'))
    await store.open()
  })

  afterEach(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('stores every key and value of a batch byte for byte, small and large, views at any offset', async () => {
    const bytes = (max: number) => fc.uint8Array({ minLength: 1, maxLength: max })
    const entry = fc.tuple(fc.oneof(bytes(64), bytes(100)), fc.oneof(fc.uint8Array({ maxLength: 64 }), bytes(300)))
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { minLength: 1, maxLength: 40 }),
        fc.nat({ max: 7 }),
        async (entries, offset) => {
          // The same key twice in a batch: the later put wins, as LevelDB applies a batch in order.
          const expected = new Map<string, Uint8Array>()
          const ops = entries.map(([key, value]) => {
            const framed = new Uint8Array(offset + value.length)
            framed.set(value, offset)
            const view = framed.subarray(offset)
            expected.set(Buffer.from(key).toString('hex'), value.slice())
            return { type: 'put' as const, key, value: view }
          })
          await store.batch(ops)
          for (const [hex, value] of expected) {
            expect(Buffer.from((await store.get(Buffer.from(hex, 'hex'))) ?? [1, 2, 3]).toString('hex')).toBe(
              Buffer.from(value).toString('hex'),
            )
          }
          // The caller's arrays are left as they were.
          entries.forEach(([key, value], i) => {
            expect([...ops[i]!.key]).toEqual([...key])
            expect([...ops[i]!.value]).toEqual([...value])
          })
          await store.batch([...expected.keys()].map((hex) => ({ type: 'del' as const, key: Buffer.from(hex, 'hex') })))
          for (const hex of expected.keys()) expect(await store.get(Buffer.from(hex, 'hex'))).toBeUndefined()
        },
      ),
      { seed: 9, numRuns: 60 },
    )
  })
})
