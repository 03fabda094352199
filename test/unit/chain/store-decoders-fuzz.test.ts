/**
 * Every decoder of what the chain store holds (stored.ts) under fuzzing: undo
 * records, header-index entries, accounts, trie nodes, blocks, the hash and
 * tx-location values. Random bytes, and real records with bytes flipped, cut
 * or appended, either decode or throw StoreCorruptError naming the key (never
 * another error, never a VerifyError a peer could be charged with), each
 * within a time budget: at most 50 ms for an input of the largest size a
 * record can have.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { StoreCorruptError } from '../../../src/chain/errors.js'
import { layout } from '../../../src/chain/layout.js'
import {
  storedAccount,
  storedBlock,
  storedEntry,
  storedHash,
  storedTrieNode,
  storedTxLocation,
  storedUndo,
} from '../../../src/chain/stored.js'
import { encodeUndo, type UndoEntry } from '../../../src/chain/undo.js'
import type { Block } from '../../../src/ledger/block.js'
import { readAccountBytes } from '../../../src/ledger/codec/account-bytes.js'
import * as pb from '../../../src/ledger/codec/peerchain.js'
import { isVerifyError } from '../../../src/ledger/errors.js'
import { ABS_LIMITS } from '../../../src/ledger/limits.js'
import type { AccountStake } from '../../../src/ledger/stake.js'
import { type Account, accountToBytes } from '../../../src/ledger/state.js'
import { prefixRange } from '../../../src/storage/kv.js'
import { toHex } from '../../../src/util/bytes.js'
import { mineBlock, openTestChain, transfer } from '../../helpers/chain.js'
import { timedMs } from '../../helpers/time-budget.js'

const RUNS = 400
const MAX_SIZE_BUDGET_MS = 50
const INPUT_BUDGET_MS = 20

interface StoreDecoder {
  name: string
  /** The key the record is read under (what the error must name). */
  key: Uint8Array
  decode: (bytes: Uint8Array) => unknown
  /** Real records of this kind, from a chain with txs. */
  samples: Uint8Array[]
  /** The largest a record of this kind can be, valid, and a corrupt one of that size. */
  largest: () => Uint8Array[]
}

const HASH = new Uint8Array(32).fill(7)
const ADDRESS = new Uint8Array(20).fill(9)
const keyName = (key: Uint8Array) => `${String.fromCharCode(key[0] as number)}/`

/** Runs `decode`; only StoreCorruptError naming `key` may escape. Returns the ms it took. */
function decideTimed(d: StoreDecoder, bytes: Uint8Array, budgetMs = INPUT_BUDGET_MS): number {
  return timedMs(() => {
    try {
      d.decode(bytes)
    } catch (err) {
      if (!(err instanceof StoreCorruptError)) throw err
      expect(isVerifyError(err)).toBe(false)
      expect(err.key.startsWith(keyName(d.key))).toBe(true)
      expect(err.message).toContain(err.key)
    }
  }, budgetMs)
}

const decoders: StoreDecoder[] = []

