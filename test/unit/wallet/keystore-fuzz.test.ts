/**
 * The keystore file decoder under fuzzing: any text, any JSON, and valid files
 * with one field replaced by anything are parsed or refused with a
 * WalletError (CORRUPT_KEYSTORE, KDF_TOO_COSTLY), never another exception,
 * and each within a time budget: at most 50 ms for an input of the largest
 * size read (64 KiB), far less for the rest. No input reaches key derivation:
 * the decoder is pure.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addressFromPublicKey, formatAddress } from '../../../src/ledger/address.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import { KEYSTORE_FILE_CHARS_MAX, parseKeystoreText, WalletError } from '../../../src/wallet/keystore.js'
import { timedMs } from '../../helpers/time-budget.js'

const RUNS = 1000
/** One input of the largest size read. */
const MAX_SIZE_BUDGET_MS = 50
/** Any other input: a small file, a JSON parse and a few checks. */
const INPUT_BUDGET_MS = 20

const publicKey = devnetKey(0).publicKey
const GOOD = {
  version: 1,
  name: 'alice',
  address: formatAddress(addressFromPublicKey(publicKey)),
  publicKey: Buffer.from(publicKey).toString('hex'),
  crypto: {
    cipher: 'aes-256-gcm',
    ciphertext: 'ab'.repeat(32),
    iv: 'cd'.repeat(12),
    tag: 'ef'.repeat(16),
    kdf: 'scrypt',
    kdfparams: { N: 1024, r: 8, p: 1, salt: '01'.repeat(16), keyLength: 32 },
  },
}

/** Parses `text` and checks the outcome is a file or a WalletError. */
function decode(text: string): void {
  try {
    const file = parseKeystoreText(text, 'alice')
    expect(file.name).toBe('alice')
  } catch (err) {
    if (!(err instanceof WalletError)) throw err
    expect(['CORRUPT_KEYSTORE', 'KDF_TOO_COSTLY']).toContain(err.code)
  }
}

/** Decodes `text` and returns the ms it took (the fastest of a few tries when over `budgetMs`: see time-budget.ts). */
const decodeTimed = (text: string, budgetMs = INPUT_BUDGET_MS): number => timedMs(() => decode(text), budgetMs)

/** GOOD with the value at `path` replaced. */
function replaced(path: readonly string[], value: unknown): unknown {
  const copy = structuredClone(GOOD) as Record<string, unknown>
  let at = copy
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>
  at[path[path.length - 1] as string] = value
  return copy
}

const PATHS: ReadonlyArray<readonly string[]> = [
  ['version'],
  ['name'],
  ['address'],
  ['publicKey'],
  ['crypto'],
  ...['cipher', 'ciphertext', 'iv', 'tag', 'kdf', 'kdfparams'].map((k) => ['crypto', k]),
  ...['N', 'r', 'p', 'salt', 'keyLength'].map((k) => ['crypto', 'kdfparams', k]),
]

describe('the keystore decoder, fuzzed', () => {
  it('accepts the valid file it is mutated from', () => {
    expect(parseKeystoreText(JSON.stringify(GOOD), 'alice').address).toBe(GOOD.address)
  })

  it('parses or refuses any text with a WalletError, in budget', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (text) => {
        expect(decodeTimed(text)).toBeLessThan(INPUT_BUDGET_MS)
      }),
      { numRuns: RUNS },
    )
  })

  it('parses or refuses any JSON value, in budget', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        expect(decodeTimed(JSON.stringify(value))).toBeLessThan(INPUT_BUDGET_MS)
      }),
      { numRuns: RUNS },
    )
  })

  it('refuses a valid file with any one field replaced by any JSON value, unless the value is as good', () => {
    const scryptish = fc.oneof(
      fc.integer(),
      fc.constantFrom(2 ** 20, 2 ** 21, 2 ** 30, 2 ** 53, -1, 0, 1, 1.5, Number.MAX_SAFE_INTEGER),
      fc.double(),
    )
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), fc.oneof(fc.jsonValue({ maxDepth: 3 }), scryptish), (path, value) => {
        expect(decodeTimed(JSON.stringify(replaced(path, value)))).toBeLessThan(INPUT_BUDGET_MS)
      }),
      { numRuns: RUNS },
    )
  })

  it(`decides inputs of the largest size read (${KEYSTORE_FILE_CHARS_MAX} characters) within ${MAX_SIZE_BUDGET_MS} ms`, () => {
    const padded = (filler: string): string => {
      const text = JSON.stringify({ ...GOOD, pad: '' })
      return text.replace('"pad":""', `"pad":"${filler.repeat(KEYSTORE_FILE_CHARS_MAX - text.length)}"`)
    }
    const deep = '['.repeat(KEYSTORE_FILE_CHARS_MAX / 2) + ']'.repeat(KEYSTORE_FILE_CHARS_MAX / 2)
    const wide = `[${'0,'.repeat(KEYSTORE_FILE_CHARS_MAX / 2 - 2)}0]`
    const nested = `{"crypto":${'{"a":'.repeat(KEYSTORE_FILE_CHARS_MAX / 10)}1${'}'.repeat(KEYSTORE_FILE_CHARS_MAX / 10)}}`
    const inputs = [padded('x'), padded('é'), deep, wide, nested.slice(0, KEYSTORE_FILE_CHARS_MAX)]
    for (const text of inputs) {
      expect(text.length).toBeLessThanOrEqual(KEYSTORE_FILE_CHARS_MAX)
      expect(decodeTimed(text, MAX_SIZE_BUDGET_MS)).toBeLessThan(MAX_SIZE_BUDGET_MS)
    }
    // One character more is refused before it is parsed.
    const over = 'x'.repeat(KEYSTORE_FILE_CHARS_MAX + 1)
    expect(() => parseKeystoreText(over, 'alice')).toThrow(/larger than/)
    expect(decodeTimed('x'.repeat(10 * KEYSTORE_FILE_CHARS_MAX), MAX_SIZE_BUDGET_MS)).toBeLessThan(MAX_SIZE_BUDGET_MS)
  })
})
