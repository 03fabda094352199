/**
 * The encrypted keystore: one JSON file per key, <wallet dir>/<name>.json.
 * The 32-byte Ed25519 seed is sealed with AES-256-GCM under a key derived from
 * the passphrase with scrypt; the address and public key stay in clear so
 * `list` and `address` need no passphrase. The plaintext seed never reaches
 * the disk. The clear fields are the GCM additional data, so editing them
 * makes the file fail authentication instead of showing a wrong address.
 */
import { createCipheriv, createDecipheriv, scrypt as nodeScrypt, randomBytes, timingSafeEqual } from 'node:crypto'
import { link, mkdir, open, readdir, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { addressFromPublicKey, formatAddress } from '../ledger/address.js'
import { generateKeyPair, type KeyPair, keyPairFromSeed } from '../ledger/crypto.js'
import { pathExists } from '../util/fs.js'
import { WalletError } from './errors.js'

export { WalletError }

export const KEYSTORE_VERSION = 1

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number
  r: number
  p: number
}

/** ~128 MiB and a few hundred ms per unlock: the cost of one guess for an attacker too. */
export const SCRYPT_DEFAULTS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 }

/**
 * Bounds on scrypt parameters, checked before any derivation (docs/LIMITS.md),
 * so a crafted keystore file cannot make us allocate gigabytes or spin for
 * minutes. Memory is 128·N·r bytes; work grows with N·r·p.
 */
export const SCRYPT_BOUNDS = {
  /** N: a power of two, 2 to 2^20. */
  nMax: 2 ** 20,
  rMax: 32,
  pMax: 16,
  /** 128·N·r: twice the defaults' 128 MiB. */
  memoryBytesMax: 256 * 1024 * 1024,
  /** N·r·p: four times the defaults' 2^20. */
  workMax: 2 ** 22,
} as const
const SALT_BYTES = 16
const IV_BYTES = 12
const TAG_BYTES = 16
const SEED_BYTES = 32
const KEY_BYTES = 32
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

export interface KeystoreFileV1 {
  version: 1
  name: string
  address: string
  publicKey: string
  crypto: {
    cipher: 'aes-256-gcm'
    ciphertext: string
    iv: string
    tag: string
    kdf: 'scrypt'
    kdfparams: ScryptParams & { salt: string; keyLength: 32 }
  }
}

export interface KeyListing {
  name: string
  address: string
}

export interface CreateKeyOptions {
  /** Import this seed instead of generating one. */
  seed?: Uint8Array
  /** Lower only in tests: the file records what was used. */
  scrypt?: ScryptParams
}

export const walletDir = (dataDir: string): string => join(dataDir, 'wallet')

export function keyPath(dir: string, name: string): string {
  checkName(name)
  return join(dir, `${name}.json`)
}

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name))
    throw new WalletError('BAD_NAME', `bad key name "${name}": use 1-64 letters, digits, "-" or "_"`)
}

/** Creates a key (a new random one, or `options.seed`) under `name`; throws WalletError('EXISTS') if taken. */
export async function createKey(
  dir: string,
  name: string,
  passphrase: string,
  options: CreateKeyOptions = {},
): Promise<KeyListing> {
  const path = keyPath(dir, name)
  if (passphrase.length === 0) throw new WalletError('EMPTY_PASSPHRASE')
  // Fail before the slow key derivation; writeNewFile checks again, atomically.
  if (await pathExists(path)) throw existsError(dir, name)
  const key = options.seed ? keyPairFromSeed(options.seed) : generateKeyPair()
  const params = options.scrypt ?? SCRYPT_DEFAULTS
  checkScryptParams(params)
  const salt = randomBytes(SALT_BYTES)
  const iv = randomBytes(IV_BYTES)
  const address = formatAddress(addressFromPublicKey(key.publicKey))
  const publicKey = Buffer.from(key.publicKey).toString('hex')
  const derived = await deriveKey(passphrase, salt, params)
  let ciphertext: Buffer
  let tag: Buffer
  try {
    const cipher = createCipheriv('aes-256-gcm', derived, iv, { authTagLength: TAG_BYTES })
    cipher.setAAD(additionalData(name, address, publicKey))
    ciphertext = Buffer.concat([cipher.update(key.secretKey), cipher.final()])
    tag = cipher.getAuthTag()
  } finally {
    derived.fill(0)
    key.secretKey.fill(0)
  }
  const file: KeystoreFileV1 = {
    version: KEYSTORE_VERSION,
    name,
    address,
    publicKey,
    crypto: {
      cipher: 'aes-256-gcm',
      ciphertext: ciphertext.toString('hex'),
      iv: iv.toString('hex'),
      tag: tag.toString('hex'),
      kdf: 'scrypt',
      kdfparams: { ...params, salt: salt.toString('hex'), keyLength: KEY_BYTES },
    },
  }
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await writeNewFile(path, `${JSON.stringify(file, null, 2)}\n`, () => existsError(dir, name))
  return { name, address }
}

