/**
 * Where the data directory and the config file are. Every command finds the data
 * directory the same way: --datadir, then PEERCHAIN_DATADIR, then ~/.peerchain.
 * The config file: --config, then PEERCHAIN_CONFIG, then <datadir>/peerchain.toml
 * if there is one (only a file named explicitly must exist).
 */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Env } from './env.js'
import type { ConfigSource } from './errors.js'

export const CONFIG_FILE_NAME = 'peerchain.toml'
export const DATADIR_ENV = 'PEERCHAIN_DATADIR'
export const CONFIG_ENV = 'PEERCHAIN_CONFIG'

export const defaultDataDir = (home: string = homedir()): string => join(home, '.peerchain')

/** The data directory as an absolute path: `flag` (--datadir), then PEERCHAIN_DATADIR, then ~/.peerchain. */
export function resolveDataDir(flag?: string, env: Env = process.env, cwd: string = process.cwd()): string {
  const chosen = nonEmpty(flag) ?? nonEmpty(env[DATADIR_ENV]) ?? defaultDataDir()
  return resolve(cwd, chosen)
}

export interface ConfigFileLocation {
  path: string
  /** Named by --config or PEERCHAIN_CONFIG: it must exist. The default file may be absent. */
  required: boolean
  /** Where the name came from, for an error about a missing file. */
  source: ConfigSource
}

export function locateConfigFile(
  flag: string | undefined,
  env: Env,
  dataDir: string,
  cwd: string = process.cwd(),
): ConfigFileLocation {
  const fromFlag = nonEmpty(flag)
  if (fromFlag !== undefined) return { path: resolve(cwd, fromFlag), required: true, source: 'flag --config' }
  const fromEnv = nonEmpty(env[CONFIG_ENV])
  if (fromEnv !== undefined) return { path: resolve(cwd, fromEnv), required: true, source: `env ${CONFIG_ENV}` }
  const path = join(dataDir, CONFIG_FILE_NAME)
  return { path, required: false, source: `file ${path}` }
}

const nonEmpty = (text: string | undefined): string | undefined =>
  text === undefined || text === '' ? undefined : text
