import { describe, expect, it } from 'vitest'
import { addressFromPublicKey, formatAddress } from '../../../src/ledger/address.js'
import {
  COIN,
  type ConsensusParams,
  DEVNET_ACCOUNTS,
  devnetGenesis,
  devnetKey,
  devnetPosGenesis,
  GenesisError,
  genesisToJson,
  headerVersionOf,
  parseGenesis,
  subsidyAt,
} from '../../../src/ledger/genesis.js'
import { ABS_LIMITS, DEFAULT_LIMITS } from '../../../src/ledger/limits.js'
import { U64_MAX } from '../../../src/util/bytes.js'
import { bytesOf, hex, normalize, thrownBy } from './fixtures.js'

type Json = Record<string, unknown>

/** A fresh JSON genesis (as read from a file) to mutate. */
function genesisJson(): Json {
  return JSON.parse(JSON.stringify(genesisToJson(devnetGenesis()))) as Json
}

const section = (json: Json, key: string): Json => json[key] as Json

/** Asserts parseGenesis refuses `json` with a GenesisError naming `key`. */
function expectGenesisError(json: unknown, key: string): GenesisError {
  const err = thrownBy(() => parseGenesis(json))
  expect(err).toBeInstanceOf(GenesisError)
  const g = err as GenesisError
  expect(g.key).toBe(key)
  expect(g.message).toContain(`"${key}"`)
  return g
}

