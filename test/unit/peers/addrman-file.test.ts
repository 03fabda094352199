/**
 * addrman.json: a round trip keeps every address where it was (the key is
 * in the file; slots are derived from it again, never read), a document that
 * is not an addrman file is refused with AddrManFileError, bad entries are
 * skipped and counted, and any input is decided within a time budget.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AddrMan } from '../../../src/peers/addrman.js'
import {
  type AddrManFile,
  AddrManFileError,
  NEW_ENTRIES_MAX,
  TRIED_ENTRIES_MAX,
} from '../../../src/peers/addrman-file.js'
import { seededRng } from '../../../src/util/rng.js'
import { timedMs } from '../../helpers/time-budget.js'
import { HOUR, INTERNET, keyOf, newAddrMan, T0, v4 } from './addrman-helpers.js'

const RUNS = 150
const INPUT_BUDGET_MS = 20
const deps = () => ({ policy: INTERNET, nowMs: () => T0 + HOUR, rng: seededRng(1) })

/** A filled address manager: 700 new, 300 tried, failures and a recent try. */
function filled(): AddrMan {
  const { addrman, clock } = newAddrMan('file-key', 4)
  for (let i = 0; i < 1_000; i++)
    addrman.add([v4(20 + (i % 90), i % 20, i >> 8, i & 255)], 'dht', `${100 + (i % 50)}.1.1.1`)
  for (let i = 0; i < 300; i++) addrman.good(v4(20 + (i % 90), i % 20, i >> 8, i & 255))
  clock.advance(HOUR / 2)
  for (let i = 300; i < 400; i++) addrman.attempt(v4(20 + (i % 90), i % 20, i >> 8, i & 255))
  return addrman
}

/** The document as it comes back from disk. */
const throughJson = (doc: AddrManFile): unknown => JSON.parse(JSON.stringify(doc))

/** `fromFile`; only AddrManFileError may escape. */
function load(doc: unknown): { addrman: AddrMan; skipped: number } | undefined {
  try {
    return AddrMan.fromFile(doc, deps(), 'addrman.json')
  } catch (err) {
    if (err instanceof AddrManFileError) return undefined
    throw err
  }
}

describe('addrman.json round trip', () => {
  const original = filled()
  const doc = original.toFile()

  it('keeps every address in its slots, the key, the counts and the failures', () => {
    const { addrman, skipped } = AddrMan.fromFile(throughJson(doc), deps(), 'addrman.json')
    expect(skipped).toBe(0)
    expect(addrman.stats()).toEqual(original.stats())
    for (const entry of [...doc.tried, ...doc.new]) {
      expect(addrman.slotsOf(entry.addr), entry.addr).toEqual(original.slotsOf(entry.addr))
    }
    expect(addrman.toFile()).toEqual(doc)
    expect(doc.tried.length).toBeGreaterThan(250)
    expect(doc.new.some((e) => e.attempts === 1 && e.lastTryMs === T0 + HOUR / 2)).toBe(true)
  })

  it('uses the key in the file, not one passed in', () => {
    const withOtherKey = { ...deps(), key: keyOf('another') }
    const { addrman } = AddrMan.fromFile(throughJson(doc), withOtherKey, 'addrman.json')
    expect(addrman.toFile().key).toBe(doc.key)
  })

  it('puts an address of several new buckets back in the one its first source chose', () => {
    const { addrman } = newAddrMan('multi-file', 2)
    const a = v4(44, 1, 1, 1)
    for (let i = 0; i < 500; i++) addrman.add([a], 'dht', `${1 + (i % 200)}.${i % 250}.0.1`)
    const slots = addrman.slotsOf(a.addr)?.new ?? []
    expect(slots.length).toBeGreaterThan(1)
    const back = AddrMan.fromFile(throughJson(addrman.toFile()), deps(), 'addrman.json').addrman
    expect(back.slotsOf(a.addr)?.new).toEqual([slots[0]])
  })

  it('skips a duplicate entry and moves nothing else', () => {
    const entry = doc.new[0]
    if (entry === undefined) throw new Error('empty')
    const tampered = {
      ...doc,
      tried: [],
      new: [entry, { ...entry }, ...doc.new.slice(1)],
    }
    const { addrman, skipped } = AddrMan.fromFile(tampered, deps(), 'addrman.json')
    expect(skipped).toBe(1)
    // the tried list was left out; every new entry sits where it sat
    expect(addrman.stats().tried).toBe(0)
    for (const e of doc.new) expect(addrman.slotsOf(e.addr)).toEqual(original.slotsOf(e.addr))
  })
})

