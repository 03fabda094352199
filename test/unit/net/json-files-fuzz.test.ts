/**
 * The files net/ reads at start-up under fuzzing: bans.json, addrman.json,
 * anchors.json (JSON) and node-key (protobuf). Any bytes, any JSON value, and valid files with one
 * field replaced by anything either load or are refused with a typed error
 * (JsonFileError, NodeKeyError, AddrManFileError, AnchorsFileError), never
 * another exception, each within a time
 * budget: at most 50 ms for an input of the largest size read, far less for
 * the rest. The decoders are pure, so the budget is theirs alone.
 */
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { BANS_MAX, parseBansFile } from '../../../src/net/bans.js'
import { decodeNodeKey, NODE_KEY_BYTES_MAX, NodeKeyError } from '../../../src/net/identity.js'
import { JSON_FILE_BYTES_MAX, JsonFileError, parseJsonFile } from '../../../src/net/json-file.js'
import { AddrMan } from '../../../src/peers/addrman.js'
import {
  ADDRMAN_FILE_BYTES_MAX,
  AddrManFileError,
  NEW_ENTRIES_MAX,
  TRIED_ENTRIES_MAX,
} from '../../../src/peers/addrman-file.js'
import { ANCHORS_MAX, AnchorsFileError, parseAnchorsFile } from '../../../src/peers/anchors.js'
import { seededRng } from '../../../src/util/rng.js'
import { timedMs } from '../../helpers/time-budget.js'
import { newPeerId } from './helpers.js'

const RUNS = 500
const MAX_SIZE_BUDGET_MS = 50
const INPUT_BUDGET_MS = 20
/** A megabyte of addrman.json (about 5,000 valid entries, each placed in the tables). */
const ADDRMAN_MEGABYTE_BUDGET_MS = 2_000
const enc = new TextEncoder()

type Decoder = (bytes: Uint8Array) => void

const decodeBans: Decoder = (bytes) => {
  const { bans } = parseBansFile(parseJsonFile('bans.json', bytes), 'bans.json')
  expect(bans.length).toBeLessThanOrEqual(BANS_MAX)
}
const decodeAddrMan: Decoder = (bytes) => {
  const doc = parseJsonFile('addrman.json', bytes, ADDRMAN_FILE_BYTES_MAX)
  const deps = { policy: { lab: false, localCluster: false }, nowMs: () => 1_700_000_000_000, rng: seededRng(1) }
  const stats = AddrMan.fromFile(doc, deps, 'addrman.json').addrman.stats()
  expect(stats.new + stats.tried).toBeLessThanOrEqual(NEW_ENTRIES_MAX + TRIED_ENTRIES_MAX)
}
const decodeAnchors: Decoder = (bytes) => {
  expect(parseAnchorsFile(parseJsonFile('anchors.json', bytes), 'anchors.json').length).toBeLessThanOrEqual(ANCHORS_MAX)
}
const decodeKey: Decoder = (bytes) => {
  expect(decodeNodeKey(bytes, 'node-key').type).toBe('Ed25519')
}

/** Runs `decode`; only its typed refusal may escape. Returns the ms it took. */
function decideTimed(decode: Decoder, bytes: Uint8Array, budgetMs = INPUT_BUDGET_MS): number {
  return timedMs(() => {
    try {
      decode(bytes)
    } catch (err) {
      const typed = [JsonFileError, NodeKeyError, AddrManFileError, AnchorsFileError].some(
        (kind) => err instanceof kind,
      )
      if (!typed) throw err
    }
  }, budgetMs)
}

let peerIds: string[] = []
let goodKey: Uint8Array
beforeAll(async () => {
  peerIds = await Promise.all(Array.from({ length: 4 }, () => newPeerId()))
  goodKey = privateKeyToProtobuf(await generateKeyPair('Ed25519'))
})

