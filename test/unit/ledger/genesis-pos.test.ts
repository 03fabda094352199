/** The proof-of-stake genesis: its keys and defaults, every refusal naming its key, an exact round trip, PoW untouched. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildGenesisBlock, genesisCommitment } from '../../../src/chain/genesis-block.js'
import { StateTrie } from '../../../src/chain/trie.js'
import { DEFAULT_TIMEOUTS } from '../../../src/consensus/bft/timeouts.js'
import { POS_TARGET } from '../../../src/consensus/pos/engine.js'
import { BASIS_POINTS } from '../../../src/consensus/pos/slashing.js'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import {
  COIN,
  DEVNET_VALIDATOR_STAKE,
  devnetGenesis,
  devnetPosGenesis,
  devnetValidatorKey,
  type Genesis,
  GenesisError,
  genesisToJson,
  POS_DEFAULTS,
  POS_FIXED_POW_PARAMS,
  parseGenesis,
  TIMEOUT_MS_LIMIT,
  VALIDATORS_MAX_LIMIT,
} from '../../../src/ledger/genesis.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { toHex, U64_MAX } from '../../../src/util/bytes.js'
import { hex, thrownBy } from './fixtures.js'

type Json = Record<string, unknown>

/** A fresh JSON PoS genesis (as read from a file) to mutate. */
function posJson(validators = 4): Json {
  return JSON.parse(JSON.stringify(genesisToJson(devnetPosGenesis(validators)))) as Json
}

const consensusOf = (json: Json): Json => json.consensus as Json
const validatorsOf = (json: Json): Json[] => consensusOf(json).validators as Json[]

function expectGenesisError(json: unknown, key: string): GenesisError {
  const err = thrownBy(() => parseGenesis(json))
  expect(err).toBeInstanceOf(GenesisError)
  const g = err as GenesisError
  expect(g.key).toBe(key)
  expect(g.message).toContain(`"${key}"`)
  return g
}

/** Bytes compare by content (toEqual would too, but this shows hex on failure). */
const publicKeyHex = (i: number): string => toHex(devnetValidatorKey(i).publicKey)