describe('addrman.json, strict about what it is, lenient about entries', () => {
  const good = newAddrMan('strict').addrman
  good.add([v4(1, 2, 3, 4), v4(5, 6, 7, 8)], 'dht', '9.9.9.9')
  const doc = good.toFile()

  it('refuses documents that are not addrman files with AddrManFileError', () => {
    const refused: unknown[] = [
      null,
      [],
      'addrman',
      42,
      {},
      { ...doc, version: 2 },
      { ...doc, version: '1' },
      { ...doc, key: 'zz'.repeat(32) },
      { ...doc, key: doc.key.slice(2) },
      { ...doc, key: undefined },
      { ...doc, tried: undefined },
      { ...doc, new: {} },
      { version: 1, bans: [] },
    ]
    for (const value of refused) {
      expect(() => AddrMan.fromFile(value, deps(), 'addrman.json'), JSON.stringify(value)).toThrow(AddrManFileError)
    }
    expect(() => AddrMan.fromFile(null, deps(), '/data/addrman.json')).toThrow('/data/addrman.json: not an object')
  })

  it('skips and counts malformed entries, keeps the rest', () => {
    const [first, second] = doc.new
    const bad: unknown[] = [
      null,
      7,
      { ...first, addr: '/dns4/example.com/tcp/1' },
      { ...first, addr: 'nonsense' },
      { ...first, peer: 'not a peer id' },
      { ...first, source: 'not-an-ip' },
      { ...first, seenMs: -1 },
      { ...first, lastTryMs: 1.5 },
      { ...first, lastSuccessMs: '0' },
      { ...first, attempts: Number.MAX_VALUE },
      { ...first, attempts: -0 },
    ]
    const { addrman, skipped } = AddrMan.fromFile({ ...doc, new: [...bad, second] }, deps(), 'addrman.json')
    expect(skipped).toBe(bad.length)
    expect(addrman.stats().new).toBe(1)
    expect(addrman.has(second?.addr ?? '')).toBe(true)
  })

  it('looks at no more entries than the tables hold', () => {
    const [first] = doc.new
    const many = { ...doc, tried: Array(TRIED_ENTRIES_MAX + 5).fill(7), new: Array(NEW_ENTRIES_MAX + 3).fill(first) }
    const { addrman, skipped } = AddrMan.fromFile(many, deps(), 'addrman.json')
    expect(addrman.stats().new).toBe(1)
    expect(skipped).toBe(TRIED_ENTRIES_MAX + 5 + NEW_ENTRIES_MAX + 3 - 1)
  })
})

/** `doc` with the value at `path` replaced. */
function replaced(doc: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>
  let at = copy
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>
  at[path[path.length - 1] as string] = value
  return copy
}

describe('addrman.json, fuzzed', () => {
  const small = newAddrMan('fuzz').addrman
  small.add([v4(1, 2, 3, 4), v4(5, 6, 7, 8), v4(9, 9, 9, 9)], 'dht', '9.9.9.9')
  small.good(v4(9, 9, 9, 9))
  const doc = small.toFile()
  const paths: Array<Array<string | number>> = [
    ['version'],
    ['key'],
    ['lastGoodMs'],
    ['tried'],
    ['new'],
    ['tried', 0],
    ['new', 1],
    ['new', 0, 'peer'],
    ['new', 0, 'addr'],
    ['new', 1, 'source'],
    ['tried', 0, 'seenMs'],
    ['tried', 0, 'attempts'],
  ]

  it('loads or refuses any JSON value with an AddrManFileError, in budget', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        expect(timedMs(() => load(value), INPUT_BUDGET_MS)).toBeLessThan(INPUT_BUDGET_MS)
      }),
      { numRuns: RUNS },
    )
  })

  it('loads or refuses a valid file with one field replaced by any JSON value, in budget; loaded ones hold only sound entries', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 3 }), (path, value) => {
        const mutated = replaced(doc, path, value)
        let loaded: ReturnType<typeof load>
        expect(timedMs(() => (loaded = load(mutated)), INPUT_BUDGET_MS)).toBeLessThan(INPUT_BUDGET_MS)
        if (loaded === undefined) return
        const { addrman, skipped } = loaded
        const { new: fresh, tried } = addrman.stats()
        expect(fresh + tried + skipped).toBeGreaterThanOrEqual(0)
        expect(fresh + tried).toBeLessThanOrEqual(3)
        // what loaded can be saved and loaded again, unchanged
        expect(AddrMan.fromFile(throughJson(addrman.toFile()), deps(), 'x').addrman.toFile()).toEqual(addrman.toFile())
      }),
      { numRuns: RUNS },
    )
  })

  it('loads a document of 2,000 entries within 300 ms: an HMAC per entry, per pair of groups and per source spread', () => {
    const big = newAddrMan('big').addrman
    const entries = Array.from({ length: 2_000 }, (_, i) => ({
      peer: `peer${i}`,
      addr: `/ip4/${20 + (i % 100)}.${(i >> 7) & 255}.1.${i & 127}/tcp/9000`,
      source: `${30 + (i % 9)}.1.1.1`,
      seenMs: T0,
      lastTryMs: 0,
      lastSuccessMs: 0,
      attempts: 0,
    }))
    const file = { ...big.toFile(), new: entries }
    let loaded: ReturnType<typeof load>
    expect(timedMs(() => (loaded = load(file)), 300)).toBeLessThan(300)
    expect(loaded?.addrman.stats().new).toBeGreaterThan(1_800)
    expect(loaded?.addrman.hmacCount).toBeLessThanOrEqual(2_000 + 2_000 + 9 * 64)
  })
})