/** `length` bytes from a fixed-seed generator (xorshift): noise, the same in every run. */
function noise(length: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed | 0
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

beforeAll(async () => {
  const t = await openTestChain()
  const blocks: Block[] = []
  for (let i = 0; i < 4; i++) {
    const block = await mineBlock(t, [transfer(0, 1, BigInt(i)), transfer(2, 3, BigInt(i))])
    await t.chain.importBlock(block, 'rpc')
    blocks.push(block)
  }
  const all = async (prefix: string) => {
    const out: Array<[Uint8Array, Uint8Array]> = []
    for await (const entry of t.store.entries(prefixRange(new TextEncoder().encode(prefix)))) out.push(entry)
    return out
  }
  const [undo, entries, accounts, nodes, stored, heights, txs] = await Promise.all(
    ['u', 'h', 'a', 's', 'b', 'n', 't'].map(all),
  )
  const values = (list: Array<[Uint8Array, Uint8Array]> | undefined) => (list ?? []).map(([, v]) => v)
  const top = blocks.at(-1) as Block
  // The most accounts a block can change: every tx's sender and recipient, and the miner.
  const undoEntries: UndoEntry[] = Array.from({ length: 2 * ABS_LIMITS.blockTxsMax + 1 }, (_, i) => ({
    address: new Uint8Array(20).fill(i % 256),
    before: { balance: 10n ** 18n + BigInt(i), nonce: BigInt(i + 1) },
  }))
  decoders.push(
    {
      name: 'undo record',
      key: layout.undo(HASH),
      decode: (b) => storedUndo(HASH, b),
      samples: values(undo),
      largest: () => {
        const valid = encodeUndo(undoEntries)
        expect(storedUndo(HASH, valid).size).toBe(undoEntries.length) // a real record, not one refused at once
        const huge = valid.slice()
        new DataView(huge.buffer).setUint32(0, 0xffffffff) // a count no record can hold
        return [valid, huge, valid.subarray(0, valid.byteLength - 1)]
      },
    },
    {
      name: 'header-index entry',
      key: layout.header(top.hash),
      decode: (b) => storedEntry(layout.header(top.hash), b),
      samples: values(entries?.filter(([key]) => toHex(key) === toHex(layout.header(top.hash)))),
      largest: () => [new Uint8Array(33 + ABS_LIMITS.headerBytesMax).fill(0x01)],
    },
    {
      name: 'account',
      key: layout.account(ADDRESS),
      decode: (b) => storedAccount(ADDRESS, b),
      samples: values(accounts),
      largest: () => [new Uint8Array(32).fill(0xff), new Uint8Array(1 << 20).fill(0x08)],
    },
    {
      name: 'trie node',
      key: layout.trieNode(HASH),
      decode: (b) => storedTrieNode(HASH, b),
      samples: values(nodes),
      // A branch of 16 hashes and a value is about 600 bytes; far past that, random bytes.
      largest: () => [new Uint8Array(1 << 20).fill(0xf8), noise(1 << 16)],
    },
    {
      name: 'block',
      key: layout.block(top.hash),
      decode: (b) => storedBlock(top.hash, b),
      samples: values(stored?.filter(([key]) => toHex(key) === toHex(layout.block(top.hash)))),
      // Corrupt records of the largest size: noise, and a record past the cap. (A valid block of
      // 20,000 txs is the consensus codec's to decode, with its own budget.)
      largest: () => [noise(ABS_LIMITS.blockBytesMax), new Uint8Array(ABS_LIMITS.blockBytesMax + 1).fill(0x0a)],
    },
    {
      name: 'height index / head pointer',
      key: layout.head,
      decode: (b) => storedHash(layout.head, b),
      samples: values(heights),
      largest: () => [new Uint8Array(1 << 20)],
    },
    {
      name: 'tx location',
      key: layout.txLocation(HASH),
      decode: (b) => storedTxLocation(layout.txLocation(HASH), b),
      samples: values(txs),
      largest: () => [new Uint8Array(1 << 20)],
    },
  )
}, 30_000)

/** A real record with bytes flipped, cut or appended. */
const mutated = (samples: Uint8Array[]) =>
  fc
    .tuple(
      fc.constantFrom(...samples),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.nat(),
      fc.uint8Array({ maxLength: 8 }),
    )
    .map(([sample, flips, cut, tail]) => {
      const out = sample.slice()
      for (const [at, xor] of flips) out[at % out.length] = (out[at % out.length] as number) ^ xor
      const kept = out.subarray(0, out.length - (cut % 3 === 0 ? cut % Math.max(1, out.length) : 0))
      return cut % 3 === 1 ? new Uint8Array([...kept, ...tail]) : kept
    })

/** The value, or 'refused' for any throw. */
const STAKE: AccountStake = {
  publicKey: new Uint8Array(32).fill(9),
  bonded: 300n,
  unbonding: [{ amount: 7n, startHeight: 3, releaseHeight: 900 }],
  jailedUntil: 12,
}

/** The reference: protons' parse, refused unless it re-encodes to the very bytes; in the ledger's shape. */
function protonsStrictAccount(bytes: Uint8Array): Account {
  const a = pb.Account.decode(bytes)
  if (toHex(pb.Account.encode(a)) !== toHex(bytes)) throw new RangeError('not canonical')
  const out: Account = { balance: a.balance, nonce: a.nonce }
  if (a.stake) {
    const s = a.stake
    out.stake = {
      publicKey: s.publicKey,
      bonded: s.bonded,
      unbonding: s.unbonding.map((e) => ({
        amount: e.amount,
        startHeight: safeHeight(e.startHeight),
        releaseHeight: safeHeight(e.releaseHeight),
      })),
      ...(s.jailedUntil === 0n ? {} : { jailedUntil: safeHeight(s.jailedUntil) }),
    }
    if (s.publicKey.byteLength !== 32 || s.unbonding.length > 8) throw new RangeError('out of bounds')
  }
  return out
}

function safeHeight(h: bigint): number {
  if (h > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('height past 2^53')
  return Number(h)
}

function attempt<T>(fn: () => T): T | 'refused' {
  try {
    return fn()
  } catch {
    return 'refused'
  }
}

describe('store decoders under fuzzing', () => {
  it('every decoder has real records to mutate', () => {
    expect(decoders.map((d) => d.name)).toHaveLength(7)
    for (const d of decoders) expect(d.samples.length, d.name).toBeGreaterThan(0)
    // The real records decode.
    for (const d of decoders) for (const sample of d.samples) d.decode(sample)
  })

  it('random bytes decode or throw StoreCorruptError naming the key', () => {
    for (const d of decoders) {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
          expect(decideTimed(d, bytes), d.name).toBeLessThan(INPUT_BUDGET_MS)
        }),
        { numRuns: RUNS },
      )
    }
  })

  it('mutated real records decode or throw StoreCorruptError naming the key', () => {
    for (const d of decoders) {
      fc.assert(
        fc.property(mutated(d.samples), (bytes) => {
          expect(decideTimed(d, bytes), d.name).toBeLessThan(INPUT_BUDGET_MS)
        }),
        { numRuns: RUNS },
      )
    }
  })

  it(`an input of the largest size is decided within ${MAX_SIZE_BUDGET_MS} ms`, () => {
    for (const d of decoders) {
      for (const bytes of d.largest()) {
        const ms = decideTimed(d, bytes, MAX_SIZE_BUDGET_MS)
        console.log(`store decoder ${d.name}: ${bytes.byteLength} bytes in ${ms.toFixed(1)} ms`)
        expect(ms, `${d.name}, ${bytes.byteLength} bytes`).toBeLessThan(MAX_SIZE_BUDGET_MS)
      }
    }
  })

  it("the store's account reader accepts exactly what protons parses and re-encodes to the same bytes, with the same values", () => {
    const canonical = fc
      .record({
        balance: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      })
      .map((a) => accountToBytes(a))
    const inputs = fc.oneof(
      canonical,
      mutated([
        accountToBytes({ balance: 10n ** 18n, nonce: 7n }),
        accountToBytes({ balance: 1n, nonce: 0n }),
        accountToBytes({ balance: 5n, nonce: 1n, stake: STAKE }),
      ]),
      fc.uint8Array({ maxLength: 24 }),
    )
    fc.assert(
      fc.property(inputs, (bytes) => {
        const strict = attempt(() => protonsStrictAccount(bytes))
        const fast = attempt(() => readAccountBytes(bytes))
        expect(fast).toEqual(strict)
      }),
      { numRuns: 3000 },
    )
  })

  it('an undo record whose count claims more accounts than its bytes hold is refused before it is trusted', () => {
    const record = encodeUndo([{ address: ADDRESS, before: { balance: 5n, nonce: 1n } }])
    new DataView(record.buffer).setUint32(0, 1_000_000)
    expect(() => storedUndo(HASH, record)).toThrow(/counts 1000000 accounts/)
    expect(() => storedUndo(HASH, record)).toThrow(StoreCorruptError)
  })
})