describe('a PoS genesis', () => {
  it('parses validators (address derived from the key), the rules and the shared keys', () => {
    const g = parseGenesis(posJson(3))
    expect(g.params.engine).toBe('pos')
    expect(g.params.blockTimeMs).toBe(1_000)
    expect(g.pos?.validators).toHaveLength(3)
    g.pos?.validators.forEach((v, i) => {
      expect(hex(v.publicKey)).toBe(publicKeyHex(i))
      expect(hex(v.address)).toBe(hex(addressFromPublicKey(devnetValidatorKey(i).publicKey)))
      expect(v.stake).toBe(1_000n * COIN)
      expect(v.name).toBe(`validator-${i}`)
    })
    expect(g.pos?.epochLength).toBe(100)
    expect(g.pos?.timeouts).toEqual({
      propose: { baseMs: 1000, deltaMs: 250, maxMs: 4000 },
      prevote: { baseMs: 500, deltaMs: 250, maxMs: 2000 },
      precommit: { baseMs: 500, deltaMs: 250, maxMs: 2000 },
    })
  })

  it('fills the proof-of-work fields with fixed values: the easiest target, which PoS headers carry', () => {
    const { params } = parseGenesis(posJson())
    expect(params).toMatchObject(POS_FIXED_POW_PARAMS)
    expect(params.initialTarget).toBe(POS_TARGET)
    expect(params.powLimit).toBe(POS_TARGET)
    expect(params.retargetInterval).toBe(1_000_000)
    expect(params.maxAdjustFactor).toBe(1)
  })

  it('uses the defaults for every absent key but validators', () => {
    const json = posJson(1)
    const c = consensusOf(json)
    for (const key of Object.keys(POS_DEFAULTS)) delete c[key]
    const g = parseGenesis(json)
    const { validators, ...rules } = g.pos ?? { validators: [] }
    expect(validators).toHaveLength(1)
    expect(rules).toEqual(POS_DEFAULTS)
  })

  it('declares the default timeouts of consensus/bft and a fraction within its basis points', () => {
    expect(POS_DEFAULTS.timeouts).toEqual(DEFAULT_TIMEOUTS)
    expect(POS_DEFAULTS.slashDoubleSignBps).toBeLessThanOrEqual(BASIS_POINTS)
  })

  it('defaults a timeout step left out, and downtimeMissedMax to half a custom window', () => {
    const json = posJson(1)
    const c = consensusOf(json)
    c.timeouts = { prevote: { baseMs: 7, deltaMs: 0, maxMs: 7 } }
    c.downtimeWindow = 9
    delete c.downtimeMissedMax
    const pos = parseGenesis(json).pos
    expect(pos?.timeouts).toEqual({ ...POS_DEFAULTS.timeouts, prevote: { baseMs: 7, deltaMs: 0, maxMs: 7 } })
    expect(pos?.downtimeMissedMax).toBe(5)
  })

  it('hands out copies of the defaults, never the shared objects', () => {
    const json = posJson(1)
    delete consensusOf(json).timeouts
    const g = parseGenesis(json)
    expect(g.pos?.timeouts).not.toBe(POS_DEFAULTS.timeouts)
    expect(Object.isFrozen(POS_DEFAULTS.timeouts.propose)).toBe(true)
  })

  it('leaves out a name that is absent', () => {
    const json = posJson(1)
    delete (validatorsOf(json)[0] as Json).name
    const g = parseGenesis(json)
    expect(g.pos?.validators[0]).not.toHaveProperty('name')
    expect(validatorsOf(genesisToJson(g))[0]).not.toHaveProperty('name')
  })

  it('accepts as many validators as validatorsMax, and a total stake of exactly u64 max', () => {
    const json = posJson(3)
    const c = consensusOf(json)
    c.validatorsMax = 3
    json.alloc = {}
    const [a, b, d] = validatorsOf(json) as [Json, Json, Json]
    a.stake = (U64_MAX - 2n * COIN).toString()
    b.stake = COIN.toString()
    d.stake = COIN.toString()
    expect(parseGenesis(json).pos?.validators.map((v) => v.stake)).toEqual([U64_MAX - 2n * COIN, COIN, COIN])
  })
})

