/**
 * The flag layer: `peerchain start` options, as commander gives them (camelCase
 * names, strings, string lists for variadic options, true for switches). A flag
 * that was not given is undefined and leaves the file's and the environment's value.
 */
import { type ConfigLayer, coerce, type Nested, setKey } from './layers.js'
import { CONFIG_KEYS, type ConfigKey } from './schema.js'

export type FlagValue = string | readonly string[] | number | boolean | undefined

/** `--rpc-port` → `rpcPort`, as commander names the parsed option. */
export const flagProperty = (flag: string): string =>
  flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())

export function flagLayer(flags: Readonly<Record<string, FlagValue>>, cwd: string): ConfigLayer {
  const values: Nested = {}
  for (const key of CONFIG_KEYS) {
    const given = flags[flagProperty(key.flag)]
    if (given === undefined) continue
    setKey(values, key, fromFlag(key, given), cwd)
  }
  return { values, sourceOf: (path) => `flag ${CONFIG_KEYS.find((k) => k.path === path)?.flag ?? `--${path}`}` }
}

function fromFlag(key: ConfigKey, given: Exclude<FlagValue, undefined>): unknown {
  if (typeof given === 'string') return coerce(key.kind, given)
  if (Array.isArray(given)) {
    // `--bootstrap a b` and `--bootstrap a,b` both work.
    return key.kind === 'list' ? given.flatMap((item) => coerce('list', item) as string[]) : given
  }
  return given
}
