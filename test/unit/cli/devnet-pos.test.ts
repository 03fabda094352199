/** peerchain devnet's flags and files: --consensus pow as before, --consensus pos with its validators' keys. No node is started. */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type DevnetFlags,
  devnetGenesisOf,
  devnetNodeArgs,
  planDevnet,
  writeDevnetFiles,
} from '../../../src/cli/devnet.js'
import { UsageError } from '../../../src/cli/errors.js'
import { devnetGenesis, devnetPosGenesis, devnetValidatorKey, genesisToJson } from '../../../src/ledger/genesis.js'
import { readGenesisFile } from '../../../src/node/genesis-file.js'
import { loadOrCreateValidatorKey, validatorKeyPath } from '../../../src/node/validator-key.js'

const flags = (f: Partial<DevnetFlags> = {}): DevnetFlags => ({ logLevel: 'warn', ...f })

function usageError(f: Partial<DevnetFlags>): UsageError {
  try {
    planDevnet(flags(f))
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError)
    return err as UsageError
  }
  throw new Error('the flags were accepted')
}

describe('planDevnet under proof of work (the default)', () => {
  it('keeps the defaults: 3 nodes, the first a miner', () => {
    expect(planDevnet(flags())).toEqual({ consensus: 'pow', roles: ['miner', 'full', 'full'] })
    expect(planDevnet(flags({ consensus: 'pow', nodes: '2', miners: '2' })).roles).toEqual(['miner', 'miner'])
    expect(planDevnet(flags({ miners: '0' })).roles).toEqual(['full', 'full', 'full'])
  })

  it('refuses bad counts as before, and --validators', () => {
    expect(usageError({ nodes: '0' }).message).toBe('--nodes must be 1-64, got "0"')
    expect(usageError({ nodes: '65' }).message).toBe('--nodes must be 1-64, got "65"')
    expect(usageError({ nodes: '2', miners: '3' }).message).toBe('--miners must be 0-2, got "3"')
    expect(usageError({ miners: 'x' }).message).toBe('--miners must be 0-3, got "x"')
    expect(usageError({ validators: '2' }).message).toMatch(/--validators needs --consensus pos/)
  })
})

describe('planDevnet under proof of stake', () => {
  it('makes the first N nodes validators: 4 by default, on max(3, N) nodes', () => {
    expect(planDevnet(flags({ consensus: 'pos' })).roles).toEqual(['validator', 'validator', 'validator', 'validator'])
    expect(planDevnet(flags({ consensus: 'pos', validators: '1' })).roles).toEqual(['validator', 'full', 'full'])
    expect(planDevnet(flags({ consensus: 'pos', validators: '2', nodes: '5' })).roles).toEqual([
      'validator',
      'validator',
      'full',
      'full',
      'full',
    ])
  })

  it('refuses --miners, more validators than nodes, and bad counts', () => {
    expect(usageError({ consensus: 'pos', miners: '1' }).message).toMatch(/--miners is for --consensus pow/)
    expect(usageError({ consensus: 'pos', validators: '5', nodes: '4' }).message).toBe(
      '--validators must be 1-4 (--nodes), got "5"',
    )
    expect(usageError({ consensus: 'pos', validators: '0' }).message).toBe('--validators must be 1-64, got "0"')
    expect(usageError({ consensus: 'pos', validators: '65' }).message).toBe('--validators must be 1-64, got "65"')
  })

  it('refuses an unknown engine', () => {
    expect(usageError({ consensus: 'poa' }).message).toBe('--consensus must be "pow" or "pos", got "poa"')
  })
})

describe('devnetNodeArgs', () => {
  const spec = { base: '/d', genesisPath: '/d/genesis.json', flags: { logLevel: 'warn' }, bootstrap: [] }

  it('starts a validator with --role validator and without --mine', () => {
    const args = devnetNodeArgs({ ...spec, index: 1, role: 'validator' })
    expect(args.slice(-2)).toEqual(['--role', 'validator'])
    expect(args).not.toContain('--mine')
    expect(args.slice(args.indexOf('--datadir'), args.indexOf('--datadir') + 2)).toEqual(['--datadir', '/d/node-1'])
  })

  it('starts a miner with --mine and a full node with neither, as before', () => {
    expect(devnetNodeArgs({ ...spec, index: 0, role: 'miner' })).toContain('--mine')
    const full = devnetNodeArgs({ ...spec, index: 2, role: 'full' })
    expect(full).not.toContain('--mine')
    expect(full).not.toContain('--role')
  })
})

describe('the files a devnet writes', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'peerchain-devnet-files-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('under proof of stake: the PoS devnet genesis and each validator its devnet key (0600), none for full nodes', async () => {
    const plan = planDevnet(flags({ consensus: 'pos', validators: '2', nodes: '3' }))
    const genesis = await devnetGenesisOf(plan, undefined)
    expect(genesis.pos?.validators).toHaveLength(2)
    const genesisPath = await writeDevnetFiles(dir, plan, genesis)
    expect(genesisToJson(await readGenesisFile(genesisPath))).toEqual(genesisToJson(devnetPosGenesis(2)))
    for (const i of [0, 1]) {
      const dataDir = join(dir, `node-${i}`)
      expect(await loadOrCreateValidatorKey(dataDir)).toEqual(devnetValidatorKey(i))
      expect((await stat(validatorKeyPath(dataDir))).mode & 0o777).toBe(0o600)
    }
    await expect(stat(validatorKeyPath(join(dir, 'node-2')))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('under proof of work: the built-in devnet genesis, byte for byte as before, and no validator key', async () => {
    const plan = planDevnet(flags())
    const genesisPath = await writeDevnetFiles(dir, plan, await devnetGenesisOf(plan, undefined))
    expect(await readFile(genesisPath, 'utf8')).toBe(JSON.stringify(genesisToJson(devnetGenesis()), null, 2))
    await expect(stat(join(dir, 'node-0'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('refuses a --genesis file of the other engine, or one that does not bond the devnet validator keys', async () => {
    const pow = join(dir, 'pow.json')
    await writeFile(pow, JSON.stringify(genesisToJson(devnetGenesis())))
    const pos = join(dir, 'pos.json')
    await writeFile(pos, JSON.stringify(genesisToJson(devnetPosGenesis(2))))
    const posPlan = planDevnet(flags({ consensus: 'pos', validators: '2' }))
    await expect(devnetGenesisOf(posPlan, pow)).rejects.toThrow(/is a pow genesis: give --consensus pow/)
    await expect(devnetGenesisOf(planDevnet(flags()), pos)).rejects.toThrow(/is a pos genesis: give --consensus pos/)
    const three = planDevnet(flags({ consensus: 'pos', validators: '3' }))
    await expect(devnetGenesisOf(three, pos)).rejects.toThrow(/no validator with devnet validator key 2/)
    expect((await devnetGenesisOf(posPlan, pos)).pos?.validators).toHaveLength(2)
  })
})