const goodBans = () => ({
  version: 1,
  bans: [
    { peer: peerIds[0], reason: 'spam', sinceMs: 1 },
    { peer: '10.1.0.0/16', reason: 'subnet', sinceMs: 2 },
  ],
})
const addrEntry = (peer: string | undefined, addr: string) => ({
  peer,
  addr,
  source: '30.1.0.1',
  seenMs: 1_699_000_000_000,
  lastTryMs: 0,
  lastSuccessMs: 0,
  attempts: 1,
})
const goodAddrMan = () => ({
  version: 1,
  key: 'ab'.repeat(32),
  lastGoodMs: 5,
  tried: [{ ...addrEntry(peerIds[1], '/ip4/20.1.0.1/tcp/4001'), lastSuccessMs: 1_699_000_000_000 }],
  new: [addrEntry(peerIds[2], '/ip4/21.1.0.1/tcp/4001'), addrEntry(peerIds[3], '/ip6/2001:db8::1/tcp/4001/ws')],
})
const goodAnchors = () => ({
  version: 1,
  anchors: [
    { peer: peerIds[1], addr: '/ip4/20.1.0.1/tcp/4001' },
    { peer: peerIds[2], addr: '/ip4/21.1.0.1/tcp/4001/ws' },
  ],
})

/** `doc` with the value at `path` replaced. */
function replaced(doc: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>
  let at = copy
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>
  at[path[path.length - 1] as string] = value
  return copy
}

const JSON_FILES: Array<{ name: string; decode: Decoder; good: () => unknown; paths: Array<Array<string | number>> }> =
  [
    {
      name: 'bans.json',
      decode: decodeBans,
      good: goodBans,
      paths: [['version'], ['bans'], ['bans', 0], ['bans', 0, 'peer'], ['bans', 0, 'reason'], ['bans', 1, 'sinceMs']],
    },
    {
      name: 'addrman.json',
      decode: decodeAddrMan,
      good: goodAddrMan,
      paths: [
        ['version'],
        ['key'],
        ['lastGoodMs'],
        ['tried'],
        ['new'],
        ['tried', 0],
        ['tried', 0, 'addr'],
        ['new', 0, 'peer'],
        ['new', 1, 'source'],
        ['new', 0, 'seenMs'],
        ['tried', 0, 'attempts'],
      ],
    },
    {
      name: 'anchors.json',
      decode: decodeAnchors,
      good: goodAnchors,
      paths: [['version'], ['anchors'], ['anchors', 0], ['anchors', 0, 'peer'], ['anchors', 1, 'addr']],
    },
  ]

