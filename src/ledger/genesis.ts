/**
 * The genesis file: chain id, start time, initial balances, consensus
 * parameters and limits. `parseGenesis` validates a JSON value and names the
 * offending key on any error; the genesis block itself is built by chain/.
 */
import { toHex, U64_MAX } from '../util/bytes.js'
import { type AddressError, addressFromPublicKey, formatAddress, parseAddress } from './address.js'
import { type KeyPair, keyPairFromSeed, sha256 } from './crypto.js'
import { ABS_LIMITS, type ChainLimits, DEFAULT_LIMITS } from './limits.js'

export interface ConsensusParams {
  engine: 'pow'
  /** Block interval the retarget steers toward. */
  blockTimeMs: number
  /** The target changes every this many blocks. */
  retargetInterval: number
  /** One retarget moves the target by at most this factor either way. */
  maxAdjustFactor: number
  initialTarget: bigint
  /** The easiest target allowed. */
  powLimit: bigint
  /** Base units paid to the miner of each block before halvings. */
  subsidy: bigint
  /** The subsidy halves every this many blocks (0 = never). */
  halvingInterval: number
  /** A block's timestamp must exceed the median of this many previous timestamps. */
  medianTimeSpan: number
  /** How far ahead of our clock a block's timestamp may be. */
  maxFutureDriftMs: number
}

export interface Genesis {
  chainId: string
  timestampMs: number
  /** Address (20 bytes) → balance, in file order. */
  alloc: Array<{ address: Uint8Array; balance: bigint }>
  params: ConsensusParams
  limits: ChainLimits
}

export class GenesisError extends Error {
  override readonly name = 'GenesisError'
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`genesis: "${key}" ${message}`)
  }
}

type Json = Record<string, unknown>

function obj(v: unknown, key: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GenesisError(key, 'must be an object')
  return v as Json
}

function int(v: unknown, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new GenesisError(key, `must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`)
  }
  return v
}

function amount(v: unknown, key: string): bigint {
  if (typeof v !== 'string' || !/^(0|[1-9][0-9]*)$/.test(v) || BigInt(v) > U64_MAX) {
    throw new GenesisError(key, `must be a decimal string of a u64 amount, got ${JSON.stringify(v)}`)
  }
  return BigInt(v)
}

function target(v: unknown, key: string): bigint {
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) {
    throw new GenesisError(key, 'must be 64 lower-case hex digits (a 256-bit target)')
  }
  const t = BigInt(`0x${v}`)
  if (t === 0n) throw new GenesisError(key, 'must not be zero')
  return t
}

/** Refuses keys the schema does not know: a typo must not silently fall back to a default. */
function onlyKeys(o: Json, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw new GenesisError(
        where ? `${where}.${key}` : key,
        `is not a genesis key (expected one of: ${allowed.join(', ')})`,
      )
    }
  }
}

