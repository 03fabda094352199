/**
 * The proof-of-stake part of a genesis file's `consensus` section: the
 * validators bonded at genesis and the rules of stake, slashing and BFT round
 * timing, with their defaults. genesis.ts reads the rest of the file and calls
 * `parsePosParams` when `consensus.engine` is "pos"; it passes its JSON
 * readers in, so this module does not import the module that imports it.
 */
import { toHex, U64_MAX } from '../util/bytes.js'
import { addressFromPublicKey } from './address.js'
import { type KeyPair, keyPairFromSeed, sha256 } from './crypto.js'

export interface GenesisValidator {
  /** 32-byte raw Ed25519 public key: the validator signs votes and proposals with it. */
  publicKey: Uint8Array
  /** addressFromPublicKey(publicKey): not in the file, derived. */
  address: Uint8Array
  /** Bonded at genesis, in base units; not taken from the allocation. */
  stake: bigint
  /** A label for people (logs, tables); no rule reads it. */
  name?: string
}

/**
 * One step's round timeout: min(baseMs + round · deltaMs, maxMs). The same
 * shape as consensus/bft/timeouts.ts's TimeoutSchedule, declared here because
 * ledger/ does not import consensus/ (a test holds the two equal).
 */
export interface GenesisTimeout {
  baseMs: number
  deltaMs: number
  maxMs: number
}

export interface GenesisTimeouts {
  propose: GenesisTimeout
  prevote: GenesisTimeout
  precommit: GenesisTimeout
}

export interface PosParams {
  /** The initial set, in file order. */
  validators: GenesisValidator[]
  /** Blocks per epoch: changes to the set take effect at epoch boundaries. */
  epochLength: number
  /** The top this many by stake are chosen. */
  validatorsMax: number
  /** Stake below this is never chosen. */
  stakeMin: bigint
  /** Blocks between an unbond and the release of its stake; it stays slashable meanwhile. */
  unbondingBlocks: number
  /** Fraction of stake burned for signing twice at one height and round, in basis points (1 … 10000). */
  slashDoubleSignBps: number
  /** A validator that missed `downtimeMissedMax` of the last `downtimeWindow` commits is jailed … */
  downtimeWindow: number
  downtimeMissedMax: number
  /** … for this many blocks. */
  downtimeJailBlocks: number
  timeouts: GenesisTimeouts
}

/** Every PoS key but `validators`, which has no default. */
export const POS_DEFAULTS: Readonly<Omit<PosParams, 'validators'>> = Object.freeze({
  epochLength: 100,
  validatorsMax: 100,
  stakeMin: 100_000_000n, // one coin
  unbondingBlocks: 10_000,
  slashDoubleSignBps: 500,
  downtimeWindow: 1_000,
  /** Half of downtimeWindow when that is set (⌈window / 2⌉). */
  downtimeMissedMax: 500,
  downtimeJailBlocks: 1_000,
  // consensus/bft/timeouts.ts's DEFAULT_TIMEOUTS
  timeouts: Object.freeze({
    propose: Object.freeze({ baseMs: 3_000, deltaMs: 500, maxMs: 10_000 }),
    prevote: Object.freeze({ baseMs: 1_000, deltaMs: 500, maxMs: 5_000 }),
    precommit: Object.freeze({ baseMs: 1_000, deltaMs: 500, maxMs: 5_000 }),
  }),
})

/**
 * The most validators a genesis may allow: each signs every commit, so a
 * commit of N validators is ~76·N bytes and N signature checks per block.
 */
export const VALIDATORS_MAX_LIMIT = 1_000

/** A round step may wait at most an hour: a longer timeout is a typo, not a network. */
export const TIMEOUT_MS_LIMIT = 3_600_000

/** Keys of the `consensus` section read by this module (the shared ones are genesis.ts's). */
export const POS_KEYS = [
  'validators',
  'epochLength',
  'validatorsMax',
  'stakeMin',
  'unbondingBlocks',
  'slashDoubleSignBps',
  'downtimeWindow',
  'downtimeMissedMax',
  'downtimeJailBlocks',
  'timeouts',
] as const

