/** <datadir>/validator.key: created once (0600), read back strictly, written atomically, refused when malformed. */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { devnetValidatorKey } from '../../../src/ledger/genesis.js'
import {
  loadOrCreateValidatorKey,
  ValidatorKeyError,
  validatorKeyPath,
  writeValidatorKey,
} from '../../../src/node/validator-key.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerchain-validator-key-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777

describe('loadOrCreateValidatorKey', () => {
  it('creates a key (mode 0600, in a data directory it creates) and returns the same key afterwards', async () => {
    const dataDir = join(dir, 'data')
    const created = await loadOrCreateValidatorKey(dataDir)
    expect(created.publicKey).toHaveLength(32)
    expect(await modeOf(validatorKeyPath(dataDir))).toBe(0o600)
    expect(await readFile(validatorKeyPath(dataDir), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/)
    expect(await loadOrCreateValidatorKey(dataDir)).toEqual(created)
  })

  it('creates a different key in each data directory', async () => {
    const a = await loadOrCreateValidatorKey(join(dir, 'a'))
    const b = await loadOrCreateValidatorKey(join(dir, 'b'))
    expect(Buffer.from(a.publicKey).equals(Buffer.from(b.publicKey))).toBe(false)
  })

  it.each([
    ['empty', ''],
    ['short', 'ab'.repeat(31)],
    ['long', 'ab'.repeat(33)],
    ['upper-case', 'AB'.repeat(32)],
    ['padded', ` ${'ab'.repeat(32)}`],
    ['two newlines', `${'ab'.repeat(32)}\n\n`],
    ['JSON', JSON.stringify({ seed: 'ab'.repeat(32) })],
  ])('refuses a %s file, naming it, and leaves it as it was', async (_, text) => {
    const path = validatorKeyPath(dir)
    await writeFile(path, text)
    const err = await loadOrCreateValidatorKey(dir).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ValidatorKeyError)
    expect((err as ValidatorKeyError).path).toBe(path)
    expect((err as Error).message).toContain(path)
    expect(await readFile(path, 'utf8')).toBe(text)
  })

  it('accepts the key without a final newline', async () => {
    const key = devnetValidatorKey(3)
    await writeFile(validatorKeyPath(dir), Buffer.from(key.secretKey).toString('hex'))
    expect(await loadOrCreateValidatorKey(dir)).toEqual(key)
  })

  it('names the file it cannot read', async () => {
    await mkdir(validatorKeyPath(dir))
    await expect(loadOrCreateValidatorKey(dir)).rejects.toThrow(/validator key .*validator\.key cannot be read/)
  })
})

describe('writeValidatorKey', () => {
  it('writes a key loadOrCreateValidatorKey reads back, mode 0600, replacing an earlier one', async () => {
    await writeValidatorKey(dir, devnetValidatorKey(0))
    await writeValidatorKey(dir, devnetValidatorKey(1))
    expect(await loadOrCreateValidatorKey(dir)).toEqual(devnetValidatorKey(1))
    expect(await modeOf(validatorKeyPath(dir))).toBe(0o600)
  })

  it('keeps mode 0600 over a leftover temporary file of a wider mode', async () => {
    await writeFile(`${validatorKeyPath(dir)}.tmp`, 'old', { mode: 0o644 })
    await writeValidatorKey(dir, devnetValidatorKey(2))
    expect(await modeOf(validatorKeyPath(dir))).toBe(0o600)
  })
})
