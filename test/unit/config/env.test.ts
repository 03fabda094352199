/** Environment names are derived from the keys, so every key can be set from the environment. */
import { describe, expect, it } from 'vitest'
import { envLayer } from '../../../src/config/env.js'
import { CONFIG_KEYS, NON_CONFIG_ENV } from '../../../src/config/index.js'

describe('PEERCHAIN_<SECTION>_<KEY>', () => {
  it('names every key and never one of the variables that are not config', () => {
    const names = CONFIG_KEYS.map((k) => k.env)
    expect(names).toContain('PEERCHAIN_RPC_PORT')
    expect(names).toContain('PEERCHAIN_NET_LOCAL_CLUSTER')
    expect(new Set(names).size).toBe(names.length)
    for (const name of NON_CONFIG_ENV) expect(names).not.toContain(name)
  })

  it('sets every key from its variable', () => {
    const sample: Record<string, string> = { string: 'x', integer: '7', boolean: 'true', list: 'a, b,,c' }
    const env = Object.fromEntries(CONFIG_KEYS.map((k) => [k.env, sample[k.kind] as string]))
    const { layer, issues } = envLayer(env, '/cwd')
    expect(issues).toEqual([])
    for (const key of CONFIG_KEYS) {
      const expected = { string: key.isPath ? '/cwd/x' : 'x', integer: 7, boolean: true, list: ['a', 'b', 'c'] }[
        key.kind
      ]
      expect((layer.values[key.section] as Record<string, unknown>)[key.name], key.env).toEqual(expected)
      expect(layer.sourceOf(key.path)).toBe(`env ${key.env}`)
    }
  })

  it('leaves PEERCHAIN_RPC_TOKEN alone although it looks like an [rpc] key', () => {
    expect(envLayer({ PEERCHAIN_RPC_TOKEN: 'secret' }, '/').issues).toEqual([])
    expect(envLayer({ PEERCHAIN_RPC_TOKN: 'secret' }, '/').issues).toHaveLength(1)
  })
})
