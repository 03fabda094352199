/**
 * Parameter validation. Parameters are passed by name (a JSON object); every
 * check names the parameter and what it must be, and `end()` refuses names a
 * method does not take, so a typo such as `{"heigth": 3}` is an error rather
 * than a silently ignored field.
 */
import { AddressError, parseAddress } from '../ledger/address.js'
import { ABS_LIMITS } from '../ledger/limits.js'
import { fromHex } from '../util/bytes.js'
import { invalidParams, preview, RpcCode, RpcError } from './errors.js'

/** Turns a value into what the method wants, or throws `CheckFailed` saying what it must be. */
export type Check<T> = (value: unknown) => T

export class CheckFailed extends Error {
  override readonly name = 'CheckFailed'
  constructor(
    readonly expected: string,
    /** Appended to the message, e.g. why an address's checksum failed. */
    readonly detail?: string,
  ) {
    super(expected)
  }
}

export class Params {
  private readonly raw: Record<string, unknown>
  private readonly read = new Set<string>()

  /** `raw` is the request's `params` member: absent, an object, or an (empty) array. */
  constructor(raw: unknown) {
    if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) {
      this.raw = {}
    } else if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      this.raw = raw as Record<string, unknown>
    } else {
      throw new RpcError(
        RpcCode.INVALID_PARAMS,
        'invalid params: "params" must be an object of named parameters (positional arrays are not supported)',
        { param: 'params', expected: 'an object of named parameters' },
      )
    }
  }

  has(name: string): boolean {
    return Object.hasOwn(this.raw, name)
  }

  required<T>(name: string, check: Check<T>): T {
    this.read.add(name)
    if (!this.has(name)) throw invalidParams(name, describe(check), 'missing')
    return this.apply(name, check)
  }

  optional<T>(name: string, check: Check<T>): T | undefined {
    this.read.add(name)
    if (!this.has(name) || this.raw[name] === undefined) return undefined
    return this.apply(name, check)
  }

  /** Refuses any parameter the method did not read. */
  end(): void {
    for (const name of Object.keys(this.raw)) {
      if (!this.read.has(name)) {
        const known = [...this.read].map((n) => `"${n}"`).join(', ') || 'none'
        throw new RpcError(
          RpcCode.INVALID_PARAMS,
          `invalid params: unknown parameter ${preview(name)} (this method takes: ${known})`,
          { param: name, expected: `one of: ${known}` },
        )
      }
    }
  }

  private apply<T>(name: string, check: Check<T>): T {
    const value = this.raw[name]
    try {
      return check(value)
    } catch (err) {
      if (!(err instanceof CheckFailed)) throw err
      throw invalidParams(name, err.expected, { got: value, detail: err.detail })
    }
  }
}

const expectedOf = new WeakMap<Check<unknown>, string>()

/** Attaches the text "must be …" uses when the parameter is missing. */
export function named<T>(expected: string, check: Check<T>): Check<T> {
  expectedOf.set(check, expected)
  return check
}

function describe(check: Check<unknown>): string {
  return expectedOf.get(check) ?? 'given'
}

// ---- checks ----------------------------------------------------------------

function hexOfBytes(bytes: number, what: string): Check<string> {
  const re = new RegExp(`^[0-9a-f]{${bytes * 2}}$`)
  const expected = `${bytes * 2} lower-case hex digits (${what}, no 0x prefix)`
  return named(expected, (v) => {
    if (typeof v !== 'string' || !re.test(v)) throw new CheckFailed(expected)
    return v
  })
}

export const hash = hexOfBytes(32, 'a 32-byte hash')

const HEIGHT_EXPECTED = 'a block height: an integer from 0 to 2^53 - 1'
export const height: Check<number> = named(HEIGHT_EXPECTED, (v) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new CheckFailed(HEIGHT_EXPECTED)
  return v
})

export function integer(min: number, max: number): Check<number> {
  const expected = `an integer from ${min} to ${max}`
  return named(expected, (v) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new CheckFailed(expected)
    return v
  })
}