export function parseGenesis(value: unknown): Genesis {
  const g = obj(value, '(root)')
  onlyKeys(g, ['chainId', 'timestamp', 'alloc', 'consensus', 'limits'], '')
  if (
    typeof g.chainId !== 'string' ||
    !/^[a-z0-9-]{1,64}$/.test(g.chainId) ||
    g.chainId.length > ABS_LIMITS.chainIdLengthMax
  ) {
    throw new GenesisError('chainId', 'must be 1-64 characters of a-z, 0-9 and -')
  }
  const timestampMs = int(g.timestamp, 'timestamp', 0)
  const allocJson = obj(g.alloc, 'alloc')
  const alloc: Genesis['alloc'] = []
  const seen = new Set<string>()
  let supply = 0n
  for (const [addr, bal] of Object.entries(allocJson)) {
    let address: Uint8Array
    try {
      address = parseAddress(addr)
    } catch (err) {
      throw new GenesisError(`alloc.${addr}`, (err as AddressError).message)
    }
    // bech32 is case-insensitive: "pc1…" and "PC1…" are one address.
    if (seen.has(toHex(address))) throw new GenesisError(`alloc.${addr}`, 'duplicates an earlier address')
    seen.add(toHex(address))
    const balance = amount(bal, `alloc.${addr}`)
    supply += balance
    if (supply > U64_MAX) throw new GenesisError('alloc', 'total supply exceeds u64')
    alloc.push({ address, balance })
  }
  const c = obj(g.consensus, 'consensus')
  onlyKeys(
    c,
    [
      'engine',
      'blockTimeMs',
      'retargetInterval',
      'maxAdjustFactor',
      'initialTarget',
      'powLimit',
      'subsidy',
      'halvingInterval',
      'medianTimeSpan',
      'maxFutureDriftMs',
    ],
    'consensus',
  )
  if (c.engine !== 'pow') throw new GenesisError('consensus.engine', 'must be "pow"')
  const params: ConsensusParams = {
    engine: 'pow',
    blockTimeMs: int(c.blockTimeMs, 'consensus.blockTimeMs', 1),
    retargetInterval: int(c.retargetInterval, 'consensus.retargetInterval', 2),
    maxAdjustFactor: int(c.maxAdjustFactor, 'consensus.maxAdjustFactor', 1, 16),
    initialTarget: target(c.initialTarget, 'consensus.initialTarget'),
    powLimit: target(c.powLimit, 'consensus.powLimit'),
    subsidy: amount(c.subsidy, 'consensus.subsidy'),
    halvingInterval: int(c.halvingInterval, 'consensus.halvingInterval', 0),
    medianTimeSpan: int(c.medianTimeSpan, 'consensus.medianTimeSpan', 1, 1000),
    maxFutureDriftMs: int(c.maxFutureDriftMs, 'consensus.maxFutureDriftMs', 0),
  }
  if (params.initialTarget > params.powLimit) {
    throw new GenesisError('consensus.initialTarget', 'must not exceed consensus.powLimit')
  }
  const l = g.limits === undefined ? {} : obj(g.limits, 'limits')
  onlyKeys(l, ['txBytesMax', 'memoBytesMax', 'blockBytesMax', 'blockTxsMax', 'minFee'], 'limits')
  const limits: ChainLimits = {
    txBytesMax:
      l.txBytesMax === undefined
        ? DEFAULT_LIMITS.txBytesMax
        : int(l.txBytesMax, 'limits.txBytesMax', 200, ABS_LIMITS.txBytesMax),
    memoBytesMax:
      l.memoBytesMax === undefined
        ? DEFAULT_LIMITS.memoBytesMax
        : int(l.memoBytesMax, 'limits.memoBytesMax', 0, ABS_LIMITS.memoBytesMax),
    blockBytesMax:
      l.blockBytesMax === undefined
        ? DEFAULT_LIMITS.blockBytesMax
        : int(l.blockBytesMax, 'limits.blockBytesMax', 1024, ABS_LIMITS.blockBytesMax),
    blockTxsMax:
      l.blockTxsMax === undefined
        ? DEFAULT_LIMITS.blockTxsMax
        : int(l.blockTxsMax, 'limits.blockTxsMax', 1, ABS_LIMITS.blockTxsMax),
    minFee: l.minFee === undefined ? DEFAULT_LIMITS.minFee : amount(l.minFee, 'limits.minFee'),
  }
  return { chainId: g.chainId, timestampMs, alloc, params, limits }
}

export function genesisToJson(g: Genesis): Json {
  const hex = (t: bigint): string => t.toString(16).padStart(64, '0')
  return {
    chainId: g.chainId,
    timestamp: g.timestampMs,
    alloc: Object.fromEntries(g.alloc.map((a) => [formatAddress(a.address), a.balance.toString()])),
    consensus: {
      ...g.params,
      initialTarget: hex(g.params.initialTarget),
      powLimit: hex(g.params.powLimit),
      subsidy: g.params.subsidy.toString(),
    },
    limits: { ...g.limits, minFee: g.limits.minFee.toString() },
  }
}

/** Base units per coin. */
export const COIN = 100_000_000n

/**
 * Well-known devnet accounts (like a development chain's test accounts): the
 * seeds are public, so these keys must never hold anything of value.
 */
export function devnetKey(index: number): KeyPair {
  return keyPairFromSeed(sha256(new TextEncoder().encode(`peerchain devnet account ${index}`)))
}

export const DEVNET_ACCOUNTS = 10

/** The built-in devnet: a low target so a laptop mines a block every few seconds. */
export function devnetGenesis(overrides: Partial<ConsensusParams> = {}, chainId = 'peerchain-devnet'): Genesis {
  return {
    chainId,
    timestampMs: 1_767_225_600_000, // 2026-01-01T00:00:00Z
    alloc: Array.from({ length: DEVNET_ACCOUNTS }, (_, i) => ({
      address: addressFromPublicKey(devnetKey(i).publicKey),
      balance: 1_000_000n * COIN,
    })),
    params: {
      engine: 'pow',
      blockTimeMs: 5_000,
      retargetInterval: 20,
      maxAdjustFactor: 4,
      initialTarget: 1n << 236n,
      powLimit: 1n << 250n,
      subsidy: 50n * COIN,
      halvingInterval: 210_000,
      medianTimeSpan: 11,
      maxFutureDriftMs: 15_000,
      ...overrides,
    },
    limits: { ...DEFAULT_LIMITS },
  }
}

/** Subsidy at `height`: halves every `halvingInterval` blocks; genesis pays none. */
export function subsidyAt(height: number, params: ConsensusParams): bigint {
  if (height === 0) return 0n
  if (params.halvingInterval === 0) return params.subsidy
  const halvings = Math.floor(height / params.halvingInterval)
  return halvings >= 64 ? 0n : params.subsidy >> BigInt(halvings)
}
