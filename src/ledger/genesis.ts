/**
 * The genesis file: chain id, start time, initial balances, consensus
 * parameters and limits. `parseGenesis` validates a JSON value and names the
 * offending key on any error; the genesis block itself is built by chain/.
 * The proof-of-stake keys of the consensus section are read in genesis-pos.ts.
 */
import { toHex, U64_MAX } from '../util/bytes.js'
import { type AddressError, addressFromPublicKey, formatAddress, parseAddress } from './address.js'
import { type KeyPair, keyPairFromSeed, sha256 } from './crypto.js'
import {
  devnetValidatorKey,
  type GenesisReaders,
  type Json,
  POS_DEFAULTS,
  POS_KEYS,
  type PosParams,
  parsePosParams,
  posParamsToJson,
} from './genesis-pos.js'
import { ABS_LIMITS, type ChainLimits, DEFAULT_LIMITS } from './limits.js'

export {
  devnetValidatorKey,
  type GenesisTimeout,
  type GenesisTimeouts,
  type GenesisValidator,
  POS_DEFAULTS,
  type PosParams,
  TIMEOUT_MS_LIMIT,
  VALIDATORS_MAX_LIMIT,
} from './genesis-pos.js'

/**
 * With engine "pos" the proof-of-work fields hold fixed values the PoS engine
 * ignores (POS_FIXED_POW_PARAMS); the PoS rules are in Genesis.pos.
 */
export interface ConsensusParams {
  engine: 'pow' | 'pos'
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
  /**
   * The version every header of the chain carries (proof of work only): 1, or
   * 2 for headers that commit to an MMR of their ancestors (`mmrRoot`,
   * ledger/mmr.ts). Absent means 1, and leaves the genesis file (and hash) as
   * it was before the key existed.
   */
  headerVersion?: number
}

/** The header version of a chain: `consensus.headerVersion`, 1 when absent. */
export function headerVersionOf(params: ConsensusParams): number {
  return params.headerVersion ?? 1
}

export interface Genesis {
  chainId: string
  timestampMs: number
  /** Address (20 bytes) → balance, in file order. */
  alloc: Array<{ address: Uint8Array; balance: bigint }>
  params: ConsensusParams
  limits: ChainLimits
  /** Present exactly when params.engine is "pos". */
  pos?: PosParams
}

/**
 * What a PoS genesis's ConsensusParams carry in the proof-of-work fields,
 * which a PoS file may not set: the easiest target (the genesis block's and
 * every PoS header's `target`, POS_TARGET in consensus/pos/engine.ts), no
 * retarget within any realistic chain, no adjustment.
 */
export const POS_FIXED_POW_PARAMS = Object.freeze({
  initialTarget: (1n << 256n) - 1n,
  powLimit: (1n << 256n) - 1n,
  retargetInterval: 1_000_000,
  maxAdjustFactor: 1,
})

const POW_ONLY_KEYS = ['retargetInterval', 'maxAdjustFactor', 'initialTarget', 'powLimit', 'headerVersion'] as const
/** The consensus keys of both engines. */
const SHARED_KEYS = [
  'engine',
  'blockTimeMs',
  'subsidy',
  'halvingInterval',
  'medianTimeSpan',
  'maxFutureDriftMs',
] as const

export class GenesisError extends Error {
  override readonly name = 'GenesisError'
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`genesis: "${key}" ${message}`)
  }
}

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
  let params: ConsensusParams
  let pos: PosParams | undefined
  // First: the engine decides which keys the section may hold.
  if (c.engine !== 'pow' && c.engine !== 'pos') throw new GenesisError('consensus.engine', 'must be "pow" or "pos"')
  if (c.engine === 'pos') {
    params = parsePosConsensus(c)
    pos = parsePosParams(c, supply, READERS)
  } else {
    params = parsePowConsensus(c)
  }
  const limits = parseLimits(g.limits)
  return { chainId: g.chainId, timestampMs, alloc, params, limits, ...(pos === undefined ? {} : { pos }) }
}

function parsePowConsensus(c: Json): ConsensusParams {
  const posKey = POS_KEYS.find((key) => c[key] !== undefined)
  if (posKey !== undefined) {
    throw new GenesisError(`consensus.${posKey}`, 'is a proof-of-stake key (consensus.engine is "pow")')
  }
  onlyKeys(c, [...SHARED_KEYS, ...POW_ONLY_KEYS], 'consensus')
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
    ...(c.headerVersion === undefined ? {} : { headerVersion: int(c.headerVersion, 'consensus.headerVersion', 1, 2) }),
  }
  if (params.initialTarget > params.powLimit) {
    throw new GenesisError('consensus.initialTarget', 'must not exceed consensus.powLimit')
  }
  return params
}