describe('parseGenesis', () => {
  it('consensus.headerVersion: absent is 1 (and stays out of the file); 1 or 2; proof of work only', () => {
    const json = genesisJson()
    expect(section(json, 'consensus').headerVersion).toBeUndefined()
    expect(headerVersionOf(parseGenesis(json).params)).toBe(1)
    const v2 = devnetGenesis({ headerVersion: 2 })
    expect(parseGenesis(JSON.parse(JSON.stringify(genesisToJson(v2)))).params.headerVersion).toBe(2)
    for (const bad of [0, 3, '2', 1.5]) {
      const j = genesisJson()
      section(j, 'consensus').headerVersion = bad
      expectGenesisError(j, 'consensus.headerVersion')
    }
    const pos = JSON.parse(JSON.stringify(genesisToJson(devnetPosGenesis(1)))) as Json
    section(pos, 'consensus').headerVersion = 2
    expectGenesisError(pos, 'consensus.headerVersion')
  })

  it('refuses the same address funded twice (bech32 is case-insensitive)', () => {
    const json = genesisJson()
    const alloc = section(json, 'alloc')
    const [first] = Object.keys(alloc) as [string]
    alloc[first.toUpperCase()] = '5'
    const err = expectGenesisError(json, `alloc.${first.toUpperCase()}`)
    expect(err.message).toMatch(/duplicates an earlier address/)
  })

  it('refuses keys it does not know, at every level, naming them', () => {
    expectGenesisError({ ...genesisJson(), limit: {} }, 'limit')
    const json = genesisJson()
    section(json, 'consensus').blockTime = 5
    expectGenesisError(json, 'consensus.blockTime')
    const json2 = genesisJson()
    section(json2, 'limits').maxTx = 5
    expectGenesisError(json2, 'limits.maxTx')
  })

  it('round-trips the devnet genesis through JSON text', () => {
    const g = devnetGenesis()
    const parsed = parseGenesis(JSON.parse(JSON.stringify(genesisToJson(g))))
    expect(normalize(parsed)).toEqual(normalize(g))
    expect(parsed.alloc).toHaveLength(DEVNET_ACCOUNTS)
  })

  it('round-trips overridden parameters and tighter limits', () => {
    const g = devnetGenesis({ retargetInterval: 2, maxAdjustFactor: 16, subsidy: 0n, halvingInterval: 0 }, 'x-1')
    g.limits = { txBytesMax: 200, memoBytesMax: 0, blockBytesMax: 1024, blockTxsMax: 1, minFee: 0n }
    expect(normalize(parseGenesis(genesisToJson(g)))).toEqual(normalize(g))
  })

  it('uses the default limits when the file has none', () => {
    const json = genesisJson()
    delete json.limits
    expect(parseGenesis(json).limits).toEqual(DEFAULT_LIMITS)
  })

  it('accepts limits exactly at the absolute caps', () => {
    const json = genesisJson()
    const caps = {
      txBytesMax: ABS_LIMITS.txBytesMax,
      memoBytesMax: ABS_LIMITS.memoBytesMax,
      blockBytesMax: ABS_LIMITS.blockBytesMax,
      blockTxsMax: ABS_LIMITS.blockTxsMax,
    }
    json.limits = caps
    expect(parseGenesis(json).limits).toMatchObject(caps)
  })

  it('refuses a root that is not an object', () => {
    for (const v of [null, [], 'genesis', 42]) expectGenesisError(v, '(root)')
  })

  it.each([['Peerchain'], [''], ['a'.repeat(65)], ['dev_net'], ['dev net'], [42], [undefined]])(
    'refuses chainId %j',
    (chainId) => {
      const json = genesisJson()
      json.chainId = chainId
      expectGenesisError(json, 'chainId')
    },
  )

  it('accepts a 64-character chainId', () => {
    const json = genesisJson()
    json.chainId = 'a'.repeat(64)
    expect(parseGenesis(json).chainId).toBe('a'.repeat(64))
  })

  it.each([[-1], [1.5], ['0'], [undefined]])('refuses timestamp %j', (timestamp) => {
    const json = genesisJson()
    json.timestamp = timestamp
    expectGenesisError(json, 'timestamp')
  })

  it('refuses a bad alloc address, naming it', () => {
    const valid = formatAddress(bytesOf(20, 1))
    for (const addr of ['pc1notanaddress', `${valid.slice(0, -1)}${valid.endsWith('q') ? 'p' : 'q'}`, 'bc1qqqq']) {
      const json = genesisJson()
      json.alloc = { [addr]: '1' }
      const err = expectGenesisError(json, `alloc.${addr}`)
      expect(err.message).toContain('invalid address')
    }
  })

  it.each([['0x10'], ['1.5'], ['-1'], ['01'], [' 1'], ['1e3'], [''], [(U64_MAX + 1n).toString()], [100], [null]])(
    'refuses alloc amount %j',
    (amount) => {
      const json = genesisJson()
      const addr = formatAddress(bytesOf(20, 1))
      json.alloc = { [addr]: amount }
      expectGenesisError(json, `alloc.${addr}`)
    },
  )

  it('accepts alloc amounts 0 and u64 max', () => {
    const json = genesisJson()
    json.alloc = { [formatAddress(bytesOf(20, 1))]: '0', [formatAddress(bytesOf(20, 2))]: U64_MAX.toString() }
    expect(parseGenesis(json).alloc.map((a) => a.balance)).toEqual([0n, U64_MAX])
  })

  it('refuses a total supply above u64', () => {
    const json = genesisJson()
    json.alloc = { [formatAddress(bytesOf(20, 1))]: U64_MAX.toString(), [formatAddress(bytesOf(20, 2))]: '1' }
    expectGenesisError(json, 'alloc')
  })

  it('refuses a missing alloc or consensus section', () => {
    const noAlloc = genesisJson()
    delete noAlloc.alloc
    expectGenesisError(noAlloc, 'alloc')
    const noConsensus = genesisJson()
    noConsensus.consensus = []
    expectGenesisError(noConsensus, 'consensus')
  })

  it('refuses an engine other than pow', () => {
    const json = genesisJson()
    section(json, 'consensus').engine = 'pos'
    expectGenesisError(json, 'consensus.engine')
  })

  it('refuses initialTarget above powLimit, and accepts it equal', () => {
    const json = genesisJson()
    const c = section(json, 'consensus')
    c.powLimit = `${'0'.repeat(8)}${'f'.repeat(56)}`
    c.initialTarget = `${'0'.repeat(7)}1${'0'.repeat(56)}`
    expectGenesisError(json, 'consensus.initialTarget')
    c.initialTarget = c.powLimit
    expect(parseGenesis(json).params.initialTarget).toBe(parseGenesis(json).params.powLimit)
  })

  it.each([
    ['initialTarget', '0'.repeat(64)],
    ['initialTarget', 'ff'],
    ['initialTarget', 'F'.repeat(64)],
    ['powLimit', `0x${'f'.repeat(62)}`],
    ['powLimit', 12345],
  ])('refuses consensus.%s = %j', (key, value) => {
    const json = genesisJson()
    section(json, 'consensus')[key] = value
    expectGenesisError(json, `consensus.${key}`)
  })

  it.each([
    ['retargetInterval', 1],
    ['retargetInterval', 0],
    ['retargetInterval', 2.5],
    ['blockTimeMs', 0],
    ['maxAdjustFactor', 0],
    ['maxAdjustFactor', 17],
    ['halvingInterval', -1],
    ['medianTimeSpan', 0],
    ['medianTimeSpan', 1001],
    ['maxFutureDriftMs', -1],
    ['maxFutureDriftMs', '15000'],
    ['subsidy', 50],
    ['subsidy', (U64_MAX + 1n).toString()],
  ])('refuses consensus.%s = %j', (key, value) => {
    const json = genesisJson()
    section(json, 'consensus')[key] = value
    expectGenesisError(json, `consensus.${key}`)
  })

  it('accepts retargetInterval 2', () => {
    const json = genesisJson()
    section(json, 'consensus').retargetInterval = 2
    expect(parseGenesis(json).params.retargetInterval).toBe(2)
  })

  it.each([
    ['txBytesMax', ABS_LIMITS.txBytesMax + 1],
    ['txBytesMax', 199],
    ['memoBytesMax', ABS_LIMITS.memoBytesMax + 1],
    ['blockBytesMax', ABS_LIMITS.blockBytesMax + 1],
    ['blockBytesMax', 1023],
    ['blockTxsMax', ABS_LIMITS.blockTxsMax + 1],
    ['blockTxsMax', 0],
    ['minFee', 1],
    ['minFee', '-1'],
  ])('refuses limits.%s = %j', (key, value) => {
    const json = genesisJson()
    section(json, 'limits')[key] = value
    expectGenesisError(json, `limits.${key}`)
  })

  it('refuses a limits section that is not an object', () => {
    const json = genesisJson()
    json.limits = 5
    expectGenesisError(json, 'limits')
  })
})