describe('JSON files of net/, fuzzed', () => {
  for (const file of JSON_FILES) {
    describe(file.name, () => {
      it('loads the valid file it is mutated from', () => {
        expect(() => file.decode(enc.encode(JSON.stringify(file.good())))).not.toThrow()
      })

      it('loads or refuses any bytes and any JSON value with a JsonFileError, in budget', () => {
        fc.assert(
          fc.property(
            fc.oneof(
              fc.uint8Array({ maxLength: 2000 }),
              fc.string({ maxLength: 2000 }).map((s) => enc.encode(s)),
            ),
            (bytes) => {
              expect(decideTimed(file.decode, bytes)).toBeLessThan(INPUT_BUDGET_MS)
            },
          ),
          { numRuns: RUNS },
        )
        fc.assert(
          fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
            expect(decideTimed(file.decode, enc.encode(JSON.stringify(value)))).toBeLessThan(INPUT_BUDGET_MS)
          }),
          { numRuns: RUNS },
        )
      })

      it('loads or refuses a valid file with one field replaced by any JSON value, in budget', () => {
        fc.assert(
          fc.property(fc.constantFrom(...file.paths), fc.jsonValue({ maxDepth: 3 }), (path, value) => {
            const bytes = enc.encode(JSON.stringify(replaced(file.good(), path, value)))
            expect(decideTimed(file.decode, bytes)).toBeLessThan(INPUT_BUDGET_MS)
          }),
          { numRuns: RUNS },
        )
      })
    })
  }

  it(`decides inputs of the largest size read (${JSON_FILE_BYTES_MAX} bytes) within ${MAX_SIZE_BUDGET_MS} ms, addrman.json within its budget per megabyte`, () => {
    const fill = (make: (i: number) => unknown, key: string, head = '"version":1'): Uint8Array => {
      const items: string[] = []
      let size = head.length + key.length + 10
      for (let i = 0; ; i++) {
        const text = JSON.stringify(make(i))
        if (size + text.length + 1 > JSON_FILE_BYTES_MAX) break
        items.push(text)
        size += text.length + 1
      }
      return enc.encode(`{${head},"${key}":[${items.join(',')}]}`)
    }
    const addrmanHead = `"version":1,"key":"${'cd'.repeat(32)}","lastGoodMs":1,"tried":[]`
    const inputs: Array<[Decoder, Uint8Array]> = [
      // valid-looking entries all the way: every one is parsed
      [
        decodeBans,
        fill((i) => ({ peer: `10.${(i >> 8) & 255}.${i & 255}.0/24`, reason: 'r'.repeat(200), sinceMs: i }), 'bans'),
      ],
      [decodeBans, fill((i) => ({ peer: `${peerIds[i % 4]}`, reason: 'x', sinceMs: i }), 'bans')],
      [decodeBans, fill(() => ({ peer: '12D3KooW'.padEnd(52, 'x'), reason: 'x' }), 'bans')],
      [decodeAnchors, fill((i) => ({ peer: peerIds[i % 4], addr: '/ip4/1.2.3.4/tcp/1' }), 'anchors')],
      [decodeBans, enc.encode('['.repeat(JSON_FILE_BYTES_MAX / 2) + ']'.repeat(JSON_FILE_BYTES_MAX / 2))],
      [decodeAnchors, enc.encode(`[${'0,'.repeat(JSON_FILE_BYTES_MAX / 2 - 2)}0]`)],
    ]
    for (const [i, [decode, bytes]] of inputs.entries()) {
      expect(bytes.byteLength).toBeLessThanOrEqual(JSON_FILE_BYTES_MAX)
      expect(decideTimed(decode, bytes, MAX_SIZE_BUDGET_MS), `input ${i}`).toBeLessThan(MAX_SIZE_BUDGET_MS)
    }
    // addrman.json holds up to a full table (ADDRMAN_FILE_BYTES_MAX), so its decoder has a budget per
    // megabyte; valid, distinct entries are each placed in the tables (two HMACs, ~30 µs on an idle
    // machine): the budget catches a quadratic slip rather than noise
    const addrmanInputs = [
      fill(
        (i) => addrEntry(peerIds[i % 4], `/ip4/${20 + (i % 200)}.${(i >> 8) & 255}.${i & 255}.1/tcp/4001`),
        'new',
        addrmanHead,
      ),
      fill(() => addrEntry(peerIds[0], '/ip4/1.2.3.4/tcp/1'), 'new', addrmanHead),
      fill(() => ({ peer: 'x', addr: 'y' }), 'new', addrmanHead),
      enc.encode(`[${'0,'.repeat(JSON_FILE_BYTES_MAX / 2 - 2)}0]`),
    ]
    for (const [i, bytes] of addrmanInputs.entries()) {
      const ms = decideTimed(decodeAddrMan, bytes, ADDRMAN_MEGABYTE_BUDGET_MS)
      expect(ms, `addrman input ${i}`).toBeLessThan(ADDRMAN_MEGABYTE_BUDGET_MS)
    }
    // a byte more is refused before it is parsed
    expect(() => parseJsonFile('bans.json', new Uint8Array(JSON_FILE_BYTES_MAX + 1))).toThrow(JsonFileError)
  })
})

describe('node-key, fuzzed', () => {
  it('loads the valid key; refuses any other bytes with a NodeKeyError, in budget', () => {
    expect(decodeNodeKey(goodKey, 'node-key').type).toBe('Ed25519')
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: NODE_KEY_BYTES_MAX + 10 }), (bytes) => {
        expect(decideTimed(decodeKey, bytes)).toBeLessThan(INPUT_BUDGET_MS)
      }),
      { numRuns: RUNS },
    )
  })

  it('refuses the valid key with any byte changed, cut or extended, in budget', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 40 }), (at, byte, tail) => {
        const flipped = goodKey.slice()
        flipped[at % flipped.length] = byte
        for (const bytes of [flipped, goodKey.slice(0, at % goodKey.length), new Uint8Array([...goodKey, ...tail])]) {
          expect(decideTimed(decodeKey, bytes)).toBeLessThan(INPUT_BUDGET_MS)
        }
      }),
      { numRuns: RUNS },
    )
  })

  it(`decides a key file of the largest size read (${NODE_KEY_BYTES_MAX} bytes) within ${MAX_SIZE_BUDGET_MS} ms`, () => {
    const big = new Uint8Array(NODE_KEY_BYTES_MAX).fill(0x0a)
    expect(decideTimed(decodeKey, big, MAX_SIZE_BUDGET_MS)).toBeLessThan(MAX_SIZE_BUDGET_MS)
    expect(() => decodeNodeKey(new Uint8Array(NODE_KEY_BYTES_MAX + 1), 'node-key')).toThrow(NodeKeyError)
  })
})