const ADDRESS_EXPECTED = 'a pc1… address (bech32m)'
export const address: Check<Uint8Array> = named(ADDRESS_EXPECTED, (v) => {
  if (typeof v !== 'string') throw new CheckFailed(ADDRESS_EXPECTED)
  // A bech32 string is at most 90 characters; do not hand the decoder anything longer.
  if (v.length > 90) throw new CheckFailed(ADDRESS_EXPECTED, 'too long')
  try {
    return parseAddress(v)
  } catch (err) {
    if (!(err instanceof AddressError)) throw err
    throw new CheckFailed(ADDRESS_EXPECTED, err.message)
  }
})

const TX_BYTES_MAX = ABS_LIMITS.txBytesMax
const TX_EXPECTED = `lower-case hex of a signed transaction's canonical bytes (1 to ${TX_BYTES_MAX} bytes, no 0x prefix)`
export const txBytes: Check<Uint8Array> = named(TX_EXPECTED, (v) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > TX_BYTES_MAX * 2) throw new CheckFailed(TX_EXPECTED)
  try {
    return fromHex(v)
  } catch {
    throw new CheckFailed(TX_EXPECTED)
  }
})

// A libp2p peer id in text form: base58btc (12D3Koo…, Qm…) or a base32 CID (bafz…).
const PEER_ID_RE = /^[0-9A-Za-z]{1,128}$/
const PEER_ID_EXPECTED = 'a peer id (1 to 128 letters and digits, e.g. 12D3KooW…)'
export const peerId: Check<string> = named(PEER_ID_EXPECTED, (v) => {
  if (typeof v !== 'string' || !PEER_ID_RE.test(v)) throw new CheckFailed(PEER_ID_EXPECTED)
  return v
})

// Printable ASCII without spaces; net/ parses it for real.
const MULTIADDR_RE = /^\/[\x21-\x7e]{1,1023}$/
const MULTIADDR_EXPECTED = 'a multiaddr such as /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW… (at most 1024 characters)'
export const multiaddr: Check<string> = named(MULTIADDR_EXPECTED, (v) => {
  if (typeof v !== 'string' || !MULTIADDR_RE.test(v)) throw new CheckFailed(MULTIADDR_EXPECTED)
  return v
})

export function text(charsMax: number): Check<string> {
  const expected = `a string of at most ${charsMax} characters`
  return named(expected, (v) => {
    if (typeof v !== 'string' || v.length > charsMax) throw new CheckFailed(expected)
    return v
  })
}

export function oneOf<T extends string>(values: readonly T[]): Check<T> {
  const expected = `one of ${values.map((x) => `"${x}"`).join(', ')}`
  return named(expected, (v) => {
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new CheckFailed(expected)
    return v as T
  })
}

const U64_MAX = (1n << 64n) - 1n

/** A decimal string of base units from `min` to 2^64 - 1 (a string, so no precision is lost in JSON numbers). */
export function baseUnits(min: bigint): Check<bigint> {
  const expected = `a decimal string of base units from ${min} to ${U64_MAX} (e.g. "100000000" for 1 coin)`
  return named(expected, (v) => {
    if (typeof v !== 'string' || !/^(0|[1-9][0-9]{0,19})$/.test(v)) throw new CheckFailed(expected)
    const n = BigInt(v)
    if (n < min || n > U64_MAX) throw new CheckFailed(expected)
    return n
  })
}

const KEY_NAME_EXPECTED = 'a key name: 1 to 64 letters, digits, "-" or "_"'
export const keyName: Check<string> = named(KEY_NAME_EXPECTED, (v) => {
  if (typeof v !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(v)) throw new CheckFailed(KEY_NAME_EXPECTED)
  return v
})

const MEMO_EXPECTED = `a memo: a string of at most ${ABS_LIMITS.memoBytesMax} UTF-8 bytes`
export const memo: Check<Uint8Array> = named(MEMO_EXPECTED, (v) => {
  if (typeof v !== 'string' || v.length > ABS_LIMITS.memoBytesMax) throw new CheckFailed(MEMO_EXPECTED)
  const bytes = new TextEncoder().encode(v)
  if (bytes.byteLength > ABS_LIMITS.memoBytesMax) throw new CheckFailed(MEMO_EXPECTED)
  return bytes
})