/** Imports a known seed (devnet accounts): `createKey` with `seed`. */
export function importSeed(
  dir: string,
  name: string,
  passphrase: string,
  seed: Uint8Array,
  options: Omit<CreateKeyOptions, 'seed'> = {},
): Promise<KeyListing> {
  if (seed.byteLength !== SEED_BYTES) throw new RangeError(`a seed is ${SEED_BYTES} bytes, got ${seed.byteLength}`)
  return createKey(dir, name, passphrase, { ...options, seed })
}

/** The keys in `dir`, by name; a file that does not parse goes to `onCorrupt` rather than hiding the others. */
export async function listKeys(
  dir: string,
  onCorrupt?: (name: string, err: WalletError) => void,
): Promise<KeyListing[]> {
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const keys: KeyListing[] = []
  for (const entry of entries.sort()) {
    if (!entry.endsWith('.json')) continue
    const name = entry.slice(0, -'.json'.length)
    if (!NAME_PATTERN.test(name)) continue
    try {
      const file = await readKeystore(dir, name)
      keys.push({ name, address: file.address })
    } catch (err) {
      if (err instanceof WalletError && onCorrupt) onCorrupt(name, err)
      else if (!(err instanceof WalletError)) throw err
    }
  }
  return keys
}

/** The clear part of a key: no passphrase needed. */
export async function keyInfo(dir: string, name: string): Promise<KeyListing & { publicKey: string }> {
  const file = await readKeystore(dir, name)
  return { name, address: file.address, publicKey: file.publicKey }
}

/** Decrypts a key. WRONG_PASSPHRASE when GCM authentication fails, CORRUPT_KEYSTORE when the file is bad. */
export async function unlockKey(dir: string, name: string, passphrase: string): Promise<KeyPair> {
  const file = await readKeystore(dir, name)
  const c = file.crypto
  const derived = await deriveKey(passphrase, Buffer.from(c.kdfparams.salt, 'hex'), c.kdfparams)
  let seed: Buffer
  try {
    const decipher = createDecipheriv('aes-256-gcm', derived, Buffer.from(c.iv, 'hex'), { authTagLength: TAG_BYTES })
    decipher.setAAD(additionalData(file.name, file.address, file.publicKey))
    decipher.setAuthTag(Buffer.from(c.tag, 'hex'))
    seed = Buffer.concat([decipher.update(Buffer.from(c.ciphertext, 'hex')), decipher.final()])
  } catch (err) {
    // GCM cannot tell a wrong passphrase from a tampered file; a wrong passphrase is by far the likelier.
    throw new WalletError('WRONG_PASSPHRASE', `wrong passphrase for key "${name}"`, { cause: err })
  } finally {
    derived.fill(0)
  }
  try {
    const key = keyPairFromSeed(seed)
    if (!timingSafeEqual(key.publicKey, Buffer.from(file.publicKey, 'hex'))) {
      key.secretKey.fill(0)
      throw corrupt(name, 'the decrypted key does not match its public key')
    }
    return key
  } finally {
    seed.fill(0)
  }
}

/** Reads and checks a key file; every refusal is a WalletError (CORRUPT_KEYSTORE, KDF_TOO_COSTLY), before any derivation. */
async function readKeystore(dir: string, name: string): Promise<KeystoreFileV1> {
  const path = keyPath(dir, name)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new WalletError(
        'NOT_FOUND',
        `no key "${name}" in ${dir} (create one with \`peerchain wallet new --name ${name}\`)`,
      )
    }
    throw err
  }
  return parseKeystoreText(text, name)
}

/** The largest key file read: a real one is under 1 KiB. */
export const KEYSTORE_FILE_CHARS_MAX = 64 * 1024

/** Parses the text of key file `name`: the keystore decoder, pure (fuzzed in test/unit/wallet/keystore-fuzz.test.ts). */
export function parseKeystoreText(text: string, name: string): KeystoreFileV1 {
  if (text.length > KEYSTORE_FILE_CHARS_MAX) throw corrupt(name, `larger than ${KEYSTORE_FILE_CHARS_MAX} characters`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw corrupt(name, 'not JSON')
  }
  return parseKeystore(json, name)
}

function existsError(dir: string, name: string): WalletError {
  return new WalletError('EXISTS', `a key named "${name}" exists already in ${dir}; pick another --name`)
}