/** The keys both engines share; the PoW fields get POS_FIXED_POW_PARAMS. */
function parsePosConsensus(c: Json): ConsensusParams {
  const powKeys = POW_ONLY_KEYS.filter((key) => c[key] !== undefined)
  const [powKey] = powKeys
  if (powKey !== undefined) {
    // A proof-of-work section with only its engine changed: the engine is the likelier typo.
    if (c.validators === undefined) {
      throw new GenesisError(
        'consensus.engine',
        `is "pos", but the section has proof-of-work keys (${powKeys.join(', ')}) and no validators`,
      )
    }
    throw new GenesisError(`consensus.${powKey}`, 'is a proof-of-work key (consensus.engine is "pos")')
  }
  onlyKeys(c, [...SHARED_KEYS, ...POS_KEYS], 'consensus')
  return {
    engine: 'pos',
    blockTimeMs: int(c.blockTimeMs, 'consensus.blockTimeMs', 1),
    ...POS_FIXED_POW_PARAMS,
    subsidy: amount(c.subsidy, 'consensus.subsidy'),
    halvingInterval: int(c.halvingInterval, 'consensus.halvingInterval', 0),
    medianTimeSpan: int(c.medianTimeSpan, 'consensus.medianTimeSpan', 1, 1000),
    maxFutureDriftMs: int(c.maxFutureDriftMs, 'consensus.maxFutureDriftMs', 0),
  }
}

const READERS: GenesisReaders = {
  fail(key, message) {
    throw new GenesisError(key, message)
  },
  obj,
  int,
  amount,
  onlyKeys,
}

function parseLimits(value: unknown): ChainLimits {
  const l = value === undefined ? {} : obj(value, 'limits')
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
  return limits
}

/**
 * The genesis as its file holds it; parseGenesis reads it back to an equal
 * value. A PoW genesis's text (and so its genesis hash) never changes.
 */
export function genesisToJson(g: Genesis): Json {
  if ((g.params.engine === 'pos') !== (g.pos !== undefined)) {
    throw new Error(`a ${g.params.engine} genesis ${g.pos ? 'has' : 'lacks'} PoS parameters`)
  }
  if (g.pos !== undefined) return posGenesisToJson(g, g.pos)
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

function posGenesisToJson(g: Genesis, pos: PosParams): Json {
  const p = g.params
  return {
    chainId: g.chainId,
    timestamp: g.timestampMs,
    alloc: Object.fromEntries(g.alloc.map((a) => [formatAddress(a.address), a.balance.toString()])),
    consensus: {
      engine: p.engine,
      blockTimeMs: p.blockTimeMs,
      subsidy: p.subsidy.toString(),
      halvingInterval: p.halvingInterval,
      medianTimeSpan: p.medianTimeSpan,
      maxFutureDriftMs: p.maxFutureDriftMs,
      ...posParamsToJson(pos),
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

/** Stake each devnet validator bonds at genesis. */
export const DEVNET_VALIDATOR_STAKE = 1_000n * COIN

/**
 * The built-in devnet's allocation under proof of stake: `validators`
 * validators of equal stake (devnetValidatorKey(i)), a block a second, and
 * round timeouts for a local network.
 */
export function devnetPosGenesis(
  validators: number,
  overrides: Partial<PosParams> = {},
  chainId = 'peerchain-devnet-pos',
): Genesis {
  const pow = devnetGenesis({}, chainId)
  return {
    ...pow,
    params: { ...pow.params, engine: 'pos', blockTimeMs: 1_000, ...POS_FIXED_POW_PARAMS },
    pos: {
      ...POS_DEFAULTS,
      validators: Array.from({ length: validators }, (_, i) => {
        const { publicKey } = devnetValidatorKey(i)
        return {
          publicKey,
          address: addressFromPublicKey(publicKey),
          stake: DEVNET_VALIDATOR_STAKE,
          name: `validator-${i}`,
        }
      }),
      epochLength: 100,
      timeouts: {
        propose: { baseMs: 1_000, deltaMs: 250, maxMs: 4_000 },
        prevote: { baseMs: 500, deltaMs: 250, maxMs: 2_000 },
        precommit: { baseMs: 500, deltaMs: 250, maxMs: 2_000 },
      },
      ...overrides,
    },
  }
}

/** Subsidy at `height`: halves every `halvingInterval` blocks; genesis pays none. */
export function subsidyAt(height: number, params: ConsensusParams): bigint {
  if (height === 0) return 0n
  if (params.halvingInterval === 0) return params.subsidy
  const halvings = Math.floor(height / params.halvingInterval)
  return halvings >= 64 ? 0n : params.subsidy >> BigInt(halvings)
}