describe('a PoS genesis refuses, naming the key', () => {
  it.each([['initialTarget'], ['powLimit'], ['retargetInterval'], ['maxAdjustFactor']])(
    'the proof-of-work key %s',
    (key) => {
      const json = posJson()
      consensusOf(json)[key] = consensusOf(genesisToJson(devnetGenesis()) as Json)[key]
      const err = expectGenesisError(json, `consensus.${key}`)
      expect(err.message).toContain('proof-of-work key')
    },
  )

  it('engine "pos" on a proof-of-work section: the engine', () => {
    const json = JSON.parse(JSON.stringify(genesisToJson(devnetGenesis()))) as Json
    consensusOf(json).engine = 'pos'
    expectGenesisError(json, 'consensus.engine')
  })

  it('a PoS key under engine "pow"', () => {
    const json = JSON.parse(JSON.stringify(genesisToJson(devnetGenesis()))) as Json
    consensusOf(json).epochLength = 5
    expect(expectGenesisError(json, 'consensus.epochLength').message).toContain('proof-of-stake key')
  })

  it('an unknown engine', () => {
    const json = posJson()
    consensusOf(json).engine = 'poa'
    expectGenesisError(json, 'consensus.engine')
  })

  it('an unknown key', () => {
    const json = posJson()
    consensusOf(json).epochLen = 5
    expectGenesisError(json, 'consensus.epochLen')
  })

  it.each([['blockTimeMs'], ['subsidy'], ['halvingInterval'], ['medianTimeSpan'], ['maxFutureDriftMs']])(
    'a missing shared key %s',
    (key) => {
      const json = posJson()
      delete consensusOf(json)[key]
      expectGenesisError(json, `consensus.${key}`)
    },
  )

  it.each([[undefined], [[]], [{}], ['validators']])('validators = %j', (validators) => {
    const json = posJson()
    consensusOf(json).validators = validators
    expectGenesisError(json, 'consensus.validators')
  })

  it('more validators than validatorsMax', () => {
    const json = posJson(3)
    consensusOf(json).validatorsMax = 2
    expect(expectGenesisError(json, 'consensus.validators').message).toContain('validatorsMax')
  })

  it.each([
    ['a short key', 'ab'],
    ['upper-case hex', 'A'.repeat(64)],
    ['0x-prefixed hex', `0x${'a'.repeat(62)}`],
    ['non-hex digits', 'g'.repeat(64)],
    ['a number', 42],
    ['nothing', undefined],
  ])('a public key that is %s', (_, publicKey) => {
    const json = posJson()
    ;(validatorsOf(json)[2] as Json).publicKey = publicKey
    expectGenesisError(json, 'consensus.validators[2].publicKey')
  })

  it('a validator key listed twice, naming the later one and the earlier', () => {
    const json = posJson()
    ;(validatorsOf(json)[3] as Json).publicKey = publicKeyHex(1)
    const err = expectGenesisError(json, 'consensus.validators[3].publicKey')
    expect(err.message).toContain('consensus.validators[1]')
  })

  it.each([['0'], ['-1'], ['1.5'], ['01'], [100], [(U64_MAX + 1n).toString()], [undefined]])(
    'a stake of %j',
    (stake) => {
      const json = posJson()
      ;(validatorsOf(json)[1] as Json).stake = stake
      expectGenesisError(json, 'consensus.validators[1].stake')
    },
  )

  it('a stake below stakeMin', () => {
    const json = posJson()
    consensusOf(json).stakeMin = (DEVNET_VALIDATOR_STAKE + 1n).toString()
    expect(expectGenesisError(json, 'consensus.validators[0].stake').message).toContain('stakeMin')
  })

  it('a total stake above u64', () => {
    const json = posJson(2)
    json.alloc = {}
    for (const v of validatorsOf(json)) v.stake = (U64_MAX / 2n + 1n).toString()
    expect(expectGenesisError(json, 'consensus.validators').message).toContain('total stake exceeds u64')
  })

  it('stake and allocation together above u64', () => {
    const json = posJson(1)
    ;(validatorsOf(json)[0] as Json).stake = U64_MAX.toString()
    expect(expectGenesisError(json, 'consensus.validators').message).toContain('allocation')
  })

  it.each([[''], ['x'.repeat(33)], ['tab\there'], ['naïve'], [7]])('a name of %j', (name) => {
    const json = posJson()
    ;(validatorsOf(json)[0] as Json).name = name
    expectGenesisError(json, 'consensus.validators[0].name')
  })

  it('an unknown key in a validator, and a validator that is not an object', () => {
    const json = posJson()
    ;(validatorsOf(json)[0] as Json).address = 'pc1…'
    expectGenesisError(json, 'consensus.validators[0].address')
    const json2 = posJson()
    validatorsOf(json2)[1] = 'v' as unknown as Json
    expectGenesisError(json2, 'consensus.validators[1]')
  })

  it.each([
    ['epochLength', 0],
    ['epochLength', 1.5],
    ['validatorsMax', 0],
    ['validatorsMax', VALIDATORS_MAX_LIMIT + 1],
    ['stakeMin', 5],
    ['stakeMin', '-1'],
    ['unbondingBlocks', 0],
    ['slashDoubleSignBps', 0],
    ['slashDoubleSignBps', 10_001],
    ['downtimeWindow', 0],
    ['downtimeMissedMax', 0],
    ['downtimeMissedMax', 1_001],
    ['downtimeJailBlocks', 0],
    ['downtimeJailBlocks', '10'],
    ['timeouts', 5],
  ])('consensus.%s = %j', (key, value) => {
    const json = posJson()
    consensusOf(json)[key] = value
    expectGenesisError(json, `consensus.${key}`)
  })

  it.each([
    ['propose', { baseMs: 0, deltaMs: 1, maxMs: 5 }, 'baseMs'],
    ['prevote', { baseMs: 10, deltaMs: -1, maxMs: 20 }, 'deltaMs'],
    ['precommit', { baseMs: 10, deltaMs: 1, maxMs: 9 }, 'maxMs'],
    ['propose', { baseMs: 10, deltaMs: 1, maxMs: TIMEOUT_MS_LIMIT + 1 }, 'maxMs'],
    ['prevote', { baseMs: 10, deltaMs: 1 }, 'maxMs'],
  ])('timeouts.%s = %j (%s)', (step, schedule, field) => {
    const json = posJson()
    ;(consensusOf(json).timeouts as Json)[step] = schedule
    expectGenesisError(json, `consensus.timeouts.${step}.${field}`)
  })

  it('an unknown timeout step or field', () => {
    const json = posJson()
    ;(consensusOf(json).timeouts as Json).commit = { baseMs: 1, deltaMs: 1, maxMs: 1 }
    expectGenesisError(json, 'consensus.timeouts.commit')
    const json2 = posJson()
    ;((consensusOf(json2).timeouts as Json).propose as Json).minMs = 1
    expectGenesisError(json2, 'consensus.timeouts.propose.minMs')
  })
})