function corrupt(name: string, why: string): WalletError {
  return new WalletError('CORRUPT_KEYSTORE', `keystore of key "${name}" is corrupt: ${why}`)
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isHex = (v: unknown, bytes: number): v is string =>
  typeof v === 'string' && v.length === bytes * 2 && /^[0-9a-f]*$/.test(v)

function parseKeystore(json: unknown, name: string): KeystoreFileV1 {
  if (!isObject(json)) throw corrupt(name, 'not an object')
  if (json.version !== KEYSTORE_VERSION) throw corrupt(name, `unknown version ${JSON.stringify(json.version)}`)
  if (json.name !== name) throw corrupt(name, 'the name inside does not match the file name')
  if (!isHex(json.publicKey, 32)) throw corrupt(name, 'bad publicKey')
  if (typeof json.address !== 'string') throw corrupt(name, 'bad address')
  const expected = formatAddress(addressFromPublicKey(Buffer.from(json.publicKey, 'hex')))
  if (json.address !== expected) throw corrupt(name, 'the address does not match the public key')
  const c = json.crypto
  if (!isObject(c) || c.cipher !== 'aes-256-gcm' || c.kdf !== 'scrypt') throw corrupt(name, 'unknown cipher or kdf')
  if (!isHex(c.ciphertext, SEED_BYTES) || !isHex(c.iv, IV_BYTES) || !isHex(c.tag, TAG_BYTES)) {
    throw corrupt(name, 'bad ciphertext, iv or tag')
  }
  const k = c.kdfparams
  if (!isObject(k) || !isHex(k.salt, SALT_BYTES) || k.keyLength !== KEY_BYTES) throw corrupt(name, 'bad kdfparams')
  const params = { N: k.N, r: k.r, p: k.p }
  const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1
  if (!isCount(params.N) || !isCount(params.r) || !isCount(params.p)) {
    throw corrupt(name, 'scrypt N, r and p must be whole numbers >= 1')
  }
  checkScryptParams(params as ScryptParams, `keystore of key "${name}"`)
  return json as unknown as KeystoreFileV1
}

/**
 * Throws WalletError('KDF_TOO_COSTLY') for parameters past SCRYPT_BOUNDS (or
 * not valid scrypt at all): key derivation never starts with them.
 */
export function checkScryptParams({ N, r, p }: ScryptParams, what = 'scrypt parameters'): void {
  const b = SCRYPT_BOUNDS
  const refuse = (why: string): never => {
    throw new WalletError('KDF_TOO_COSTLY', `${what}: ${why} (N=${N}, r=${r}, p=${p})`)
  }
  const within = (v: number, max: number): boolean => Number.isInteger(v) && v >= 1 && v <= max
  if (!within(N, b.nMax) || N < 2 || (N & (N - 1)) !== 0) refuse('scrypt N must be a power of two, 2 to 2^20')
  if (!within(r, b.rMax)) refuse(`scrypt r must be 1-${b.rMax}`)
  if (!within(p, b.pMax)) refuse(`scrypt p must be 1-${b.pMax}`)
  if (128 * N * r > b.memoryBytesMax) refuse(`scrypt memory 128·N·r may be at most ${b.memoryBytesMax / 2 ** 20} MiB`)
  if (N * r * p > b.workMax) refuse(`scrypt work N·r·p may be at most 2^${Math.log2(b.workMax)}`)
}

function deriveKey(passphrase: string, salt: Uint8Array, { N, r, p }: ScryptParams): Promise<Buffer> {
  // scrypt needs 128·N·r bytes (plus 128·r·p); OpenSSL's default cap of 32 MiB is below the defaults.
  const maxmem = 128 * N * r + 128 * r * p + 1024 * 1024
  return new Promise((resolve, reject) => {
    nodeScrypt(passphrase.normalize('NFKC'), salt, KEY_BYTES, { N, r, p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    )
  })
}

function additionalData(name: string, address: string, publicKey: string): Buffer {
  return Buffer.from(`peerchain/keystore/v${KEYSTORE_VERSION}\n${name}\n${address}\n${publicKey}`, 'utf8')
}

/**
 * Writes a temp file (mode 0600, synced), then publishes it with link(): like
 * rename() it is atomic, but it fails if the name is taken, so two concurrent
 * creates can never overwrite a key (an overwritten key is lost funds).
 */
async function writeNewFile(path: string, text: string, exists: () => Error): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(text, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await link(tmp, path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw exists()
    }
    throw err
  } finally {
    await unlink(tmp).catch(() => undefined)
  }
}
