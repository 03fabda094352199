/** Node configuration: file (TOML) < environment (PEERCHAIN_*) < flags, checked by one schema. See docs/CONFIG.md. */
export { ENV_PREFIX, type Env, NON_CONFIG_ENV } from './env.js'
export { ConfigError, type ConfigIssue, type ConfigSource } from './errors.js'
export { type FlagValue, flagProperty } from './flags.js'
export {
  CONFIG_ENV,
  CONFIG_FILE_NAME,
  DATADIR_ENV,
  defaultDataDir,
  locateConfigFile,
  resolveDataDir,
} from './paths.js'
export {
  type ConfigFlags,
  type LoadedConfig,
  loadConfig,
  type ResolvedNodeConfig,
  type ResolveOptions,
  resolveNodeConfig,
} from './resolve.js'
export { CONFIG_DEFAULTS, CONFIG_KEYS, type ConfigKey, type ConfigValues, configSchema } from './schema.js'