describe('genesisToJson of a PoS genesis', () => {
  it('round-trips the PoS devnet exactly, both ways', () => {
    const g = devnetPosGenesis(4)
    expect(parseGenesis(genesisToJson(g))).toEqual(g)
    const json = posJson(4)
    expect(genesisToJson(parseGenesis(json))).toEqual(json)
    expect(JSON.stringify(genesisToJson(parseGenesis(json)))).toBe(JSON.stringify(json))
  })

  it('writes no proof-of-work key', () => {
    const c = consensusOf(genesisToJson(devnetPosGenesis(1)))
    for (const key of ['initialTarget', 'powLimit', 'retargetInterval', 'maxAdjustFactor']) {
      expect(c).not.toHaveProperty(key)
    }
  })

  it('round-trips any valid PoS parameters (property)', () => {
    const timeout = fc
      .record({ baseMs: fc.integer({ min: 1, max: 60_000 }), deltaMs: fc.integer({ min: 0, max: 60_000 }) })
      .chain((t) => fc.integer({ min: t.baseMs, max: TIMEOUT_MS_LIMIT }).map((maxMs) => ({ ...t, maxMs })))
    const arbitrary = fc
      .record({
        count: fc.integer({ min: 1, max: 8 }),
        stakes: fc.array(fc.bigInt({ min: 1n, max: 10n ** 15n }), { minLength: 8, maxLength: 8 }),
        named: fc.array(fc.option(fc.stringMatching(/^[\x20-\x7e]{1,32}$/), { nil: undefined }), {
          minLength: 8,
          maxLength: 8,
        }),
        epochLength: fc.integer({ min: 1, max: 1_000_000 }),
        extraSlots: fc.integer({ min: 0, max: 100 }),
        unbondingBlocks: fc.integer({ min: 1, max: 1_000_000 }),
        slashDoubleSignBps: fc.integer({ min: 1, max: 10_000 }),
        downtimeWindow: fc.integer({ min: 1, max: 10_000 }),
        missedFraction: fc.double({ min: 0, max: 1, noNaN: true }),
        downtimeJailBlocks: fc.integer({ min: 1, max: 1_000_000 }),
        timeouts: fc.record({ propose: timeout, prevote: timeout, precommit: timeout }),
      })
      .map((a): Genesis => {
        const validators = Array.from({ length: a.count }, (_, i) => {
          const { publicKey } = devnetValidatorKey(i)
          const name = a.named[i]
          const stake = a.stakes[i] as bigint
          return { publicKey, address: addressFromPublicKey(publicKey), stake, ...(name === undefined ? {} : { name }) }
        })
        const stakeMin = validators.reduce((min, v) => (v.stake < min ? v.stake : min), U64_MAX)
        return devnetPosGenesis(a.count, {
          validators,
          epochLength: a.epochLength,
          validatorsMax: a.count + a.extraSlots,
          stakeMin,
          unbondingBlocks: a.unbondingBlocks,
          slashDoubleSignBps: a.slashDoubleSignBps,
          downtimeWindow: a.downtimeWindow,
          downtimeMissedMax: Math.max(1, Math.ceil(a.missedFraction * a.downtimeWindow)),
          downtimeJailBlocks: a.downtimeJailBlocks,
          timeouts: a.timeouts,
        })
      })
    fc.assert(
      fc.property(arbitrary, (g) => {
        const text = JSON.stringify(genesisToJson(g))
        const parsed = parseGenesis(JSON.parse(text))
        expect(parsed).toEqual(g)
        expect(JSON.stringify(genesisToJson(parsed))).toBe(text)
      }),
      { numRuns: 100 },
    )
  })

  it('refuses a genesis whose engine and PoS parameters disagree', () => {
    const pow = devnetGenesis()
    const { pos } = devnetPosGenesis(1)
    expect(() => genesisToJson({ ...pow, pos })).toThrow(/has PoS parameters/)
    const { pos: _, ...noPos } = devnetPosGenesis(1)
    expect(() => genesisToJson(noPos)).toThrow(/lacks PoS parameters/)
  })
})

