/** The commented default config file is generated from the schema, so it parses and, uncommented, gives the defaults. */
import { describe, expect, it } from 'vitest'
import { parseToml } from '../../../src/config/file.js'
import { CONFIG_DEFAULTS, CONFIG_KEYS, configSchema } from '../../../src/config/index.js'
import { renderDefaultConfig } from '../../../src/config/template.js'

const template = renderDefaultConfig()
/** `# key = value` lines become `key = value`; the indented examples (`#   key = …`) stay comments. */
const uncommented = template.replace(/^# ([a-z_]+ = .*)$/gm, '$1')

describe('the default config file', () => {
  it('parses as it is, every key commented out, and so gives the defaults', async () => {
    const parsed = await parseToml(template)
    expect(parsed).toEqual({ node: {}, net: {}, rpc: {}, mining: {}, chain: {}, dandelion: {} })
    expect(configSchema.parse(parsed)).toEqual(CONFIG_DEFAULTS)
  })

  it('gives exactly the defaults with every key uncommented', async () => {
    expect(uncommented).not.toBe(template)
    const parsed = (await parseToml(uncommented)) as Record<string, Record<string, unknown>>
    for (const key of CONFIG_KEYS) {
      if (key.defaultValue === undefined) expect(parsed[key.section], key.path).not.toHaveProperty(key.name)
      else expect(parsed[key.section]?.[key.name], key.path).toEqual(key.defaultValue)
    }
    expect(configSchema.parse(parsed)).toEqual(CONFIG_DEFAULTS)
  })

  it('documents every key above it: what it does, what is allowed, its variable and flag', () => {
    const lines = template.split('\n')
    for (const key of CONFIG_KEYS) {
      const at = lines.findIndex((line) => line.startsWith(`# ${key.name} = `) || line.startsWith(`#   ${key.name} = `))
      expect(at, key.path).toBeGreaterThan(0)
      // The comment block between the blank line above and the key: joined back into sentences.
      const start = lines.lastIndexOf('', at)
      const comment = lines
        .slice(start + 1, at)
        .map((line) => line.replace(/^# ?/, ''))
        .join(' ')
      expect(comment, key.path).toContain(key.doc)
      expect(comment, key.path).toContain(`Allowed: ${key.allowed}.`)
      expect(comment, key.path).toContain(`Env: ${key.env}. Flag: ${key.flag}.`)
    }
  })

  it('shows an example, still commented, for a key without a default', () => {
    expect(template).toContain('#   genesis = "genesis.json"')
    expect(template).toContain('#   address = "pc1…"')
  })
})
