/** node.role against the chain's engine: a validator needs a PoS genesis, mining a PoW one. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, type ConfigFlags, type Env, resolveNodeConfig } from '../../../src/config/index.js'
import { devnetGenesis, devnetPosGenesis, genesisToJson } from '../../../src/ledger/genesis.js'
import { useScratch } from './helpers.js'

const scratch = useScratch()

async function writeGenesis(name: string, engine: 'pow' | 'pos'): Promise<string> {
  const genesis = engine === 'pos' ? devnetPosGenesis(4) : devnetGenesis()
  const path = join(scratch.dir, name)
  await writeFile(path, JSON.stringify(genesisToJson(genesis)))
  return path
}

const resolve = (flags: ConfigFlags, env: Env = {}) =>
  resolveNodeConfig({ flags: { datadir: scratch.dataDir, ...flags }, env, cwd: scratch.dir })

async function refusal(flags: ConfigFlags, env: Env = {}): Promise<ConfigError> {
  const err = await resolve(flags, env).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(ConfigError)
  return err as ConfigError
}

describe('node.role = "validator"', () => {
  it('is accepted with a proof-of-stake genesis', async () => {
    const genesis = await writeGenesis('pos.json', 'pos')
    const config = await resolve({ role: 'validator', genesis })
    expect(config.role).toBe('validator')
    expect(config.genesis.params.engine).toBe('pos')
  })

  it('is refused with the built-in proof-of-work devnet: one issue naming node.role and where it came from', async () => {
    const err = await refusal({ role: 'validator' })
    expect(err.issues).toHaveLength(1)
    expect(err).toMatchObject({ key: 'node.role', value: 'validator', source: 'flag --role' })
    expect(err.message).toBe(
      'node.role: "validator" is not allowed (from flag --role): expected one of "full", "miner", "validator", "light" (a validator needs a proof-of-stake genesis; this chain is proof of work)',
    )
  })

  it('is refused with a proof-of-work genesis file, from the environment too', async () => {
    const genesis = await writeGenesis('pow.json', 'pow')
    const err = await refusal({ genesis }, { PEERCHAIN_NODE_ROLE: 'validator' })
    expect(err).toMatchObject({ key: 'node.role', source: 'env PEERCHAIN_NODE_ROLE' })
  })

  it('is refused even when mining makes the node a miner', async () => {
    const err = await refusal({ role: 'validator', mine: true })
    expect(err.key).toBe('node.role')
  })
})

describe('mining on a proof-of-stake chain', () => {
  it('refuses node.role = "miner" and mining.enabled, each by its key', async () => {
    const genesis = await writeGenesis('pos.json', 'pos')
    expect(await refusal({ role: 'miner', genesis })).toMatchObject({ key: 'node.role', value: 'miner' })
    const both = await refusal({ role: 'miner', mine: true, genesis })
    expect(both.issues.map((i) => i.key)).toEqual(['node.role', 'mining.enabled'])
  })

  it('accepts a full node', async () => {
    const genesis = await writeGenesis('pos.json', 'pos')
    expect((await resolve({ genesis })).role).toBe('full')
  })
})

describe('the proof-of-work roles are unchanged', () => {
  it('accepts full and miner on the built-in devnet', async () => {
    expect((await resolve({})).role).toBe('full')
    expect((await resolve({ role: 'miner' })).role).toBe('miner')
    expect((await resolve({ mine: true })).role).toBe('miner')
  })
})