describe('the devnets', () => {
  it('keeps the built-in PoW devnet and its genesis hash exactly as before', async () => {
    const g = devnetGenesis()
    expect(g).not.toHaveProperty('pos')
    expect(parseGenesis(genesisToJson(g))).not.toHaveProperty('pos')
    expect(hex(genesisCommitment(g))).toBe(hex(genesisCommitment(parseGenesis(genesisToJson(g)))))
    const block = await buildGenesisBlock(g, await StateTrie.open(new MemoryStore()))
    expect(block.header.id).toBe('822c105980e8597ea8d7e94d5af32a653c58a32ff53c5929b465658229e6b0c4')
  })

  it('gives each PoS devnet validator a well-known key and equal stake on the devnet allocation', () => {
    const g = devnetPosGenesis(5)
    expect(g.alloc).toEqual(devnetGenesis().alloc)
    expect(g.pos?.validators.map((v) => hex(v.publicKey))).toEqual([0, 1, 2, 3, 4].map(publicKeyHex))
    expect(new Set(g.pos?.validators.map((v) => v.stake))).toEqual(new Set([DEVNET_VALIDATOR_STAKE]))
    expect(publicKeyHex(0)).not.toBe(publicKeyHex(1))
    expect(g.chainId).not.toBe(devnetGenesis().chainId)
  })

  it('applies overrides to the PoS rules', () => {
    expect(devnetPosGenesis(2, { epochLength: 7 }).pos?.epochLength).toBe(7)
  })

  it('commits the PoS genesis block to its validators', async () => {
    const a = devnetPosGenesis(4)
    const b = devnetPosGenesis(4, { validators: devnetPosGenesis(3).pos?.validators ?? [] })
    expect(hex(genesisCommitment(a))).not.toBe(hex(genesisCommitment(b)))
    const block = await buildGenesisBlock(a, await StateTrie.open(new MemoryStore()))
    expect(block.header.target).toBe(POS_TARGET)
  })
})
