/** docs/CONFIG.md lists every key with its environment variable and flag, so the doc cannot silently fall behind. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONFIG_KEYS } from '../../../src/config/index.js'

describe('docs/CONFIG.md', () => {
  it('has a row for every key: its path, environment variable and flag', async () => {
    const doc = await readFile(join(import.meta.dirname, '../../../docs/CONFIG.md'), 'utf8')
    for (const key of CONFIG_KEYS) {
      expect(doc, key.path).toContain(`| \`${key.path}\` | \`${key.env}\` | \`${key.flag}\` |`)
    }
  })
})
