import { describe, expect, it } from 'vitest'
import { LOCATOR_MAX } from '../../../src/sync/limits.js'
import { buildLocator, locatorHeights, mergeLocators, pathLocator } from '../../../src/sync/locator.js'
import { toHex } from '../../../src/util/bytes.js'
import { sourceChain } from './helpers.js'

describe('locator', () => {
  it('is dense for the last 10, then doubles its steps, and always ends at genesis', () => {
    expect(locatorHeights(0)).toEqual([0])
    expect(locatorHeights(5)).toEqual([5, 4, 3, 2, 1, 0])
    expect(locatorHeights(10)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    expect(locatorHeights(40)).toEqual([40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 29, 25, 17, 1, 0])
    const long = locatorHeights(1_000_000)
    expect(long.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => 1_000_000 - i))
    const gaps = long.slice(9, -1).map((h, i) => h - (long[i + 10] as number))
    expect(gaps.slice(0, -1)).toEqual(gaps.slice(0, -1).map((_, i) => 2 ** (i + 1)))
    expect(long.at(-1)).toBe(0)
    expect(long.length).toBeLessThan(LOCATOR_MAX)
  })

  it('buildLocator maps those heights to main-chain hashes', async () => {
    const { source, blocks } = await sourceChain(40)
    const locator = buildLocator(source.chain).map(toHex)
    const expected = locatorHeights(40).map((h) => (h === 0 ? source.chain.genesisBlock.id : blocks[h - 1]?.id))
    expect(locator).toEqual(expected)
  })

  it('merges a path locator before ours, without repeats, capped but keeping genesis', () => {
    const h = (n: number) => new Uint8Array(32).fill(n)
    expect(mergeLocators([h(3), h(2)], [h(2), h(1), h(0)]).map((x) => x[0])).toEqual([3, 2, 1, 0])
    const many = Array.from({ length: 150 }, (_, i) => h(i + 1))
    const merged = mergeLocators(many, [h(0)])
    expect(merged.length).toBe(LOCATOR_MAX)
    expect(merged.at(-1)?.[0]).toBe(0)
    expect(pathLocator([])).toEqual([])
  })
})