const TIMEOUT_STEPS = ['propose', 'prevote', 'precommit'] as const

/** Printable ASCII: a name is shown in terminals and logs, where control bytes and look-alike letters mislead. */
const NAME_PATTERN = /^[\x20-\x7e]{1,32}$/

export type Json = Record<string, unknown>

/** The readers of genesis.ts; each throws a GenesisError naming `key`. */
export interface GenesisReaders {
  fail(key: string, message: string): never
  obj(v: unknown, key: string): Json
  int(v: unknown, key: string, min: number, max?: number): number
  amount(v: unknown, key: string): bigint
  onlyKeys(o: Json, allowed: readonly string[], where: string): void
}

/**
 * The PoS keys of the `consensus` section `c` (its other keys are genesis.ts's).
 * `allocSupply`: the allocation's total, so allocation and stake together stay within u64.
 */
export function parsePosParams(c: Json, allocSupply: bigint, read: GenesisReaders): PosParams {
  const { int, amount } = read
  const optional = <T>(key: (typeof POS_KEYS)[number], parse: (v: unknown, key: string) => T, fallback: T): T =>
    c[key] === undefined ? fallback : parse(c[key], `consensus.${key}`)
  const d = POS_DEFAULTS
  const epochLength = optional('epochLength', (v, k) => int(v, k, 1), d.epochLength)
  const validatorsMax = optional('validatorsMax', (v, k) => int(v, k, 1, VALIDATORS_MAX_LIMIT), d.validatorsMax)
  const stakeMin = optional('stakeMin', amount, d.stakeMin)
  const unbondingBlocks = optional('unbondingBlocks', (v, k) => int(v, k, 1), d.unbondingBlocks)
  const slashDoubleSignBps = optional('slashDoubleSignBps', (v, k) => int(v, k, 1, 10_000), d.slashDoubleSignBps)
  const downtimeWindow = optional('downtimeWindow', (v, k) => int(v, k, 1), d.downtimeWindow)
  // A threshold past the window could never be reached (DowntimeTracker refuses it); the default is half the window.
  const downtimeMissedMax = optional(
    'downtimeMissedMax',
    (v, k) => int(v, k, 1, downtimeWindow),
    Math.ceil(downtimeWindow / 2),
  )
  const downtimeJailBlocks = optional('downtimeJailBlocks', (v, k) => int(v, k, 1), d.downtimeJailBlocks)
  const timeouts = optional('timeouts', (v, k) => parseTimeouts(v, k, read), copyTimeouts(d.timeouts))
  const validators = parseValidators(c.validators, { validatorsMax, stakeMin, allocSupply }, read)
  return {
    validators,
    epochLength,
    validatorsMax,
    stakeMin,
    unbondingBlocks,
    slashDoubleSignBps,
    downtimeWindow,
    downtimeMissedMax,
    downtimeJailBlocks,
    timeouts,
  }
}

function parseTimeouts(v: unknown, key: string, read: GenesisReaders): GenesisTimeouts {
  const t = read.obj(v, key)
  read.onlyKeys(t, TIMEOUT_STEPS, key)
  const step = (name: (typeof TIMEOUT_STEPS)[number]): GenesisTimeout => {
    if (t[name] === undefined) return { ...POS_DEFAULTS.timeouts[name] }
    const where = `${key}.${name}`
    const s = read.obj(t[name], where)
    read.onlyKeys(s, ['baseMs', 'deltaMs', 'maxMs'], where)
    const baseMs = read.int(s.baseMs, `${where}.baseMs`, 1, TIMEOUT_MS_LIMIT)
    const deltaMs = read.int(s.deltaMs, `${where}.deltaMs`, 0, TIMEOUT_MS_LIMIT)
    // A cap below the base would shorten round 0's timeout, never what a cap is for.
    const maxMs = read.int(s.maxMs, `${where}.maxMs`, baseMs, TIMEOUT_MS_LIMIT)
    return { baseMs, deltaMs, maxMs }
  }
  return { propose: step('propose'), prevote: step('prevote'), precommit: step('precommit') }
}