describe('devnet', () => {
  it('funds the well-known devnet keys, which are deterministic', () => {
    const g = devnetGenesis()
    expect(hex(devnetKey(0).publicKey)).toBe(hex(devnetKey(0).publicKey))
    expect(hex(devnetKey(0).publicKey)).not.toBe(hex(devnetKey(1).publicKey))
    g.alloc.forEach((a, i) => {
      expect(hex(a.address)).toBe(hex(addressFromPublicKey(devnetKey(i).publicKey)))
      expect(a.balance).toBe(1_000_000n * COIN)
    })
  })

  it('applies overrides and a chain id', () => {
    const g = devnetGenesis({ blockTimeMs: 1 }, 'other')
    expect(g.params.blockTimeMs).toBe(1)
    expect(g.chainId).toBe('other')
    expect(g.params.initialTarget <= g.params.powLimit).toBe(true)
  })
})

describe('subsidyAt', () => {
  const params: ConsensusParams = { ...devnetGenesis().params, subsidy: 5_000n, halvingInterval: 10 }

  it('pays nothing at genesis and the full subsidy before the first halving', () => {
    expect(subsidyAt(0, params)).toBe(0n)
    expect(subsidyAt(1, params)).toBe(5_000n)
    expect(subsidyAt(9, params)).toBe(5_000n)
  })

  it('halves at each multiple of the interval', () => {
    expect(subsidyAt(10, params)).toBe(2_500n)
    expect(subsidyAt(19, params)).toBe(2_500n)
    expect(subsidyAt(20, params)).toBe(1_250n)
    expect(subsidyAt(30, params)).toBe(625n)
    expect(subsidyAt(40, params)).toBe(312n)
  })

  it('reaches zero and stays there, even past 64 halvings', () => {
    expect(subsidyAt(130, params)).toBe(0n)
    expect(subsidyAt(640, params)).toBe(0n)
    expect(subsidyAt(10_000, { ...params, subsidy: U64_MAX })).toBe(0n)
    expect(subsidyAt(630, { ...params, subsidy: U64_MAX })).toBe(1n)
  })

  it('never halves when halvingInterval is 0', () => {
    const flat = { ...params, halvingInterval: 0 }
    expect(subsidyAt(0, flat)).toBe(0n)
    expect(subsidyAt(1, flat)).toBe(5_000n)
    expect(subsidyAt(1_000_000, flat)).toBe(5_000n)
  })
})
