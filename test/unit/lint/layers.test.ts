/**
 * Imports flow one way between the layers: ledger/ (pure rules and codecs)
 * is imported by consensus/, chain/, mempool/ and the rest, and imports none
 * of them. A rule ledger/ needs from consensus/ is injected (TxContext,
 * StakingRules), never imported.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '../../..')

/** Every .ts file below `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return name.endsWith('.ts') ? [path] : []
  })
}

/** The relative import specifiers of a file's source. */
function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8')
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1] as string)
}

describe('layers', () => {
  it('src/ledger imports nothing of the layers above it', () => {
    const above = ['consensus', 'chain', 'mempool', 'node', 'net', 'relay', 'sync', 'api', 'cli', 'sim', 'light']
    const offending: string[] = []
    for (const file of sources(join(ROOT, 'src/ledger'))) {
      for (const spec of importsOf(file)) {
        const target = join(file, '..', spec)
        const layer = target.slice(join(ROOT, 'src').length + 1).split('/')[0] as string
        if (above.includes(layer)) offending.push(`${file.slice(ROOT.length + 1)} imports ${spec}`)
      }
    }
    expect(offending).toEqual([])
  })
})
