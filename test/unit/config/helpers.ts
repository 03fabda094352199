/** A scratch data directory per test, and loading the config from it with an explicit environment. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { ConfigError, type ConfigFlags, type Env, type LoadedConfig, loadConfig } from '../../../src/config/index.js'

/** A real peer id (an Ed25519 key's), for bootstrap addresses. */
export const PEER_ID = '12D3KooWMfpGitDhRbVqNw2sE5xLdW93UoPLBQe1qmS5CWTBpNLm'

export interface Scratch {
  dir: string
  dataDir: string
  /** Writes <datadir>/peerchain.toml. */
  writeConfig(text: string): Promise<string>
  load(options?: { flags?: ConfigFlags; env?: Env }): Promise<LoadedConfig>
  /** The ConfigError `load` throws; fails the test if it resolves. */
  refusal(options?: { flags?: ConfigFlags; env?: Env }): Promise<ConfigError>
}

export function useScratch(): Scratch {
  const scratch = {} as Scratch
  beforeEach(async () => {
    scratch.dir = await mkdtemp(join(tmpdir(), 'peerchain-config-'))
    scratch.dataDir = join(scratch.dir, 'data')
  })
  afterEach(async () => {
    await rm(scratch.dir, { recursive: true, force: true })
  })
  scratch.writeConfig = async (text) => {
    await mkdir(scratch.dataDir, { recursive: true })
    const path = join(scratch.dataDir, 'peerchain.toml')
    await writeFile(path, text)
    return path
  }
  scratch.load = ({ flags = {}, env = {} } = {}) =>
    loadConfig({ flags: { datadir: scratch.dataDir, ...flags }, env, cwd: scratch.dir })
  scratch.refusal = async (options) => {
    try {
      await scratch.load(options)
    } catch (err) {
      if (err instanceof ConfigError) return err
      throw err
    }
    throw new Error('the config was accepted')
  }
  return scratch
}
