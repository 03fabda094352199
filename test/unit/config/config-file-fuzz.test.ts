/**
 * peerchain.toml under fuzzing: any text, and the full default template with
 * one line replaced or one value changed to anything, either loads or is
 * refused with a ConfigError naming the problem, never another exception,
 * within a time budget: at most 50 ms for a file of the largest size read,
 * far less for the rest (reading the file included).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CONFIG_FILE_CHARS_MAX } from '../../../src/config/file.js'
import { ConfigError } from '../../../src/config/index.js'
import { renderDefaultConfig } from '../../../src/config/template.js'
import { timedMsAsync } from '../../helpers/time-budget.js'
import { useScratch } from './helpers.js'

const RUNS = 300
const MAX_SIZE_BUDGET_MS = 50
const INPUT_BUDGET_MS = 20
const scratch = useScratch()
const TEMPLATE = renderDefaultConfig()
const LINES = TEMPLATE.split('\n')

/** Writes `text` as the config file, then times loading it: it loads or is refused with a ConfigError. */
async function decideTimed(text: string, budgetMs = INPUT_BUDGET_MS): Promise<number> {
  await scratch.writeConfig(text)
  return timedMsAsync(async () => {
    try {
      await scratch.load()
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      expect(err.issues.length).toBeGreaterThan(0)
    }
  }, budgetMs)
}

const tomlValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.constantFrom('true', '-1', '1e400', '0x10', 'inf', 'nan', '"', '[', '{', '1979-05-27T07:32:00Z', "'''x'''", ''),
  fc.integer().map(String),
)

describe('the config file, fuzzed', () => {
  it('loads the default template it is mutated from', async () => {
    await scratch.writeConfig(TEMPLATE)
    await expect(scratch.load()).resolves.toBeDefined()
  })

  it('loads or refuses any text with a ConfigError, in budget', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 1000 }), async (text) => {
        expect(await decideTimed(text)).toBeLessThan(INPUT_BUDGET_MS)
      }),
      { numRuns: RUNS },
    )
  })

  it('loads or refuses the template with one line replaced, or one key set to any value, in budget', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: LINES.length - 1 }),
        fc.string({ maxLength: 80 }),
        tomlValue,
        async (at, line, value) => {
          const replaced = LINES.map((l, i) => (i === at ? line : l)).join('\n')
          const keyLine = /^#?\s*([a-zA-Z]+)\s*=/.exec(LINES[at] as string)
          const revalued = keyLine
            ? LINES.map((l, i) => (i === at ? `${keyLine[1]} = ${value}` : l)).join('\n')
            : TEMPLATE
          expect(await decideTimed(replaced)).toBeLessThan(INPUT_BUDGET_MS)
          expect(await decideTimed(revalued)).toBeLessThan(INPUT_BUDGET_MS)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it(`decides files of the largest size read (${CONFIG_FILE_CHARS_MAX} characters) within ${MAX_SIZE_BUDGET_MS} ms`, async () => {
    const pad = (filler: string): string =>
      `${TEMPLATE}\n# ${filler.repeat(CONFIG_FILE_CHARS_MAX - TEMPLATE.length - 4)}\n`
    const manyTables = Array.from({ length: 4000 }, (_, i) => `[t${i}]\nk = ${i}\n`)
      .join('')
      .slice(0, CONFIG_FILE_CHARS_MAX)
    const deepArray = `x = ${'['.repeat(CONFIG_FILE_CHARS_MAX / 2 - 4)}`
    const longString = `[node]\nrole = "${'a'.repeat(CONFIG_FILE_CHARS_MAX - 20)}"\n`
    for (const [i, text] of [pad('x'), pad('é'), manyTables, deepArray, longString].entries()) {
      expect(text.length).toBeLessThanOrEqual(CONFIG_FILE_CHARS_MAX)
      expect(await decideTimed(text, MAX_SIZE_BUDGET_MS), `input ${i}`).toBeLessThan(MAX_SIZE_BUDGET_MS)
    }
    await scratch.writeConfig('#'.repeat(CONFIG_FILE_CHARS_MAX + 1))
    expect((await scratch.refusal()).message).toMatch(/larger than/)
  })
})
