/**
 * The genesis file under fuzzing: any text, any JSON value, and the devnet
 * genesis with one field replaced by anything either load or are refused with
 * a GenesisError, never another exception, within a time budget: at most 50 ms
 * for an input of the largest size read, far less for the rest.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatAddress } from '../../../src/ledger/address.js'
import { devnetGenesis, GenesisError, genesisToJson } from '../../../src/ledger/genesis.js'
import { GENESIS_FILE_BYTES_MAX, parseGenesisText } from '../../../src/node/genesis-file.js'
import { timedMs } from '../../helpers/time-budget.js'

const RUNS = 500
const MAX_SIZE_BUDGET_MS = 50
const INPUT_BUDGET_MS = 20
const GOOD = genesisToJson(devnetGenesis()) as Record<string, unknown>

function decideTimed(text: string, budgetMs = INPUT_BUDGET_MS): number {
  return timedMs(() => {
    try {
      expect(parseGenesisText(text, 'genesis.json').chainId).toMatch(/^[a-z0-9-]+$/)
    } catch (err) {
      if (!(err instanceof GenesisError)) throw err
    }
  }, budgetMs)
}

function replaced(path: readonly string[], value: unknown): unknown {
  const copy = structuredClone(GOOD) as Record<string, unknown>
  let at = copy
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>
  at[path[path.length - 1] as string] = value
  return copy
}

const consensusKeys = Object.keys(GOOD.consensus as object)
const limitKeys = Object.keys((GOOD.limits as object | undefined) ?? {})
const PATHS: ReadonlyArray<readonly string[]> = [
  ['chainId'],
  ['timestamp'],
  ['alloc'],
  ['consensus'],
  ['limits'],
  ['extra'],
  ...consensusKeys.map((k) => ['consensus', k]),
  ...limitKeys.map((k) => ['limits', k]),
  ['alloc', Object.keys(GOOD.alloc as object)[0] as string],
]

describe('the genesis file, fuzzed', () => {
  it('loads the devnet genesis it is mutated from', () => {
    expect(parseGenesisText(JSON.stringify(GOOD), 'genesis.json').chainId).toBe('peerchain-devnet')
  })

  it('loads or refuses any text and any JSON value with a GenesisError, in budget', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (text) => {
        expect(decideTimed(text)).toBeLessThan(INPUT_BUDGET_MS)
      }),
      { numRuns: RUNS },
    )
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        expect(decideTimed(JSON.stringify(value))).toBeLessThan(INPUT_BUDGET_MS)
      }),
      { numRuns: RUNS },
    )
  })

  it('loads or refuses the devnet genesis with one field replaced by any JSON value, in budget', () => {
    const numberish = fc.oneof(
      fc.constantFrom(0, -1, 1.5, 2 ** 53, 2 ** 64, Number.MAX_SAFE_INTEGER, '1', '0x10', '1e400', '-5', ''),
      fc.bigInt().map(String),
    )
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), fc.oneof(fc.jsonValue({ maxDepth: 3 }), numberish), (path, value) => {
        expect(decideTimed(JSON.stringify(replaced(path, value)))).toBeLessThan(INPUT_BUDGET_MS)
      }),
      { numRuns: RUNS },
    )
  })

  it(`decides inputs of the largest size read (${GENESIS_FILE_BYTES_MAX} bytes) within ${MAX_SIZE_BUDGET_MS} ms`, () => {
    // every allocation valid and distinct until the file is full
    const alloc: Record<string, string> = {}
    let size = JSON.stringify(GOOD).length
    for (let i = 0; ; i++) {
      const bytes = new Uint8Array(20)
      new DataView(bytes.buffer).setUint32(0, i + 1)
      const address = formatAddress(bytes)
      size += address.length + 12
      if (size > GENESIS_FILE_BYTES_MAX - 100) break
      alloc[address] = '1000'
    }
    const full = JSON.stringify({ ...GOOD, alloc })
    const deep = '['.repeat(GENESIS_FILE_BYTES_MAX / 2) + ']'.repeat(GENESIS_FILE_BYTES_MAX / 2)
    const wide = `[${'0,'.repeat(GENESIS_FILE_BYTES_MAX / 2 - 2)}0]`
    const padded = JSON.stringify({ ...GOOD, chainId: 'x'.repeat(GENESIS_FILE_BYTES_MAX - 2_000) })
    for (const [i, text] of [full, deep, wide, padded].entries()) {
      expect(text.length).toBeLessThanOrEqual(GENESIS_FILE_BYTES_MAX)
      expect(decideTimed(text, MAX_SIZE_BUDGET_MS), `input ${i}`).toBeLessThan(MAX_SIZE_BUDGET_MS)
    }
    expect(() => parseGenesisText(' '.repeat(GENESIS_FILE_BYTES_MAX + 1), 'genesis.json')).toThrow(/larger than/)
  })
})
