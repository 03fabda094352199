/** node.role = "light": on either engine, and never mining. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, type ConfigFlags, resolveNodeConfig } from '../../../src/config/index.js'
import { devnetPosGenesis, genesisToJson } from '../../../src/ledger/genesis.js'
import { useScratch } from './helpers.js'

const scratch = useScratch()

const resolve = (flags: ConfigFlags) =>
  resolveNodeConfig({ flags: { datadir: scratch.dataDir, ...flags }, env: {}, cwd: scratch.dir })

describe('node.role = "light"', () => {
  it('is accepted on the built-in proof-of-work devnet', async () => {
    expect((await resolve({ role: 'light' })).role).toBe('light')
  })

  it('is accepted on a proof-of-stake genesis (its headers are proven by commits)', async () => {
    const genesis = join(scratch.dir, 'pos.json')
    await writeFile(genesis, JSON.stringify(genesisToJson(devnetPosGenesis(4))))
    const config = await resolve({ role: 'light', genesis })
    expect(config.role).toBe('light')
    expect(config.genesis.params.engine).toBe('pos')
  })

  it('is refused with mining on a proof-of-stake genesis, for both reasons', async () => {
    const genesis = join(scratch.dir, 'pos.json')
    await writeFile(genesis, JSON.stringify(genesisToJson(devnetPosGenesis(4))))
    const err = await resolve({ role: 'light', genesis, mine: true }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect(err).toMatchObject({ key: 'mining.enabled' })
  })

  it('is refused with mining on', async () => {
    const err = await resolve({ role: 'light', mine: true }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect(err).toMatchObject({ key: 'mining.enabled' })
    expect((err as ConfigError).message).toContain('a light node does not mine')
  })
})
