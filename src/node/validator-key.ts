/**
 * The validator's signing key, `<datadir>/validator.key`: a 32-byte Ed25519
 * seed as 64 lower-case hex digits (a final newline allowed), mode 0600, like
 * the miner's key. It signs this node's votes and proposals, so a file that is
 * not exactly such a key is refused, never replaced: a new key would be a
 * different validator.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type KeyPair, keyPairFromSeed } from '../ledger/crypto.js'

export const VALIDATOR_KEY_FILE = 'validator.key'

export class ValidatorKeyError extends Error {
  override readonly name = 'ValidatorKeyError'
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`validator key ${path} ${problem}`)
  }
}

export const validatorKeyPath = (dataDir: string): string => join(dataDir, VALIDATOR_KEY_FILE)

/** The key in `<dataDir>/validator.key`, created (random) when the file does not exist. */
export async function loadOrCreateValidatorKey(dataDir: string): Promise<KeyPair> {
  const path = validatorKeyPath(dataDir)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ValidatorKeyError(path, `cannot be read: ${(err as Error).message}`)
    }
    const key = keyPairFromSeed(new Uint8Array(randomBytes(32)))
    await writeValidatorKey(dataDir, key)
    return key
  }
  return parseValidatorKey(text, path)
}

/** A key file's text: exactly 64 lower-case hex digits, then at most one newline. */
export function parseValidatorKey(text: string, path: string): KeyPair {
  const match = /^([0-9a-f]{64})\n?$/.exec(text)
  if (!match?.[1]) throw new ValidatorKeyError(path, 'does not hold a 32-byte seed as 64 lower-case hex digits')
  return keyPairFromSeed(Uint8Array.from(Buffer.from(match[1], 'hex')))
}

/** Writes `key` to `<dataDir>/validator.key` (mode 0600), replacing the file in one rename. */
export async function writeValidatorKey(dataDir: string, key: KeyPair): Promise<void> {
  const path = validatorKeyPath(dataDir)
  const temporary = `${path}.tmp`
  await mkdir(dataDir, { recursive: true })
  await writeFile(temporary, `${Buffer.from(key.secretKey).toString('hex')}\n`, { mode: 0o600 })
  // A leftover temporary file keeps its old mode: writeFile's mode applies only on creation.
  await chmod(temporary, 0o600)
  await rename(temporary, path)
}
