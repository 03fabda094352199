/**
 * Ed25519 answers remembered across a fuzz campaign, so a thousand seeds of
 * modelled validators cost seconds, not minutes (on a slow core one verify is
 * ~200 µs, and a seed makes thousands of them).
 *
 * The round state machine signs and checks through ledger/crypto.ts, which
 * calls node:crypto's `sign` and `verify`. While the memo is installed, those
 * two builtin exports are wrapped (and `syncBuiltinESMExports` makes the ESM
 * bindings follow): an Ed25519 signature is deterministic and its validity is
 * a pure function of (key, message, signature), so the first call of each
 * triple does the real work and every repeat returns the same answer. So is
 * `createPrivateKey` for a DER key (a KeyObject is immutable, so one object
 * per key can serve every machine that asks: each RoundState imports its key). Nothing
 * is skipped: every vote the machine sees is still checked by the real code
 * path, a bad signature is still false (its triple was checked for real), and
 * the memo never turns an unseen triple into true. The fuzzer's key pool and
 * block hashes are fixed across seeds, so the same votes recur from seed to
 * seed and most of them are signed and verified once per campaign.
 *
 * `withSignatureMemo` installs it for one call and always restores the
 * originals; what it learnt stays for the next call in the process (bounded).
 */
import type { KeyObject } from 'node:crypto'
import { createRequire, syncBuiltinESMExports } from 'node:module'

type SignFn = (algorithm: unknown, data: Uint8Array, key: unknown, ...rest: unknown[]) => Buffer
type VerifyFn = (
  algorithm: unknown,
  data: Uint8Array,
  key: unknown,
  signature: Uint8Array,
  ...rest: unknown[]
) => boolean
type CreatePrivateKeyFn = (key: unknown) => KeyObject

interface CryptoExports {
  sign: SignFn
  verify: VerifyFn
  createPrivateKey: CreatePrivateKeyFn
  KeyObject: abstract new (...args: never[]) => KeyObject
}

const nodeCrypto = createRequire(import.meta.url)('node:crypto') as CryptoExports

/** Entries kept before the memo starts over (a few hundred MB at most). */
const ENTRIES_MAX = 1 << 19

export interface SignatureMemoStats {
  signs: number
  signHits: number
  verifies: number
  verifyHits: number
}

class SignatureMemo {
  readonly stats: SignatureMemoStats = { signs: 0, signHits: 0, verifies: 0, verifyHits: 0 }
  private readonly signatures = new Map<string, Buffer>()
  private readonly verdicts = new Map<string, boolean>()
  private readonly keyIds = new WeakMap<KeyObject, string>()
  private readonly privateKeys = new Map<string, KeyObject>()

  constructor(
    private readonly sign: SignFn,
    private readonly verify: VerifyFn,
    private readonly createPrivateKey: CreatePrivateKeyFn,
  ) {}

  /** `key`'s bytes (DER), once per KeyObject: two objects of one key share entries. */
  private keyId(key: KeyObject): string {
    let id = this.keyIds.get(key)
    if (id === undefined) {
      const der =
        key.type === 'private'
          ? key.export({ format: 'der', type: 'pkcs8' })
          : key.export({ format: 'der', type: 'spki' })
      id = `${key.type}:${der.toString('latin1')}`
      this.keyIds.set(key, id)
    }
    return id
  }

  wrappedSign: SignFn = (algorithm, data, key, ...rest) => {
    if (
      algorithm !== null ||
      rest.length > 0 ||
      !(key instanceof nodeCrypto.KeyObject) ||
      !(data instanceof Uint8Array)
    ) {
      return this.sign(algorithm, data, key, ...rest)
    }
    this.stats.signs++
    const id = `${this.keyId(key)}\u0000${latin1(data)}`
    const known = this.signatures.get(id)
    if (known !== undefined) {
      this.stats.signHits++
      return Buffer.from(known)
    }
    const signature = this.sign(algorithm, data, key)
    this.remember(this.signatures, id, Buffer.from(signature))
    return signature
  }

  wrappedVerify: VerifyFn = (algorithm, data, key, signature, ...rest) => {
    if (
      algorithm !== null ||
      rest.length > 0 ||
      !(key instanceof nodeCrypto.KeyObject) ||
      !(data instanceof Uint8Array) ||
      !(signature instanceof Uint8Array)
    ) {
      return this.verify(algorithm, data, key, signature, ...rest)
    }
    this.stats.verifies++
    const id = `${this.keyId(key)}\u0000${latin1(signature)}\u0000${latin1(data)}`
    const known = this.verdicts.get(id)
    if (known !== undefined) {
      this.stats.verifyHits++
      return known
    }
    const valid = this.verify(algorithm, data, key, signature)
    this.remember(this.verdicts, id, valid)
    return valid
  }

  wrappedCreatePrivateKey: CreatePrivateKeyFn = (input) => {
    const { key, format, type, ...rest } = (input ?? {}) as { key?: unknown; format?: unknown; type?: unknown }
    if (!(key instanceof Uint8Array) || format !== 'der' || type !== 'pkcs8' || Object.keys(rest).length > 0) {
      return this.createPrivateKey(input)
    }
    const id = latin1(key)
    let object = this.privateKeys.get(id)
    if (object === undefined) {
      object = this.createPrivateKey(input)
      this.remember(this.privateKeys, id, object)
    }
    return object
  }

  private remember<V>(map: Map<string, V>, id: string, value: V): void {
    if (map.size >= ENTRIES_MAX) map.clear()
    map.set(id, value)
  }
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
}

const memo = new SignatureMemo(nodeCrypto.sign, nodeCrypto.verify, nodeCrypto.createPrivateKey)
let installed = false

/** The memo's counts since the process started. */
export function signatureMemoStats(): Readonly<SignatureMemoStats> {
  return { ...memo.stats }
}

/** Runs `fn` with node:crypto's sign and verify memoised (see above). Nested calls share the installation. */
export function withSignatureMemo<T>(fn: () => T): T {
  if (installed) return fn()
  const { sign, verify, createPrivateKey } = nodeCrypto
  installed = true
  nodeCrypto.sign = memo.wrappedSign
  nodeCrypto.verify = memo.wrappedVerify
  nodeCrypto.createPrivateKey = memo.wrappedCreatePrivateKey
  syncBuiltinESMExports()
  try {
    return fn()
  } finally {
    nodeCrypto.sign = sign
    nodeCrypto.verify = verify
    nodeCrypto.createPrivateKey = createPrivateKey
    syncBuiltinESMExports()
    installed = false
  }
}
