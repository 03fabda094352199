/**
 * The environment layer: PEERCHAIN_<SECTION>_<KEY>, e.g. PEERCHAIN_RPC_PORT=9000,
 * PEERCHAIN_NET_BOOTSTRAP=a,b (lists are comma-separated), PEERCHAIN_NET_MDNS=true
 * (booleans true/false/1/0). An empty variable counts as unset. A variable that looks
 * like a config key but is not one (PEERCHAIN_RPC_PROT, PEERCHAIN_LOG_LEVEL) is an
 * error naming it, so a typo is not silently ignored.
 */
import { type ConfigIssue, unknownKey } from './errors.js'
import { type ConfigLayer, coerce, type Nested, setKey } from './layers.js'
import { CONFIG_KEYS, SECTION_NAMES } from './schema.js'

export type Env = Record<string, string | undefined>

export const ENV_PREFIX = 'PEERCHAIN_'

/** PEERCHAIN_ variables that are not config keys (the passphrase, paths, the wallet commands' RPC). */
export const NON_CONFIG_ENV: readonly string[] = [
  'PEERCHAIN_PASSPHRASE',
  'PEERCHAIN_DATADIR',
  'PEERCHAIN_CONFIG',
  'PEERCHAIN_RPC',
  'PEERCHAIN_RPC_TOKEN',
]

export function envLayer(env: Env, cwd: string): { layer: ConfigLayer; issues: ConfigIssue[] } {
  const values: Nested = {}
  const issues: ConfigIssue[] = []
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || text === undefined || text === '') continue
    // Others (PEERCHAIN_TEST_*, PEERCHAIN_BENCH_*) are not checked: only what looks like a key is.
    if (NON_CONFIG_ENV.includes(name)) continue
    const key = CONFIG_KEYS.find((k) => k.env === name)
    if (key) {
      setKey(values, key, coerce(key.kind, text), cwd)
      continue
    }
    const unknown = unknownEnvKey(name)
    if (unknown) issues.push(unknownKey(unknown.path, text, unknown.allowed, `env ${name}`))
  }
  const layer: ConfigLayer = { values, sourceOf: (path) => `env ${CONFIG_KEYS.find((k) => k.path === path)?.env}` }
  return { layer, issues }
}

/** A variable with a section's prefix, or named after a key without its section, is a config key mistyped. */
function unknownEnvKey(name: string): { path: string; allowed: string } | undefined {
  const rest = name.slice(ENV_PREFIX.length).toLowerCase()
  const section = SECTION_NAMES.find((s) => rest.startsWith(`${s}_`))
  if (section) {
    const known = CONFIG_KEYS.filter((k) => k.section === section).map((k) => k.env)
    return { path: `${section}.${rest.slice(section.length + 1)}`, allowed: `one of ${known.join(', ')}` }
  }
  const sameName = CONFIG_KEYS.filter((k) => k.name === rest)
  if (sameName.length > 0) return { path: rest, allowed: sameName.map((k) => k.env).join(' or ') }
  return undefined
}
