import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { addressFromPublicKey, formatAddress } from '../../../src/ledger/address.js'
import { keyPairFromSeed } from '../../../src/ledger/crypto.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import {
  checkScryptParams,
  createKey,
  importSeed,
  keyInfo,
  listKeys,
  SCRYPT_BOUNDS,
  SCRYPT_DEFAULTS,
  type ScryptParams,
  unlockKey,
  WalletError,
} from '../../../src/wallet/keystore.js'

/** Cheap parameters: the file records them, so unlock uses the same. */
const FAST: ScryptParams = { N: 2 ** 10, r: 8, p: 1 }
const SEED = new Uint8Array(32).map((_, i) => i * 7 + 3)

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerchain-wallet-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(WalletError)
    return (err as WalletError).code
  }
  throw new Error('expected a WalletError')
}

describe('keystore', () => {
  it('creates and unlocks a key (round trip)', async () => {
    const created = await createKey(dir, 'alice', 'correct horse', { scrypt: FAST })
    const key = await unlockKey(dir, 'alice', 'correct horse')
    expect(formatAddress(addressFromPublicKey(key.publicKey))).toBe(created.address)
    expect(keyPairFromSeed(key.secretKey).publicKey).toEqual(key.publicKey)
    expect(created.address.startsWith('pc1')).toBe(true)
  })

  it('imports a seed and gives back exactly that seed', async () => {
    const dev = devnetKey(0)
    const listed = await importSeed(dir, 'dev0', 'pw', dev.secretKey, { scrypt: FAST })
    expect(listed.address).toBe(formatAddress(addressFromPublicKey(dev.publicKey)))
    const key = await unlockKey(dir, 'dev0', 'pw')
    expect(key.secretKey).toEqual(devnetKey(0).secretKey)
  })

  it('refuses a wrong passphrase with WRONG_PASSPHRASE', async () => {
    await createKey(dir, 'alice', 'right', { scrypt: FAST })
    expect(await codeOf(unlockKey(dir, 'alice', 'wrong'))).toBe('WRONG_PASSPHRASE')
  })

  it('refuses a duplicate name with EXISTS and keeps the first key', async () => {
    const first = await createKey(dir, 'alice', 'pw', { scrypt: FAST, seed: SEED })
    expect(await codeOf(createKey(dir, 'alice', 'pw2', { scrypt: FAST }))).toBe('EXISTS')
    // Two racing creates: exactly one wins, the file is never overwritten.
    const results = await Promise.allSettled([
      createKey(dir, 'bob', 'pw', { scrypt: FAST }),
      createKey(dir, 'bob', 'pw', { scrypt: FAST }),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect((await keyInfo(dir, 'alice')).address).toBe(first.address)
  })

  it('writes the file with mode 0600 and leaves no temp files', async () => {
    await createKey(dir, 'alice', 'pw', { scrypt: FAST })
    expect((await stat(join(dir, 'alice.json'))).mode & 0o777).toBe(0o600)
    const { readdir } = await import('node:fs/promises')
    expect(await readdir(dir)).toEqual(['alice.json'])
  })

  it('never writes the seed, in any encoding', async () => {
    await createKey(dir, 'alice', 'pw', { scrypt: FAST, seed: SEED })
    const bytes = await readFile(join(dir, 'alice.json'))
    const text = bytes.toString('utf8')
    const seed = Buffer.from(SEED)
    // The private key is the seed; a PKCS#8 export would embed it too, so checking the seed covers both.
    expect(bytes.includes(seed)).toBe(false)
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      const encoded = seed.toString(encoding).replace(/=+$/, '')
      expect(text.includes(encoded)).toBe(false)
    }
    expect(text.toLowerCase().includes(seed.toString('hex'))).toBe(false)
    // Embedded in a longer string, base64 shifts with the alignment: decode every token at every offset.
    for (const token of text.match(/[A-Za-z0-9+/_=-]{16,}/g) ?? []) {
      if (/^[0-9a-fA-F]+$/.test(token)) {
        for (const start of [0, 1]) expect(Buffer.from(token.slice(start), 'hex').includes(seed)).toBe(false)
      }
      for (let start = 0; start < 4; start++) {
        for (const encoding of ['base64', 'base64url'] as const) {
          expect(Buffer.from(token.slice(start), encoding).includes(seed)).toBe(false)
        }
      }
    }
    // The clear part is there: the check would be vacuous on an empty file.
    expect(text).toContain(Buffer.from(keyPairFromSeed(SEED).publicKey).toString('hex'))
  })

  it('refuses a corrupt or unknown-version file with CORRUPT_KEYSTORE', async () => {
    await createKey(dir, 'alice', 'pw', { scrypt: FAST })
    const path = join(dir, 'alice.json')
    const good = JSON.parse(await readFile(path, 'utf8'))

    await writeFile(path, '{ not json')
    expect(await codeOf(unlockKey(dir, 'alice', 'pw'))).toBe('CORRUPT_KEYSTORE')

    await writeFile(path, JSON.stringify({ ...good, version: 2 }))
    expect(await codeOf(unlockKey(dir, 'alice', 'pw'))).toBe('CORRUPT_KEYSTORE')

    await writeFile(path, JSON.stringify({ ...good, crypto: { ...good.crypto, iv: 'zz' } }))
    expect(await codeOf(unlockKey(dir, 'alice', 'pw'))).toBe('CORRUPT_KEYSTORE')

    // Not scrypt parameters at all.
    const broken = { ...good.crypto.kdfparams, r: 'eight' }
    await writeFile(path, JSON.stringify({ ...good, crypto: { ...good.crypto, kdfparams: broken } }))
    expect(await codeOf(unlockKey(dir, 'alice', 'pw'))).toBe('CORRUPT_KEYSTORE')

    // Swapping in another address is caught (address/public key mismatch).
    const other = formatAddress(addressFromPublicKey(devnetKey(1).publicKey))
    await writeFile(path, JSON.stringify({ ...good, address: other }))
    expect(await codeOf(unlockKey(dir, 'alice', 'pw'))).toBe('CORRUPT_KEYSTORE')
  })

  it('refuses scrypt parameters past the bounds with KDF_TOO_COSTLY, before deriving anything', async () => {
    await createKey(dir, 'alice', 'pw', { scrypt: FAST })
    const path = join(dir, 'alice.json')
    const good = JSON.parse(await readFile(path, 'utf8'))
    const withParams = (params: object) =>
      JSON.stringify({ ...good, crypto: { ...good.crypto, kdfparams: { ...good.crypto.kdfparams, ...params } } })
    const costly = [
      { N: 2 ** 30 }, // 128 GiB
      { N: 2 ** 20, r: 8, p: 1 }, // 1 GiB: within N, r and p alone, not in memory
      { N: 2 ** 17, r: 8, p: 8 }, // 128 MiB but 2^23 work
      { N: 2 ** 10, r: 64 },
      { N: 2 ** 10, p: 17 },
      { N: 3 },
    ]
    for (const params of costly) {
      await writeFile(path, withParams(params))
      const started = performance.now()
      expect(await codeOf(unlockKey(dir, 'alice', 'pw')), JSON.stringify(params)).toBe('KDF_TOO_COSTLY')
      // A refusal only reads a small file (a few ms); deriving the costlier refused keys would take seconds.
      expect(performance.now() - started).toBeLessThan(1_000)
    }
    for (const scrypt of [
      { N: 2 ** 20, r: 8, p: 1 },
      { N: 2 ** 17, r: 8, p: 8 },
    ]) {
      expect(await codeOf(createKey(dir, 'bob', 'pw', { scrypt }))).toBe('KDF_TOO_COSTLY')
    }
    // At the bounds exactly: accepted (256 MiB, 2^22 work). Only checked, not derived: that takes seconds.
    expect(() => checkScryptParams({ N: 2 ** 17, r: 16, p: 2 })).not.toThrow()
    expect(() => checkScryptParams({ N: 2 ** 17, r: 16, p: 3 })).toThrow(/work N·r·p/)
    expect(SCRYPT_BOUNDS.memoryBytesMax).toBe(128 * SCRYPT_DEFAULTS.N * SCRYPT_DEFAULTS.r * 2)
  })

  it('refuses a missing key with NOT_FOUND and a path-like name with BAD_NAME', async () => {
    expect(await codeOf(unlockKey(dir, 'nobody', 'pw'))).toBe('NOT_FOUND')
    expect(await codeOf(createKey(dir, '../escape', 'pw', { scrypt: FAST }))).toBe('BAD_NAME')
    expect(await codeOf(createKey(dir, 'empty', '', { scrypt: FAST }))).toBe('EMPTY_PASSPHRASE')
  })

  it('lists keys by name and reports corrupt ones without hiding the rest', async () => {
    expect(await listKeys(join(dir, 'missing'))).toEqual([])
    const b = await createKey(dir, 'bob', 'pw', { scrypt: FAST })
    const a = await createKey(dir, 'alice', 'pw', { scrypt: FAST })
    await writeFile(join(dir, 'broken.json'), 'garbage')
    await writeFile(join(dir, 'notes.txt'), 'ignored')
    const corrupt: string[] = []
    expect(await listKeys(dir, (name) => corrupt.push(name))).toEqual([a, b])
    expect(corrupt).toEqual(['broken'])
  })

  it('uses N=2^17, r=8, p=1 by default and records them in the file', async () => {
    expect(SCRYPT_DEFAULTS).toEqual({ N: 2 ** 17, r: 8, p: 1 })
    await createKey(dir, 'real', 'pw', { seed: SEED })
    const file = JSON.parse(await readFile(join(dir, 'real.json'), 'utf8'))
    expect(file.crypto.kdfparams).toMatchObject({ N: 2 ** 17, r: 8, p: 1 })
    expect(file.crypto.kdfparams.salt).toMatch(/^[0-9a-f]{32}$/)
    expect(file.crypto.iv).toMatch(/^[0-9a-f]{24}$/)
    expect((await unlockKey(dir, 'real', 'pw')).secretKey).toEqual(SEED)
    expect(await codeOf(unlockKey(dir, 'real', 'nope'))).toBe('WRONG_PASSPHRASE')
  })
})
