/**
 * The integration tests spawn `bin/peerchain.js`, which runs dist/: the
 * project's global setup (test/helpers/build-dist-setup.ts) must have built
 * it from the sources as they are now.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { BUNDLE_INPUTS, isDistFresh } from '../../scripts/build-dist.mjs'

const BUNDLE = join(import.meta.dirname, '../../dist/bundle')

describe('dist/', () => {
  it('is brought up to date with src/ before the integration tests run', async () => {
    expect(inject('distBuild')).toEqual({
      built: expect.any(Boolean),
      files: expect.any(Number),
      ms: expect.any(Number),
    })
    expect(await isDistFresh()).toBe(true)
  })

  it("bundles the lab's attacker next to the code that spawns it by path", async () => {
    const inputs = JSON.parse(await readFile(join(BUNDLE, BUNDLE_INPUTS), 'utf8')) as Record<string, string[]>
    const spawner = Object.entries(inputs).find(([, modules]) => modules.includes('/dist/lab/attackers.js'))
    expect(spawner).toBeDefined()
    // lab/attackers.ts resolves './attackers/main.js' against its own file.
    const dir = join(BUNDLE, (spawner as [string, string[]])[0], '..')
    expect(existsSync(join(dir, 'attackers', 'main.js'))).toBe(true)
  })
})
