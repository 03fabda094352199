/**
 * SHA-256 and Ed25519 through node:crypto (OpenSSL): about 10x faster than
 * pure-JS verifiers. Importing a raw public key costs more than a verify, so
 * verification keys are cached as KeyObjects (bounded, least recently used out).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hash,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto'
import { BoundedCache } from '../util/bounded-cache.js'

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/** Inputs up to this size are joined and hashed in one call; larger ones stream through a Hash. */
const ONE_SHOT_BYTES_MAX = 4096
/** Where parts are joined for one call: hash() reads its input before returning, so one buffer serves every call. */
const JOINED = new Uint8Array(ONE_SHOT_BYTES_MAX)

/**
 * SHA-256 of the parts joined. The digest comes from node:crypto as hex and
 * is decoded here into a 32-byte array small enough for V8's heap: half the
 * time of a digest Buffer, each of which is a separate allocation outside the
 * heap that every scavenge must track (a block import keeps ~2,000 new hashes
 * per block alive in its trie caches).
 */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  let input: Uint8Array | undefined
  if (parts.length === 1) input = parts[0] as Uint8Array
  else {
    let total = 0
    for (const p of parts) total += p.length
    if (total <= ONE_SHOT_BYTES_MAX) {
      let at = 0
      for (const p of parts) {
        JOINED.set(p, at)
        at += p.length
      }
      input = JOINED.subarray(0, total)
    }
  }
  if (input) return hashFromHex(hash('sha256', input, 'hex'))
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return hashFromHex(h.digest('hex'))
}

/**
 * Lower-case hex SHA-256 of one input: an object's id. node:crypto's hex output
 * costs half what a digest buffer and a separate hex conversion do, which
 * counts when a block's 20,000 tx ids are computed as it is decoded.
 */
export function sha256Hex(data: Uint8Array): string {
  return hash('sha256', data, 'hex')
}

/** Each ASCII code's hex digit value (lower and upper case), or -1. */
const HEX_DIGIT = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) HEX_DIGIT[48 + i] = i
for (let i = 0; i < 6; i++) {
  HEX_DIGIT[97 + i] = 10 + i
  HEX_DIGIT[65 + i] = 10 + i
}

/**
 * The bytes of a hex digest (node:crypto's or sha256Hex's output, so always
 * valid hex), as a Uint8Array of its own. Decoded in a loop: the array never
 * has its `.buffer` touched, so V8 keeps a small one inside its heap.
 */
export function hashFromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1)
  for (let i = 0, j = 0; i < out.length; i++, j += 2) {
    out[i] = ((HEX_DIGIT[hex.charCodeAt(j)] as number) << 4) | (HEX_DIGIT[hex.charCodeAt(j + 1)] as number)
  }
  return out
}

export interface KeyPair {
  /** 32-byte seed; the private key. */
  secretKey: Uint8Array
  /** 32-byte raw Ed25519 public key. */
  publicKey: Uint8Array
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' })
  const spki = publicKey.export({ format: 'der', type: 'spki' })
  return {
    secretKey: new Uint8Array(pkcs8.subarray(PKCS8_ED25519_PREFIX.length)),
    publicKey: new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length)),
  }
}

/** The key pair of a 32-byte seed (deterministic: devnet accounts and tests). */
export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  if (seed.byteLength !== 32) throw new RangeError('an Ed25519 seed is 32 bytes')
  const privateKey = privateKeyObject(seed)
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  return { secretKey: new Uint8Array(seed), publicKey: new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length)) }
}

export function privateKeyObject(secretKey: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, secretKey]), format: 'der', type: 'pkcs8' })
}

export function sign(secretKey: Uint8Array | KeyObject, message: Uint8Array): Uint8Array {
  const key = secretKey instanceof Uint8Array ? privateKeyObject(secretKey) : secretKey
  return new Uint8Array(nodeSign(null, message, key))
}

const keyCache = new BoundedCache<string, KeyObject | null>(50_000)

function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('base64')
  let key = keyCache.get(id)
  if (key !== undefined) return key
  try {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' })
  } catch {
    key = null
  }
  keyCache.set(id, key)
  return key
}

/** True when `signature` is a valid Ed25519 signature of `message` by `publicKey`. Never throws. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.byteLength !== 32 || signature.byteLength !== 64) return false
  const key = publicKeyObject(publicKey)
  if (key === null) return false
  try {
    return nodeVerify(null, message, key, signature)
  } catch {
    return false
  }
}