interface ValidatorRules {
  validatorsMax: number
  stakeMin: bigint
  allocSupply: bigint
}

function parseValidators(v: unknown, rules: ValidatorRules, read: GenesisReaders): GenesisValidator[] {
  const key = 'consensus.validators'
  if (v === undefined) read.fail(key, 'is required with engine "pos": the validators bonded at genesis')
  if (!Array.isArray(v)) read.fail(key, 'must be an array of { "publicKey", "stake", "name"? }')
  if (v.length === 0) read.fail(key, 'must list at least one validator')
  if (v.length > rules.validatorsMax) {
    read.fail(key, `lists ${v.length} validators, more than consensus.validatorsMax (${rules.validatorsMax})`)
  }
  const validators: GenesisValidator[] = []
  const indexByKey = new Map<string, number>()
  let stakeTotal = 0n
  v.forEach((item: unknown, i) => {
    const where = `${key}[${i}]`
    const o = read.obj(item, where)
    read.onlyKeys(o, ['publicKey', 'stake', 'name'], where)
    if (typeof o.publicKey !== 'string' || !/^[0-9a-f]{64}$/.test(o.publicKey)) {
      read.fail(`${where}.publicKey`, 'must be 64 lower-case hex digits (a 32-byte Ed25519 public key)')
    }
    const earlier = indexByKey.get(o.publicKey)
    if (earlier !== undefined) read.fail(`${where}.publicKey`, `duplicates ${key}[${earlier}].publicKey`)
    indexByKey.set(o.publicKey, i)
    const stake = read.amount(o.stake, `${where}.stake`)
    if (stake === 0n) read.fail(`${where}.stake`, 'must not be zero')
    // Never chosen, so never able to sign: almost certainly a mistake in the file.
    if (stake < rules.stakeMin) read.fail(`${where}.stake`, `is below consensus.stakeMin (${rules.stakeMin})`)
    stakeTotal += stake
    if (stakeTotal > U64_MAX) read.fail(key, 'total stake exceeds u64')
    if (rules.allocSupply + stakeTotal > U64_MAX) read.fail(key, 'total stake and allocation together exceed u64')
    if (o.name !== undefined && (typeof o.name !== 'string' || !NAME_PATTERN.test(o.name))) {
      read.fail(`${where}.name`, 'must be 1-32 printable ASCII characters')
    }
    const publicKey = Uint8Array.from(Buffer.from(o.publicKey, 'hex'))
    const validator: GenesisValidator = { publicKey, address: addressFromPublicKey(publicKey), stake }
    if (o.name !== undefined) validator.name = o.name
    validators.push(validator)
  })
  return validators
}

/** A genesis owns its parameters: never the shared, frozen defaults. */
function copyTimeouts(t: GenesisTimeouts): GenesisTimeouts {
  return { propose: { ...t.propose }, prevote: { ...t.prevote }, precommit: { ...t.precommit } }
}

/** The PoS keys as genesisToJson writes them: parsePosParams reads them back to an equal value. */
export function posParamsToJson(pos: PosParams): Json {
  return {
    validators: pos.validators.map((v) => ({
      publicKey: toHex(v.publicKey),
      stake: v.stake.toString(),
      ...(v.name === undefined ? {} : { name: v.name }),
    })),
    epochLength: pos.epochLength,
    validatorsMax: pos.validatorsMax,
    stakeMin: pos.stakeMin.toString(),
    unbondingBlocks: pos.unbondingBlocks,
    slashDoubleSignBps: pos.slashDoubleSignBps,
    downtimeWindow: pos.downtimeWindow,
    downtimeMissedMax: pos.downtimeMissedMax,
    downtimeJailBlocks: pos.downtimeJailBlocks,
    timeouts: copyTimeouts(pos.timeouts),
  }
}

/**
 * Well-known devnet validator keys, like devnetKey's accounts: the seeds are
 * public, so a chain they validate must never hold anything of value.
 */
export function devnetValidatorKey(index: number): KeyPair {
  return keyPairFromSeed(sha256(new TextEncoder().encode(`peerchain devnet validator ${index}`)))
}
